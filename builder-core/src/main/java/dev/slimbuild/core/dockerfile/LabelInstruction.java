package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** {@code LABEL k=v ...} (or the legacy {@code LABEL k v}). */
public record LabelInstruction(Location location, List<KeyValue> pairs) implements Instruction {
  public LabelInstruction {
    Objects.requireNonNull(location, "location");
    pairs = List.copyOf(pairs);
  }

  @Override
  public String keyword() {
    return "LABEL";
  }
}
