package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code STOPSIGNAL signal}. */
public record StopSignalInstruction(Location location, String signal) implements Instruction {
  public StopSignalInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(signal, "signal");
  }

  @Override
  public String keyword() {
    return "STOPSIGNAL";
  }
}
