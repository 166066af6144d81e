package dev.slimbuild.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.Registry.PushResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry client against a real plain-HTTP registry (docker-registry 2.8). */
class RegistryIT {
  static RegistryServer server;
  static Registry registry;

  @BeforeAll
  static void start() throws IOException {
    server = RegistryServer.plain();
    registry = Registries.open(server.host(), insecure(server.host()));
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (registry != null) {
        registry.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  static RegistryOptions insecure(String host) {
    return new RegistryOptions(Set.of(host), Set.of(), Map.of());
  }

  static Descriptor pushBytes(Registry r, String repo, String mediaType, byte[] bytes)
      throws IOException {
    Descriptor d = Descriptor.of(mediaType, Digest.sha256Of(bytes), bytes.length);
    r.pushBlob(repo, d, () -> new ByteArrayInputStream(bytes), List.of());
    return d;
  }

  /** A manifest with unusual (but valid) spacing and key order: only exact bytes keep it. */
  static byte[] manifest(Descriptor config, Descriptor layer) {
    return ("{ \"schemaVersion\" : 2,\n  \"mediaType\":\""
            + MediaType.OCI_MANIFEST
            + "\",\n"
            + "  \"layers\":[{\"size\":"
            + layer.size()
            + ",\"digest\":\""
            + layer.digest()
            + "\",\"mediaType\":\""
            + layer.mediaType()
            + "\"}],\n"
            + "  \"config\":{\"mediaType\":\""
            + config.mediaType()
            + "\",\"digest\":\""
            + config.digest()
            + "\",\"size\":"
            + config.size()
            + "} }\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void manifestsAndIndexesKeepTheirExactBytes() throws IOException {
    String repo = "exact/app";
    Descriptor config =
        pushBytes(
            registry,
            repo,
            MediaType.OCI_CONFIG,
            "{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8));
    Descriptor layer =
        pushBytes(
            registry,
            repo,
            MediaType.OCI_LAYER_TAR_ZSTD,
            "not really zstd, the registry does not look".getBytes(StandardCharsets.UTF_8));
    byte[] manifest = manifest(config, layer);
    Digest md = registry.putManifest(repo, "v1", manifest, MediaType.OCI_MANIFEST);
    assertThat(md).isEqualTo(Digest.sha256Of(manifest));

    RawManifest byTag = registry.getManifest(repo, "v1");
    assertThat(byTag.bytes()).isEqualTo(manifest);
    assertThat(byTag.digest()).isEqualTo(md);
    assertThat(byTag.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(registry.getManifest(repo, md.toString()).bytes()).isEqualTo(manifest);
    assertThat(registry.headManifest(repo, "v1"))
        .contains(Descriptor.of(MediaType.OCI_MANIFEST, md, manifest.length));

    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaType.OCI_INDEX
                + "\",\"manifests\":[{"
                + "\"mediaType\":\""
                + MediaType.OCI_MANIFEST
                + "\",\"digest\":\""
                + md
                + "\",\"size\":"
                + manifest.length
                + ",\"platform\":{\"architecture\":\"arm64\","
                + "\"os\":\"linux\",\"variant\":\"v8\"},\"annotations\":{\"org.example.note\":"
                + "\"kept\"}}],\"annotations\":{\"org.opencontainers.image.created\":"
                + "\"1970-01-01T00:00:00Z\"}}")
            .getBytes(StandardCharsets.UTF_8);
    Digest id = registry.putManifest(repo, "multi", index, MediaType.OCI_INDEX);
    RawManifest got = registry.getManifest(repo, "multi");
    assertThat(got.bytes()).isEqualTo(index);
    assertThat(got.digest()).isEqualTo(id).isEqualTo(Digest.sha256Of(index));
    assertThat(got.mediaType()).isEqualTo(MediaType.OCI_INDEX);
    // by digest reference too, which is verified against the bytes
    Digest put = registry.putManifest(repo, id.toString(), index, MediaType.OCI_INDEX);
    assertThat(put).isEqualTo(id);
  }

  @Test
  void unknownManifestIs404WithTheRegistryCode() throws IOException {
    assertThat(registry.headManifest("nothing/here", "v1")).isEmpty();
    assertThatThrownBy(() -> registry.getManifest("nothing/here", "v1"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.code()).isIn("MANIFEST_UNKNOWN", "NAME_UNKNOWN");
              assertThat(e.retryable()).isFalse();
              assertThat(e.getMessage()).contains(server.host() + "/nothing/here").contains("v1");
            });
  }

  @Test
  void putByDigestRefusesOtherBytes() {
    byte[] bytes = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    String wrong = Digest.sha256Of("other").toString();
    assertThatThrownBy(() -> registry.putManifest("x/y", wrong, bytes, MediaType.OCI_MANIFEST))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("digest mismatch");
  }

  @Test
  void smallBlobUploadExistsAndMounts() throws IOException {
    byte[] bytes = "hello blob".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Descriptor d =
        Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, Digest.sha256Of(bytes), bytes.length);
    assertThat(registry.hasBlob("blobs/a", d.digest())).isFalse();
    assertThat(registry.pushBlob("blobs/a", d, () -> new ByteArrayInputStream(bytes), List.of()))
        .isEqualTo(PushResult.UPLOADED);
    assertThat(registry.hasBlob("blobs/a", d.digest())).isTrue();
    try (var in = registry.getBlob("blobs/a", d.digest())) {
      assertThat(in.readAllBytes()).isEqualTo(bytes);
    }
    assertThat(
            registry.pushBlob(
                "blobs/a",
                d,
                () -> {
                  throw new IOException("must not be read");
                },
                List.of()))
        .isEqualTo(PushResult.EXISTED);

    assertThat(registry.hasBlob("blobs/b", d.digest())).isFalse();
    assertThat(
            registry.pushBlob(
                "blobs/b",
                d,
                () -> {
                  throw new IOException("must not be read");
                },
                List.of("blobs/a")))
        .isEqualTo(PushResult.MOUNTED);
    assertThat(registry.hasBlob("blobs/b", d.digest())).isTrue();

    // a mount source without the blob: the registry opens an upload instead
    byte[] other = "other".getBytes(StandardCharsets.UTF_8);
    Descriptor o =
        Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, Digest.sha256Of(other), other.length);
    assertThat(
            registry.pushBlob(
                "blobs/c", o, () -> new ByteArrayInputStream(other), List.of("blobs/a")))
        .isEqualTo(PushResult.UPLOADED);
  }

  @Test
  void largeBlobIsUploadedInChunks() throws IOException {
    long size = 40L << 20;
    Descriptor d = Blobs.descriptor(MediaType.OCI_LAYER_TAR_ZSTD, 42, size);
    try (FaultProxy counter = FaultProxy.start(port(server), Integer.MAX_VALUE);
        Registry viaProxy = Registries.open(counter.host(), insecure(counter.host()))) {
      assertThat(viaProxy.pushBlob("big/one", d, () -> Blobs.stream(42, size), List.of()))
          .isEqualTo(PushResult.UPLOADED);
      List<String> patches = counter.seen.stream().filter(s -> s.startsWith("PATCH")).toList();
      assertThat(patches).hasSize(3);
      assertThat(patches.get(0)).endsWith(" 0-16777215");
      assertThat(patches.get(2)).endsWith(" 33554432-41943039");
      assertThat(counter.seen.stream().filter(s -> s.startsWith("PUT"))).hasSize(1);
    }
    assertThat(Blobs.digest(registry.getBlob("big/one", d.digest()))).isEqualTo(d.digest());
  }

  @Test
  void wrongContentIsRefused() {
    byte[] bytes = "abc".getBytes(StandardCharsets.UTF_8);
    Descriptor d = Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, Digest.sha256Of("xyz"), 3);
    assertThatThrownBy(
            () -> registry.pushBlob("bad/one", d, () -> new ByteArrayInputStream(bytes), List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("DIGEST_INVALID");
              assertThat(e.retryable()).isFalse();
            });
  }

