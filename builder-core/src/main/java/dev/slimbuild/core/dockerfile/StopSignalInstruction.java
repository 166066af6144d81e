package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
