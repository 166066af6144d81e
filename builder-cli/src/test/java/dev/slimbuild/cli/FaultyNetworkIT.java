package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.registry.FaultProxy;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds that pull a base and push through a loopback proxy that fails about 20 % of requests
 * (dropped before or after the registry answered, 500, bodies cut in the middle), against a real
 * docker-registry: every build succeeds and every pushed tag names a complete image; uploads that
 * keep failing fail the build with the blob and the registry named, and leave no tag.
 */
class FaultyNetworkIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.busybox();

  @TempDir Path dir;

  private static int registryPort() {
    return Integer.parseInt(registry.host().substring(registry.host().lastIndexOf(':') + 1));
  }

  private Path context(String name, String text) throws Exception {
    Path ctx = Files.createDirectories(dir.resolve(name));
    // --chown by name reads the base's /etc/passwd: the base's layers are downloaded
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM " + "HOST/base/busybox:1\n" + "COPY --chown=app:app data.txt /srv/\n");
    Files.writeString(ctx.resolve("data.txt"), text);
    return ctx;
  }

  private Run build(Path ctx, String host, String tag, String storeName) throws Exception {
    String dockerfile = Files.readString(ctx.resolve("Dockerfile")).replace("HOST", host);
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    // a store of its own: the base's config and layers are downloaded through the proxy each time
    return BuildFixtures.runIn(
        dir.resolve(storeName),
        Map.of(),
        "build",
        "--platform",
        "linux/amd64",
        "-t",
        host + "/" + tag,
        "--push",
        "--insecure-registry",
        host,
        "--provenance=false",
        "--sbom=false",
        "--progress",
        "quiet",
        ctx.toString());
  }

  @Test
  void fiftyOfFiftyBuildsPushThroughTwentyPercentFaults() throws Exception {
    List<String> failures = new ArrayList<>();
    List<Digest> digests = new ArrayList<>();
    try (FaultProxy proxy = FaultProxy.random(registryPort(), 20, 18)) {
      String host = proxy.host();
      for (int i = 0; i < 50; i++) {
        Path ctx = context("ctx-" + i, "build " + i + "\n");
        Run r = build(ctx, host, "app/faulty:" + i, "run-" + i);
        if (r.code() != 0) {
          failures.add(i + ": exit " + r.code() + ": " + r.err());
          digests.add(null);
        } else {
          digests.add(Digest.parse(r.out().trim()));
        }
      }
      assertThat(failures).isEmpty();
      // every kind of fault was met, and the pulls and pushes got through all of them
      assertThat(proxy.errors.get()).isPositive();
      assertThat(proxy.drops.get()).isPositive();
      assertThat(proxy.dropsAfter.get()).isPositive();
      assertThat(proxy.cuts.get()).isPositive();
    }
    // straight to the registry: each tag is the digest the build printed, and complete
    try (Registry r = registry.client()) {
      for (int i = 0; i < 50; i++) {
        RawManifest m = r.getManifest("app/faulty", Integer.toString(i));
        assertThat(m.digest()).isEqualTo(digests.get(i));
        Manifest manifest = Manifest.parse(m.bytes());
        assertThat(r.hasBlob("app/faulty", manifest.config().digest())).isTrue();
        for (Descriptor l : manifest.layers()) {
          assertThat(r.hasBlob("app/faulty", l.digest())).as("layer of tag " + i).isTrue();
        }
      }
    }
  }

  @Test
  void uploadsThatKeepFailingNameTheBlobAndTheRegistryAndLeaveNoTag() throws Exception {
    try (FaultProxy proxy =
        FaultProxy.random(registryPort(), 100, 7)
            .beforeTheRegistry()
            .onlyFor(line -> line.startsWith("PUT ") && line.contains("/blobs/uploads/"))) {
      String host = proxy.host();
      Path ctx = context("ctx-broken", "never pushed\n");
      Run r = build(ctx, host, "app/broken:1", "run-broken");
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err())
          .containsPattern("upload blob sha256:[0-9a-f]{64}")
          .contains(host + "/app/broken")
          .doesNotContain("\tat ")
          .doesNotContain("internal error");
    }
    try (Registry r = registry.client()) {
      assertThat(r.headManifest("app/broken", "1")).isEmpty();
    }
  }
}
