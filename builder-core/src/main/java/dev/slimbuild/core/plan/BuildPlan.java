package dev.slimbuild.core.plan;

import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.oci.Platform;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to build for one target platform.
 *
 * @param dockerfile the parsed Dockerfile
 * @param platform the target platform
 * @param globalArgs the ARGs in global scope (predefined platform args, then the ARGs before the
 *     first FROM), resolved with the build args; a stage sees one only after re-declaring it
 * @param buildArgs the {@code --build-arg} values
 * @param stages the stages the target needs, in Dockerfile order (a stage's dependencies always
 *     come before it); the last one is the target
 * @param unusedBuildArgs build args that no ARG in those stages or the global scope declares
 */
public record BuildPlan(
    Dockerfile dockerfile,
    Platform platform,
    Map<String, String> globalArgs,
    Map<String, String> buildArgs,
    List<PlannedStage> stages,
    List<String> unusedBuildArgs) {
  public BuildPlan {
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(platform, "platform");
    globalArgs = Collections.unmodifiableMap(new LinkedHashMap<>(globalArgs));
    buildArgs = Map.copyOf(buildArgs);
    stages = List.copyOf(stages);
    unusedBuildArgs = List.copyOf(unusedBuildArgs);
  }

  /** The stage whose image is the build's result. */
  public PlannedStage target() {
    return stages.get(stages.size() - 1);
  }

  /** The planned stage with this Dockerfile index, if the target needs it. */
  public Optional<PlannedStage> stage(int index) {
    return stages.stream().filter(s -> s.index() == index).findFirst();
  }
}
