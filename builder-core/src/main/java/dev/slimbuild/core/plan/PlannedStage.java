package dev.slimbuild.core.plan;

import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.Stage;
import dev.slimbuild.core.oci.Platform;
import java.util.List;
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
 * @param dependencies indices of the stages this one reads (FROM, COPY --from, RUN --mount from,
 *     also in {@code triggers})
 * @param triggers the ONBUILD triggers of the base stage, when FROM names a stage that has some:
 *     they run first, before the stage's own instructions (as BuildKit runs them), each located at
 *     this stage's FROM. Triggers of a base image are in its config instead (parse them with {@code
 *     DockerfileParser.parseTrigger}).
 */
public record PlannedStage(
    Stage stage,
    String displayName,
    String baseName,
    Optional<Integer> baseStage,
    Optional<Platform> platform,
    Set<Integer> dependencies,
    List<Instruction> triggers,
    boolean replaced) {
  public PlannedStage {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(baseName, "baseName");
    Objects.requireNonNull(baseStage, "baseStage");
    Objects.requireNonNull(platform, "platform");
    dependencies = Set.copyOf(dependencies);
    triggers = List.copyOf(triggers);
  }

  /** The stage's position in the Dockerfile, from 0. */
  public int index() {
    return stage.index();
  }

  /** Whether the stage starts from the empty filesystem. */
  public boolean fromScratch() {
    return !replaced && baseStage.isEmpty() && baseName.equals("scratch");
  }
}
