package dev.slimbuild.core.cache;

import dev.slimbuild.core.layer.Layer;
import java.util.Objects;
import java.util.Optional;

/**
 * What one step made, before the stage's layers were optimised: the layer of every file the step
 * changed (later steps read these files), or none when it changed nothing; and the home directory
 * of the step's user, which the strip rules read ({@code ~/.cache}).
 */
public record StepRecord(Optional<Layer> layer, String home) {
  public StepRecord {
    Objects.requireNonNull(layer, "layer");
  }

  /** The same record with its layer's bytes in {@code repository}. */
  StepRecord from(String repository) {
    return new StepRecord(layer.map(l -> l.from(repository)), home);
  }
}
