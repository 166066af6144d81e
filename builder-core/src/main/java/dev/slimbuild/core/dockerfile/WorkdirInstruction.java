package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
