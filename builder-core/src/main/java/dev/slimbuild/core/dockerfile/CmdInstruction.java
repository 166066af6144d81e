package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code CMD}; exec form or shell form ({@code CMD []} is an empty exec form). */
public record CmdInstruction(Location location, CommandForm command) implements Instruction {
  public CmdInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(command, "command");
  }

  @Override
  public String keyword() {
    return "CMD";
  }
}
