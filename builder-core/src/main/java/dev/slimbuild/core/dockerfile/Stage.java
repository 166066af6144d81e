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

  /**
   * The stage index a {@code --from} value spells, if it is one: ASCII digits only (as Go's {@code
   * strconv.Atoi} reads them, without a sign) whose value fits an {@code int}.
   */
  public static Optional<Integer> parseIndex(String ref) {
    if (ref.isEmpty()) {
      return Optional.empty();
    }
    for (int i = 0; i < ref.length(); i++) {
      char c = ref.charAt(i);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(Integer.parseInt(ref));
    } catch (NumberFormatException e) {
      return Optional.empty(); // too large to be an index
    }
  }
}
