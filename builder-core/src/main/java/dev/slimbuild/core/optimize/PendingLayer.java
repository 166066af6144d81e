package dev.slimbuild.core.optimize;

import dev.slimbuild.core.layer.LayerEntry;
import java.util.List;
import java.util.Objects;

/**
 * A layer an instruction produced, not written yet.
 *
 * @param entries what the instruction changed
 * @param createdBy its history text (RUN layers start with "RUN")
 * @param home the stage user's home directory when the instruction ran (null: unknown)
 */
public record PendingLayer(List<LayerEntry> entries, String createdBy, String home) {
  public PendingLayer {
    entries = List.copyOf(entries);
    Objects.requireNonNull(createdBy, "createdBy");
  }

  /** Whether RUN made the layer (the RUN-only rules apply). */
  public boolean isRun() {
    return createdBy.startsWith("RUN");
  }
}
