package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@code ARG name[=default] ...}; defaults raw. */
public record ArgInstruction(Location location, List<ArgInstruction.Arg> args)
    implements Instruction {
  public ArgInstruction {
    Objects.requireNonNull(location, "location");
    args = List.copyOf(args);
  }

  @Override
  public String keyword() {
    return "ARG";
  }

  /** One declared build argument and its default value, if one is written. */
  public record Arg(String name, Optional<String> defaultValue) {
    public Arg {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(defaultValue, "defaultValue");
    }
  }
}
