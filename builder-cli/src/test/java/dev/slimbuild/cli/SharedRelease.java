package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.fs.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The release {@code scripts/release.sh} makes of the jar {@code mvn package} made, as
 * ExecutorImageIT and ReleaseIT check it: both platforms' tarballs and the executor image, pushed
 * to the test run's shared registry and signed. It is made once per test JVM, in {@code
 * target/it-release/dist}, by whichever of the two runs first (the amd64 tarball is the same
 * whichever platforms one run makes), which saves one release run of several minutes.
 */
final class SharedRelease {
  /** The password of the signing key. */
  static final String PASSWORD = "executor-release";

  private static final Path ROOT = Path.of("target/it-release").toAbsolutePath();

  /**
   * What release.sh left.
   *
   * @param dist its DIST directory
   * @param publicKey the public key of the key the image was signed with (the private key is
   *     deleted once the release is made)
   * @param registry where the image was pushed
   * @param run its exit code and output
   */
  record Release(Path dist, Path publicKey, String registry, BuildToolsIT.Result run) {
    /** The names in {@link #dist()}, sorted; none when release.sh made no directory. */
    List<String> listing() throws Exception {
      if (!Files.isDirectory(dist)) {
        return List.of();
      }
      try (Stream<Path> s = Files.list(dist)) {
        return s.map(p -> p.getFileName().toString()).sorted().toList();
      }
    }

    /** Whether both platforms' tarballs were made. */
    boolean tarballs() throws Exception {
      return listing().stream()
              .filter(n -> n.matches("slimbuild-.*-linux-(amd64|arm64)\\.tar\\.gz"))
              .count()
          == 2;
    }
  }

  private static Release made;

  private SharedRelease() {}

  /**
   * The release, made now if this JVM has not made it yet, its image pushed to {@code registry}
   * (the registry the classes share: a second caller must name the same one).
   */
  static synchronized Release make(RegistryExtension registry) throws Exception {
    if (made != null) {
      assertThat(registry.host())
          .as("the registry the release was pushed to")
          .isEqualTo(made.registry());
      return made;
    }
    Path repo = Path.of("").toAbsolutePath().getParent();
    assertThat(repo.resolve("scripts/release.sh")).isRegularFile();
    assertThat(Path.of("target/slimbuild.jar")).as("the jar mvn package made").isRegularFile();
    Trees.delete(ROOT); // a previous run's
    Path keys = Files.createDirectories(ROOT.resolve("keys"));
    BuildFixtures.Run gen =
        BuildFixtures.runIn(
            keys,
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "generate-key-pair",
            "--output-key-prefix",
            keys.resolve("cosign").toString());
    assertThat(gen.code()).as(gen.err()).isZero();

    Path dist = ROOT.resolve("dist");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PLATFORMS", "amd64 arm64");
    env.put("SKIP_BUILD", "1");
    env.put("DIST", dist.toString());
    env.put("RELEASE_REGISTRY", registry.host());
    env.put("SLIMBUILD_SIGN_KEY", keys.resolve("cosign.key").toString());
    env.put("COSIGN_PASSWORD", PASSWORD);
    BuildToolsIT.Result r;
    try {
      r = BuildToolsIT.exec(repo, env, 1800, List.of("bash", "scripts/release.sh"));
    } finally {
      Files.deleteIfExists(keys.resolve("cosign.key")); // nothing of the private key stays
    }
    made = new Release(dist, keys.resolve("cosign.pub"), registry.host(), r);
    return made;
  }
}
