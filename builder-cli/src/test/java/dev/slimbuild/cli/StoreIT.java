package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store's commands on what a build FROM a registry image leaves: the pulled base layer
 * and its unpacked files, in {@code slimbuild df} and through {@code slimbuild rmi}.
 */
class StoreIT {
  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");

  @TempDir Path dir;

  private BuildFixtures.Run cli(String... args) {
    return BuildFixtures.runIn(dir, Map.of(), args);
  }

  private Path context() throws IOException {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\nRUN echo built > /built\n");
    return ctx;
  }

  /** {@code df --format json}: type to its row. */
  private Map<String, JsonNode> df() throws IOException {
    BuildFixtures.Run r = cli("df", "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, JsonNode> out = new HashMap<>();
    BuildFixtures.JSON.readTree(r.out()).forEach(row -> out.put(row.get("type").asText(), row));
    return out;
  }

  private List<Path> unpacked() throws IOException {
    Path d = dir.resolve("store/unpacked/sha256");
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
  }

  private boolean hasBlob(String digest) {
    return Files.exists(dir.resolve("store/blobs").resolve(digest.replace(':', '/')));
  }

  @Test
  void dfCountsThePulledBaseAndRmiTakesItWithTheImage() throws Exception {
    Path ctx = context();
    BuildFixtures.Run built =
        cli(
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "quiet",
            "-t",
            "app:1",
            ctx.toString());
    assertThat(built.code()).as(built.err()).isZero();
    JsonNode platform =
        BuildFixtures.JSON
            .readTree(cli("inspect", "--format", "json", "app:1").out())
            .get("platforms")
            .get(0);
    List<String> layers = new ArrayList<>();
    platform.get("layers").forEach(l -> layers.add(l.get("digest").asText()));
    assertThat(layers).hasSize(2); // the base's and the RUN's
    String base = layers.get(0);

    // the RUN unpacked the base layer: df counts it, and what prune --all would reclaim
    assertThat(unpacked()).hasSize(1);
    Map<String, JsonNode> df = df();
    assertThat(df.get("unpackedLayers").get("total").asInt()).isEqualTo(1);
    assertThat(df.get("unpackedLayers").get("size").asLong())
        .isPositive()
        .isEqualTo(df.get("unpackedLayers").get("reclaimable").asLong());
    assertThat(df.get("images").get("size").asLong())
        .isGreaterThan(platform.get("layers").get(0).get("size").asLong());
    assertThat(df.get("unusedBlobs").get("total").asInt()).isZero();

    // no record uses the base layer: it goes with the image, and its unpacked files too; the
    // RUN's layer stays for its cache record
    BuildFixtures.Run rmi = cli("rmi", "app:1");
    assertThat(rmi.code()).as(rmi.err()).isZero();
    assertThat(rmi.out()).contains("1 blobs (").contains("stay for the build cache");
    assertThat(hasBlob(base)).isFalse();
    assertThat(hasBlob(layers.get(1))).isTrue();
    assertThat(unpacked()).isEmpty();
    df = df();
    assertThat(df.get("images").get("total").asInt()).isZero();
    assertThat(df.get("unpackedLayers").get("total").asInt()).isZero();
    assertThat(df.get("buildCache").get("size").asLong())
        .isEqualTo(platform.get("layers").get(1).get("size").asLong());

    // a pushed build keeps no image: the base it pulled for the RUN, and its manifest and config,
    // are blobs nothing uses
    BuildFixtures.Run pushed =
        cli(
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "quiet",
            "--no-cache",
            "-t",
            registry.host() + "/app/store:1",
            "--push",
            "--provenance=false",
            "--sbom=false",
            ctx.toString()); // attestations would add blobs
    assertThat(pushed.code()).as(pushed.err()).isZero();
    assertThat(hasBlob(base)).isTrue();
    assertThat(hasBlob(pushed.digest())).isTrue();
    long unused = 0;
    try (Stream<Path> s = Files.list(dir.resolve("store/blobs/sha256"))) {
      for (Path p : s.toList()) {
        if (!layers.get(1).endsWith(p.getFileName().toString())) {
          unused += Files.size(p);
        }
      }
    }
    df = df();
    assertThat(df.get("unusedBlobs").get("total").asInt()).isEqualTo(3);
    assertThat(df.get("unusedBlobs").get("size").asLong())
        .isEqualTo(unused)
        .isGreaterThan(platform.get("layers").get(0).get("size").asLong());
    BuildFixtures.Run all = cli("prune", "--all");
    assertThat(all.code()).as(all.err()).isZero();
    df = df();
    assertThat(df.values()).allSatisfy(row -> assertThat(row.get("size").asLong()).isZero());
  }
}
