package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** {@code ENV k=v ...} or {@code ENV k v}. */
public record EnvInstruction(Location location, List<KeyValue> pairs) implements Instruction {
  public EnvInstruction {
    Objects.requireNonNull(location, "location");
    pairs = List.copyOf(pairs);
  }

  @Override
  public String keyword() {
    return "ENV";
  }
}
