package dev.slimbuild.core.plan;

import dev.slimbuild.core.oci.Platform;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the user asked for: {@code --build-arg} values, {@code --target}, the platform being built
 * and the platform slimbuild runs on.
 */
public record PlanRequest(
    Map<String, String> buildArgs,
    Optional<String> target,
    Platform targetPlatform,
    Platform buildPlatform) {
  public PlanRequest {
    buildArgs = Map.copyOf(buildArgs);
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(targetPlatform, "targetPlatform");
    Objects.requireNonNull(buildPlatform, "buildPlatform");
  }
}
