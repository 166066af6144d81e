package dev.slimbuild.core.plan;

import dev.slimbuild.core.dockerfile.Stage;
import dev.slimbuild.core.oci.Platform;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stage that the target needs.
 *
 * @param stage the parsed stage
 * @param displayName its name, or {@code stage-N} for an unnamed one
 * @param baseName the FROM image after ARG expansion ({@code scratch}, an image reference, or a
 *     stage name)
 * @param baseStage the index of the earlier stage that FROM names, if it names one
 * @param platform the FROM's {@code --platform} after expansion, if given
 * @param dependencies indices of the stages this one reads (FROM, COPY --from, RUN --mount from)
 */
public record PlannedStage(
    Stage stage,
    String displayName,
    String baseName,
    Optional<Integer> baseStage,
    Optional<Platform> platform,
    Set<Integer> dependencies) {
  public PlannedStage {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(baseName, "baseName");
    Objects.requireNonNull(baseStage, "baseStage");
    Objects.requireNonNull(platform, "platform");
    dependencies = Set.copyOf(dependencies);
  }

  /** The stage's position in the Dockerfile, from 0. */
  public int index() {
    return stage.index();
  }

  /** Whether the stage starts from the empty filesystem. */
  public boolean fromScratch() {
    return baseStage.isEmpty() && baseName.equals("scratch");
  }
}
