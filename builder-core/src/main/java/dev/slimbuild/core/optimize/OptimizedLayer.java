package dev.slimbuild.core.optimize;

import dev.slimbuild.core.layer.LayerEntry;
import java.util.List;
import java.util.Objects;

/** A layer's entries as they will be written, and what was left out. */
public record OptimizedLayer(List<LayerEntry> entries, LayerSavings savings) {
  public OptimizedLayer {
    entries = List.copyOf(entries);
    Objects.requireNonNull(savings, "savings");
  }
}
