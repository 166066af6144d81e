package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code ENTRYPOINT}; exec form or shell form. */
public record EntrypointInstruction(Location location, CommandForm command) implements Instruction {
  public EntrypointInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(command, "command");
  }

  @Override
  public String keyword() {
    return "ENTRYPOINT";
  }
}
