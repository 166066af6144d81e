package dev.slimbuild.core.plan;

import dev.slimbuild.core.oci.Platform;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the user asked for: {@code --build-arg} values, {@code --target}, the platform being built
 * and the platform slimbuild runs on, and the names {@code --build-context} gives (by {@code
 * NamedContext.key}): a stage of such a name is replaced, and a {@code --from} naming one is no
 * typo.
 */
public record PlanRequest(
    Map<String, String> buildArgs,
    Optional<String> target,
    Platform targetPlatform,
    Platform buildPlatform,
    Set<String> contexts) {
  public PlanRequest {
    buildArgs = Map.copyOf(buildArgs);
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(targetPlatform, "targetPlatform");
    Objects.requireNonNull(buildPlatform, "buildPlatform");
    contexts = Set.copyOf(contexts);
  }

  /** A request without named contexts. */
  public PlanRequest(
      Map<String, String> buildArgs,
      Optional<String> target,
      Platform targetPlatform,
      Platform buildPlatform) {
    this(buildArgs, target, targetPlatform, buildPlatform, Set.of());
  }
}
