package dev.slimbuild.core.build;

import dev.slimbuild.core.image.ImageOutput;
import java.util.List;
import java.util.Map;

/**
 * A finished build: the image (one platform's manifest, or an index of several), what each step
 * did per platform, and warnings.
 */
public record BuildResult(
    ImageOutput image, Map<String, List<StepReport>> stepsByPlatform, List<String> warnings) {
  public BuildResult {
    stepsByPlatform = Map.copyOf(stepsByPlatform);
    warnings = List.copyOf(warnings);
  }
}
