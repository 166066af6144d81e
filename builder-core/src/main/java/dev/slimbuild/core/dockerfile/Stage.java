package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A build stage: its FROM and the instructions up to the next FROM. */
public record Stage(
    int index, Optional<String> name, FromInstruction from, List<Instruction> instructions) {
  public Stage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(from, "from");
    instructions = List.copyOf(instructions);
  }
}
