package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code WORKDIR path}. */
public record WorkdirInstruction(Location location, String path) implements Instruction {
  public WorkdirInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(path, "path");
  }

  @Override
  public String keyword() {
    return "WORKDIR";
  }
}
