package dev.slimbuild.core.optimize;

import dev.slimbuild.core.layer.LayerSavings;
import dev.slimbuild.core.oci.Descriptor;
import java.util.Objects;

/**
 * One layer of a built image as the size report shows it.
 *
 * @param stage the stage that made it (null for a base-image layer)
 * @param instruction the instruction that made it (history text), or a description
 * @param line its Dockerfile line (0 when none)
 * @param layer the blob; null when optimisation left nothing of the step's layer (no layer)
 * @param uncompressedSize the tar's size (-1 when unknown: base layers)
 * @param files files in the layer (directories not counted; -1 when unknown)
 * @param savings what optimisation left out of it
 */
public record LayerReport(
    String stage,
    String instruction,
    int line,
    Descriptor layer,
    long uncompressedSize,
    long files,
    LayerSavings savings) {
  public LayerReport {
    Objects.requireNonNull(instruction, "instruction");
    Objects.requireNonNull(savings, "savings");
  }

  /** A layer of the base image (not built by this build). */
  public static LayerReport base(Descriptor layer) {
    return new LayerReport(null, "base image layer", 0, layer, -1, -1, LayerSavings.NONE);
  }

  /** Whether the layer came from the base image. */
  public boolean isBase() {
    return stage == null;
  }
}
