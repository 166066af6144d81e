package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build cache end to end through the CLI, against a real docker-registry holding the
 * two-platform busybox base: the local cache, the registry cache from an empty store, a changed
 * file, a stage shared by two platforms, concurrent builds, a corrupted cached blob, a cache that
 * cannot be read or written, and index create.
 */
class CacheIT {
  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("bwrap", "qemu-aarch64-static").isolated();

  @TempDir Path dir;

  /** A context whose second RUN reads a file the first RUN's layer loses to the strip rules. */
  private Path context(String name) throws IOException {
    Path ctx = dir.resolve(name);
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "COPY a.txt /app/a.txt\n"
            + "RUN mkdir -p /root/.cache/pip && cat /app/a.txt > /root/.cache/pip/c"
            + " && echo one > /one\n"
            + "RUN cat /root/.cache/pip/c /one > /both\n"
            + "COPY b.txt /app/b.txt\n"
            // tar records file times: the checkout's must not reach the image
            + "RUN cat /app/b.txt > /b-copy && tar -cf /app.tar /app/a.txt /app/b.txt /one\n"
            + "CMD [\"cat\", \"/both\"]\n");
    BuildFixtures.write(ctx.resolve("a.txt"), "alpha\n");
    BuildFixtures.write(ctx.resolve("b.txt"), "beta\n");
    return ctx;
  }

  /** Runs a build in the environment of {@code home} (its own store). */
  private BuildFixtures.Run build(String home, Path ctx, String... extra) {
    // no attestations: the digests compared are of pushed images and of OCI layouts alike
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--insecure-registry",
                registry.host(),
                "--progress",
                "plain",
                "--provenance=false",
                "--sbom=false"));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.run(
        BuildFixtures.isolatedEnv(dir.resolve(home)), args.toArray(String[]::new));
  }

  private static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

  @Test
  void coldLocalAndRegistryCacheBuildsGiveOneDigestAndTheLastMovesNoLayer() throws Exception {
    Path ctx = context("ctx");
    String cache = registry.host() + "/cache/app:buildcache";
    BuildFixtures.Run cold =
        build(
            "a",
            ctx,
            "-t",
            registry.host() + "/app/one:1",
            "--push",
            "--cache-to",
            "type=registry,ref=" + cache + ",mode=max");
    assertThat(cold.code()).as(cold.err()).isZero();
    assertThat(cold.err()).doesNotContain("CACHED").contains("exported cache to " + cache);
    assertThat(count(cold.err(), "RUN took:")).isEqualTo(3);

    BuildFixtures.Run local =
        build("a", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("oci"));
    assertThat(local.code()).as(local.err()).isZero();
    assertThat(local.digest()).isEqualTo(cold.digest());
    assertThat(count(local.err(), "CACHED (local)")).isEqualTo(5);
    assertThat(local.err()).doesNotContain("RUN took:");
    // the image runs: its CMD reads what the stripped cache file held
    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("oci"));
    assertThat(image.config().get("config").get("Cmd").toString()).contains("/both");
    assertThat(local.err()).contains("stripped: pip 1 files");

    // an empty store on another runner: the registry cache, pushed to another repository
    BuildFixtures.Run remote =
        build(
            "b",
            ctx,
            "-t",
            registry.host() + "/app/two:1",
            "--push",
            "--cache-from",
            "type=registry,ref=" + cache);
    assertThat(remote.code()).as(remote.err()).isZero();
    assertThat(remote.digest()).isEqualTo(cold.digest());
    assertThat(count(remote.err(), "CACHED (" + cache + ")")).isEqualTo(5);
    assertThat(remote.err()).doesNotContain("RUN took:");
    // only the config is new to that repository: every layer is mounted or there already
    assertThat(count(remote.err(), ": uploaded")).isEqualTo(1);
    assertThat(layerBlobs(dir.resolve("b/store"))).as("no layer downloaded").isEmpty();
  }

  @Test
  void aRegistryCacheServesTheSbomStatementSoAnEmptyStoreReadsNoLayer() throws Exception {
    Path ctx = context("ctx");
    String cache = registry.host() + "/cache/attested:buildcache";
    // attestations on, as by default on a push: the SBOM is made from every layer's files
    Map<String, String> envC = BuildFixtures.isolatedEnv(dir.resolve("c"));
    BuildFixtures.Run cold =
        BuildFixtures.run(
            envC,
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            "-t",
            registry.host() + "/app/attested:1",
            "--push",
            "--cache-to",
            "type=registry,ref=" + cache + ",mode=max",
            ctx.toString());
    assertThat(cold.code()).as(cold.err()).isZero();
    // another runner, an empty store: the statement comes from the cache, not from the layers
    Map<String, String> envD = BuildFixtures.isolatedEnv(dir.resolve("d"));
    BuildFixtures.Run remote =
        BuildFixtures.run(
            envD,
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            "-t",
            registry.host() + "/app/attested:2",
            "--push",
            "--cache-from",
            "type=registry,ref=" + cache,
            ctx.toString());
    assertThat(remote.code()).as(remote.err()).isZero();
    assertThat(count(remote.err(), "CACHED (" + cache + ")")).isEqualTo(5);
    assertThat(remote.digest())
        .as("the same index, its SBOM and provenance too")
        .isEqualTo(cold.digest());
    assertThat(layerFilesUnder(dir.resolve("d"))).as("no layer downloaded").isEmpty();
    assertThat(remote.err()).doesNotContain("unusable");
  }

  /** Every file under {@code root} that is a compressed blob (gzip or zstd): a layer's bytes. */
  private static List<Path> layerFilesUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                try (InputStream in = Files.newInputStream(p)) {
                  byte[] head = in.readNBytes(4);
                  return head.length == 4
                      && ((head[0] == (byte) 0x1f && head[1] == (byte) 0x8b)
                          || (head[0] == 0x28
                              && head[1] == (byte) 0xb5
                              && head[2] == 0x2f
                              && head[3] == (byte) 0xfd));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  /** The blobs in a store that are layers (not small JSON documents). */
  private static List<Path> layerBlobs(Path store) throws IOException {
    Path blobs = store.resolve("blobs/sha256");
    if (!Files.isDirectory(blobs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(blobs)) {
      return s.filter(
              p -> {
                try {
                  return Files.size(p) > 0 && Files.readAllBytes(p)[0] != '{';
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  @Test
  void oneChangedFileRunsOnlyTheStepsAfterItAndGivesTheColdDigest() throws Exception {
    Path ctx = context("ctx");
    assertThat(build("a", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("o1")).code())
        .isZero();
    BuildFixtures.write(ctx.resolve("b.txt"), "changed\n");
    // the checkout's times are not an input: only content is
    Files.setLastModifiedTime(ctx.resolve("a.txt"), FileTime.fromMillis(1_000_000));
    BuildFixtures.Run changed =
        build("a", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("o2"));
    assertThat(changed.code()).as(changed.err()).isZero();
    assertThat(count(changed.err(), "CACHED (local)")).isEqualTo(3);
    assertThat(changed.err())
        .contains("CACHED (local) COPY a.txt")
        .doesNotContain("CACHED (local) COPY b.txt");
    assertThat(count(changed.err(), "RUN took:")).isEqualTo(1);
    // the RUN after the hits mounts the cached layers, as it mounts the base's
    assertThat(changed.err()).contains("(layer images mounted)");
    BuildFixtures.Run fresh =
        build("c", ctx, "--no-cache", "-o", "type=oci,tar=false,dest=" + dir.resolve("o3"));
    assertThat(fresh.code()).as(fresh.err()).isZero();
    assertThat(count(fresh.err(), "RUN took:")).isEqualTo(3);
    assertThat(changed.digest()).isEqualTo(fresh.digest());
  }

  @Test
  void aBuildPlatformStageRunsOnceForTwoPlatforms() throws Exception {
    Path ctx = dir.resolve("multi");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM --platform=$BUILDPLATFORM "
            + registry.base()
            + " AS tools\n"
            + "RUN echo generated > /gen\n"
            + "FROM "
            + registry.base()
            + "\n"
            + "ARG TARGETARCH\n"
            + "COPY --from=tools /gen /gen\n"
            + "RUN echo $TARGETARCH > /arch\n");
    BuildFixtures.Run r =
        build(
            "a",
            ctx,
            "--platform",
            "linux/amd64,linux/arm64",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("oci"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(count(r.err(), "CACHED (this build) RUN echo generated")).isEqualTo(1);
    // one RUN of the tools stage, one per platform of the final stage
    assertThat(count(r.err(), "RUN took:")).isEqualTo(3);
  }

  @Test
  void twoBuildsAtOnceOnOneStoreAgreeWithASerialOne() throws Exception {
    Path ctx = context("ctx");
    Path other = context("other");
    BuildFixtures.write(other.resolve("b.txt"), "other\n");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<BuildFixtures.Run> one =
          pool.submit(
              () -> build("shared", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("p1")));
      Future<BuildFixtures.Run> two =
          pool.submit(
              () -> build("shared", other, "-o", "type=oci,tar=false,dest=" + dir.resolve("p2")));
      BuildFixtures.Run a = one.get(5, TimeUnit.MINUTES);
      BuildFixtures.Run b = two.get(5, TimeUnit.MINUTES);
      assertThat(a.code()).as(a.err()).isZero();
      assertThat(b.code()).as(b.err()).isZero();
      assertThat(a.err() + b.err()).doesNotContain("WARNING: cache record");
      BuildFixtures.Run again =
          build("shared", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("p3"));
      assertThat(again.digest()).isEqualTo(a.digest());
      assertThat(again.err()).doesNotContain("RUN took:");
      BuildFixtures.Run serial =
          build("serial", other, "-o", "type=oci,tar=false,dest=" + dir.resolve("p4"));
      assertThat(serial.digest()).isEqualTo(b.digest());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCorruptedCachedBlobIsAMissWithOneWarningAndTheSameImage() throws Exception {
    Path ctx = context("ctx");
    String cache = registry.host() + "/cache/corrupt:1";
    BuildFixtures.Run cold =
        build(
            "a",
            ctx,
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("o1"),
            "--cache-to",
            "type=registry,ref=" + cache + ",mode=max");
    assertThat(cold.code()).as(cold.err()).isZero();
    // overwrite every layer blob the registry holds for the cache's layers with wrong bytes
    JsonNode manifest =
        BuildFixtures.JSON.readTree(
            skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + cache));
    int corrupted = 0;
    for (JsonNode l : manifest.get("layers")) {
      String hex = l.get("digest").asText().substring("sha256:".length());
      Path data =
          registry
              .storage()
              .resolve("docker/registry/v2/blobs/sha256")
              .resolve(hex.substring(0, 2))
              .resolve(hex)
              .resolve("data");
      if (Files.size(data) > 200) { // leave the tiny WORKDIR-like layers alone
        byte[] b = Files.readAllBytes(data);
        b[b.length / 2] ^= 0x5a;
        Files.write(data, b);
        corrupted++;
      }
    }
    assertThat(corrupted).isPositive();
    BuildFixtures.Run r =
        build(
            "b",
            ctx,
            "--cache-from",
            "type=registry,ref=" + cache,
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("o2"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("is unusable").doesNotContain("\tat ");
    assertThat(r.digest()).isEqualTo(cold.digest());
  }

  private static String skopeo(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void aCacheThatCannotBeReadOrWrittenWarnsAndTheBuildSucceeds() throws Exception {
    Path ctx = context("ctx");
    // a tag that is an image, not a cache; and a registry that is not there
    assertThat(build("a", ctx, "-t", registry.host() + "/app/plain:1", "--push").code()).isZero();
    BuildFixtures.Run r =
        build(
            "b",
            ctx,
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("o"),
            "--cache-from",
            "type=registry,ref=" + registry.host() + "/app/plain:1",
            "--cache-from",
            "type=registry,ref=" + registry.host() + "/cache/missing:1",
            "--cache-to",
            "type=registry,ref=127.0.0.1:9/cache/x:1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("--cache-from " + registry.host() + "/app/plain:1 cannot be read")
        .contains("--cache-to 127.0.0.1:9/cache/x:1 could not be written")
        .doesNotContain("\tat ");
  }

  @Test
  void aLocalDirectoryCacheServesAnEmptyStore() throws Exception {
    Path ctx = context("ctx");
    Path cacheDir = dir.resolve("cachedir");
    BuildFixtures.Run cold =
        build(
            "a",
            ctx,
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("o1"),
            "--cache-to",
            "type=local,dest=" + cacheDir + ",mode=max");
    assertThat(cold.code()).as(cold.err()).isZero();
    assertThat(cacheDir.resolve("index.json")).exists();
    BuildFixtures.Run r =
        build(
            "b",
            ctx,
            "--cache-from",
            "type=local,src=" + cacheDir,
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("o2"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.digest()).isEqualTo(cold.digest());
    assertThat(count(r.err(), "CACHED (local:" + cacheDir + ")")).isEqualTo(5);
  }

  @Test
  void noCacheAndPruneRunEveryStepAgain() throws Exception {
    Path ctx = context("ctx");
    BuildFixtures.Run cold = build("a", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("o1"));
    assertThat(cold.code()).as(cold.err()).isZero();
    BuildFixtures.Run images =
        BuildFixtures.run(BuildFixtures.isolatedEnv(dir.resolve("a")), "images");
    assertThat(images.out()).contains("build cache: ");
    BuildFixtures.Run filtered =
        build(
            "a",
            ctx,
            "--no-cache-filter",
            "0",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("o2"));
    assertThat(count(filtered.err(), "RUN took:")).isEqualTo(3);
    assertThat(filtered.digest()).isEqualTo(cold.digest());
    BuildFixtures.Run prune =
        BuildFixtures.run(BuildFixtures.isolatedEnv(dir.resolve("a")), "prune", "--all");
    assertThat(prune.code()).as(prune.err()).isZero();
    assertThat(prune.out()).contains("build cache: 0 records");
    try (Stream<Path> s = Files.list(dir.resolve("a/store/cache/steps"))) {
      assertThat(s.toList()).isEmpty();
    }
    BuildFixtures.Run after = build("a", ctx, "-o", "type=oci,tar=false,dest=" + dir.resolve("o3"));
    assertThat(count(after.err(), "RUN took:")).isEqualTo(3);
    assertThat(after.digest()).isEqualTo(cold.digest());
  }

  @Test
  void indexCreateMergesTwoImagesPushedApartWithoutPullingLayers() throws Exception {
    Path ctx = dir.resolve("plat");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\nRUN uname -m > /arch\n");
    String amd = registry.host() + "/app/multi:amd64";
    String arm = registry.host() + "/app/multi:arm64";
    assertThat(build("x", ctx, "--platform", "linux/amd64", "-t", amd, "--push").code()).isZero();
    assertThat(build("y", ctx, "--platform", "linux/arm64", "-t", arm, "--push").code()).isZero();
    BuildFixtures.Run r =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(dir.resolve("z")),
            "index",
            "create",
            "--insecure-registry",
            registry.host(),
            "-t",
            registry.host() + "/app/merged:1",
            amd,
            arm);
    assertThat(r.code()).as(r.err()).isZero();
    // no layer travels: each is mounted from the repository it was pushed to
    assertThat(r.err()).contains("0 copied").doesNotContain(", 0 mounted");
    JsonNode index =
        BuildFixtures.JSON.readTree(
            skopeo(
                "inspect",
                "--raw",
                "--tls-verify=false",
                "docker://" + registry.host() + "/app/merged:1"));
    List<String> platforms = new ArrayList<>();
    for (JsonNode m : index.get("manifests")) {
      platforms.add(m.get("platform").get("architecture").asText());
    }
    assertThat(platforms).containsExactly("amd64", "arm64");
    assertThat(index.get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.index.v1+json");
    // every platform's blobs are in the merged repository: skopeo copies it whole
    skopeo(
        "copy",
        "--all",
        "--src-tls-verify=false",
        "docker://" + registry.host() + "/app/merged:1",
        "oci:" + dir.resolve("merged") + ":1");
  }
}
