package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** {@code SHELL ["executable", "parameters"]} (JSON form only). */
public record ShellInstruction(Location location, List<String> shell) implements Instruction {
  public ShellInstruction {
    Objects.requireNonNull(location, "location");
    shell = List.copyOf(shell);
  }

  @Override
  public String keyword() {
    return "SHELL";
  }
}
