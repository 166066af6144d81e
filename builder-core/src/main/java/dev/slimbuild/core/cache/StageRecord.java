package dev.slimbuild.core.cache;

import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerSavings;
import java.util.List;

/**
 * A stage's layers as written once its steps' layers were optimised together: each with the step
 * that made it ({@code step} is 0-based; for a squashed layer, the last step squashed), and the
 * steps whose layers optimisation emptied; {@code squashed} is how many layers {@code --squash}
 * merged into the one (0: none). A stage whose every input is unchanged takes these as they are, so
 * its image is the one the first build made, byte for byte.
 */
public record StageRecord(List<Written> layers, List<Omitted> omitted, int squashed) {
  public StageRecord {
    layers = List.copyOf(layers);
    omitted = List.copyOf(omitted);
  }

  /** A layer the stage wrote. */
  public record Written(int step, Layer layer, long files, LayerSavings savings) {}

  /** A step whose layer optimisation left empty. */
  public record Omitted(int step, LayerSavings savings) {}

  /** The same record with its layers' bytes in {@code repository}. */
  StageRecord from(String repository) {
    return new StageRecord(
        layers.stream()
            .map(w -> new Written(w.step(), w.layer().from(repository), w.files(), w.savings()))
            .toList(),
        omitted,
        squashed);
  }
}