  @Test
  void registryDownIsAClearError() throws IOException {
    String host = "127.0.0.1:" + RegistryServer.freePort();
    try (Registry down = Registries.open(host, insecure(host))) {
      assertThatThrownBy(() -> down.getManifest("a/b", "latest"))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.status()).isZero();
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage())
                    .contains("cannot reach registry " + host)
                    .contains("connection refused");
              });
    }
  }

  @Test
  void pushCompletesThroughInjectedFaults() throws IOException {
    String repo = "faulty/app";
    byte[] config =
        "{\"os\":\"linux\",\"architecture\":\"amd64\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor cfg = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(config), config.length);
    Descriptor l1 = Blobs.descriptor(MediaType.OCI_LAYER_TAR_ZSTD, 1, 300_000);
    Descriptor l2 = Blobs.descriptor(MediaType.OCI_LAYER_TAR_ZSTD, 2, 5_000);
    Descriptor l3 = Blobs.descriptor(MediaType.OCI_LAYER_TAR_ZSTD, 3, 1_200_000);
    byte[] manifest = manifest(cfg, l1); // one layer is enough for the bytes; all are pushed
    // every 7th request fails: more often than that and a 6-request chunked attempt
    // (HEAD, POST, 3 x PATCH, PUT) could never finish, as against a registry that always fails
    try (FaultProxy proxy = FaultProxy.start(port(server), 7);
        Registry faulty = Registries.open(proxy.host(), insecure(proxy.host()), 512 * 1024)) {
      // request 1 is the /v2/ ping; 2-6 HEAD, POST, 3 x PATCH; 7 (the commit) fails
      faulty.pushBlob(repo, l3, () -> Blobs.stream(3, 1_200_000), List.of());
      faulty.pushBlob(repo, cfg, () -> new ByteArrayInputStream(config), List.of());
      faulty.pushBlob(repo, l1, () -> Blobs.stream(1, 300_000), List.of());
      faulty.pushBlob(repo, l2, () -> Blobs.stream(2, 5_000), List.of());
      Digest viaFaults = faulty.putManifest(repo, "v1", manifest, MediaType.OCI_MANIFEST);
      assertThat(faulty.getManifest(repo, "v1").bytes()).isEqualTo(manifest);
      assertThat(proxy.errors.get()).isPositive();
      assertThat(proxy.drops.get()).isPositive();
      // the chunked layer's upload was hit and started over with a new session
      assertThat(proxy.seen.stream().filter(x -> x.startsWith("PATCH") && x.endsWith(" 0-524287")))
          .hasSizeGreaterThan(1);

      Digest direct = registry.putManifest(repo, "direct", manifest, MediaType.OCI_MANIFEST);
      assertThat(viaFaults).isEqualTo(direct);
      assertThat(registry.getManifest(repo, "v1").digest()).isEqualTo(direct);
      for (Descriptor d : List.of(cfg, l1, l2, l3)) {
        assertThat(Blobs.digest(registry.getBlob(repo, d.digest()))).isEqualTo(d.digest());
      }
    }
  }

  static int port(RegistryServer s) {
    return Integer.parseInt(s.host().substring(s.host().lastIndexOf(':') + 1));
  }
}
