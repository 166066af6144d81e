package dev.slimbuild.core.dockerfile;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [flags] CMD command}.
 *
 * @param test as in the image config: {@code ["NONE"]}, {@code ["CMD", args...]} (exec form) or
 *     {@code ["CMD-SHELL", script]}
 * @param interval zero when not given (likewise the other durations and {@code retries})
 */
public record HealthcheckInstruction(
    Location location,
    List<String> test,
    Duration interval,
    Duration timeout,
    Duration startPeriod,
    Duration startInterval,
    int retries)
    implements Instruction {
  public HealthcheckInstruction {
    Objects.requireNonNull(location, "location");
    test = List.copyOf(test);
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(startPeriod, "startPeriod");
    Objects.requireNonNull(startInterval, "startInterval");
  }

  /** Whether this is {@code HEALTHCHECK NONE} (disables an inherited check). */
  public boolean none() {
    return test.size() == 1 && test.get(0).equals("NONE");
  }

  /**
   * The image history's {@code created_by}, as BuildKit writes it (Go's {@code %+v} of the config):
   * {@code HEALTHCHECK {Test:[CMD-SHELL curl -f x] Interval:30s Timeout:0s StartPeriod:0s
   * StartInterval:0s Retries:3}}.
   */
  public String createdBy() {
    return "HEALTHCHECK {Test:["
        + String.join(" ", test)
        + "] Interval:"
        + GoDuration.format(interval)
        + " Timeout:"
        + GoDuration.format(timeout)
        + " StartPeriod:"
        + GoDuration.format(startPeriod)
        + " StartInterval:"
        + GoDuration.format(startInterval)
        + " Retries:"
        + retries
        + "}";
  }

  @Override
  public String keyword() {
    return "HEALTHCHECK";
  }
}
