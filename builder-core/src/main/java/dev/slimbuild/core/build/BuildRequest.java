package dev.slimbuild.core.build;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.oci.Platform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code slimbuild build}.
 *
 * @param context the build context directory
 * @param dockerfile the Dockerfile on disk
 * @param dockerfileName how errors name the Dockerfile (as the user gave it)
 * @param buildArgs {@code --build-arg} values
 * @param target {@code --target}
 * @param platforms the platforms to build (at least one)
 * @param labels {@code --label} values, added to the final image
 * @param compression how new layers are compressed
 * @param compressionLevel the level for {@code compression}
 * @param sourceDateEpoch every timestamp in the image (seconds since the epoch)
 * @param recompress whether base-image layers are re-encoded with {@code compression} too (else
 *     they keep theirs)
 * @param run how RUN instructions run (sandbox, cache and temporary directories)
 * @param networkTimeout how long any one read of an {@code ADD <URL>} download may wait for data
 * @param contexts {@code --build-context} values by {@link NamedContext#key}: what those names
 *     stand for in FROM, COPY --from and RUN --mount from= (a stage of that name is replaced)
 */
public record BuildRequest(
    Path context,
    Path dockerfile,
    String dockerfileName,
    Map<String, String> buildArgs,
    Optional<String> target,
    List<Platform> platforms,
    Map<String, String> labels,
    Compression compression,
    int compressionLevel,
    long sourceDateEpoch,
    boolean recompress,
    RunOptions run,
    Duration networkTimeout,
    Map<String, NamedContext> contexts) {

  /** A request with {@link UrlFetcher#DEFAULT_READ_TIMEOUT} as its network timeout. */
  public BuildRequest(
      Path context,
      Path dockerfile,
      String dockerfileName,
      Map<String, String> buildArgs,
      Optional<String> target,
      List<Platform> platforms,
      Map<String, String> labels,
      Compression compression,
      int compressionLevel,
      long sourceDateEpoch,
      boolean recompress,
      RunOptions run) {
    this(
        context,
        dockerfile,
        dockerfileName,
        buildArgs,
        target,
        platforms,
        labels,
        compression,
        compressionLevel,
        sourceDateEpoch,
        recompress,
        run,
        UrlFetcher.DEFAULT_READ_TIMEOUT);
  }

  /** A request without named contexts. */
  public BuildRequest(
      Path context,
      Path dockerfile,
      String dockerfileName,
      Map<String, String> buildArgs,
      Optional<String> target,
      List<Platform> platforms,
      Map<String, String> labels,
      Compression compression,
      int compressionLevel,
      long sourceDateEpoch,
      boolean recompress,
      RunOptions run,
      Duration networkTimeout) {
    this(
        context,
        dockerfile,
        dockerfileName,
        buildArgs,
        target,
        platforms,
        labels,
        compression,
        compressionLevel,
        sourceDateEpoch,
        recompress,
        run,
        networkTimeout,
        Map.of());
  }

  /** This request with {@code named} as its named contexts ({@link NamedContext#byKey}). */
  public BuildRequest withContexts(Map<String, NamedContext> named) {
    return new BuildRequest(
        context,
        dockerfile,
        dockerfileName,
        buildArgs,
        target,
        platforms,
        labels,
        compression,
        compressionLevel,
        sourceDateEpoch,
        recompress,
        run,
        networkTimeout,
        named);
  }

  /**
   * A request with every default: {@code CONTEXT/Dockerfile}, no build args, labels or target, zstd
   * level 3, time 0, base layers as they are, the default RUN options.
   */
  public static BuildRequest of(Path context, List<Platform> platforms) {
    return new BuildRequest(
        context,
        context.resolve("Dockerfile"),
        "Dockerfile",
        Map.of(),
        Optional.empty(),
        platforms,
        Map.of(),
        Compression.ZSTD,
        Compression.ZSTD.defaultLevel(),
        0,
        false,
        RunOptions.defaults());
  }

  public BuildRequest {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(dockerfileName, "dockerfileName");
    buildArgs = Map.copyOf(buildArgs);
    Objects.requireNonNull(target, "target");
    platforms = List.copyOf(platforms);
    if (platforms.isEmpty()) {
      throw new IllegalArgumentException("at least one platform");
    }
    labels = Map.copyOf(labels);
    Objects.requireNonNull(compression, "compression");
    compression.checkLevel(compressionLevel);
    if (sourceDateEpoch < 0) {
      throw new IllegalArgumentException("negative source date epoch");
    }
    Objects.requireNonNull(run, "run");
    if (networkTimeout.isNegative() || networkTimeout.isZero()) {
      throw new IllegalArgumentException("the network timeout must be positive");
    }
    contexts = Map.copyOf(contexts);
  }
}
