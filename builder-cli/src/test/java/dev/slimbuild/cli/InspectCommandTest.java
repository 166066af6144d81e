package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.image.OciLayoutWriter;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.push.Pusher;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir Path dir;

  private Run run(String... args) {
    return BuildFixtures.run(Map.of("SLIMBUILD_STORE", dir.resolve("store").toString()), args);
  }

  private ImageIndex twoPlatforms(BlobStore blobs) throws Exception {
    BuiltImage amd = TestImages.image(blobs, Platform.parse("linux/amd64"), Map.of("f", "amd"));
    BuiltImage arm = TestImages.image(blobs, Platform.parse("linux/arm64"), Map.of("f", "arm"));
    return ImageIndex.assemble(blobs, List.of(amd, arm), Map.of());
  }

  @Test
  void tableOfAnIndexInALayout() throws Exception {
    BlobStore blobs = new BlobStore(dir.resolve("blobs"));
    ImageIndex idx = twoPlatforms(blobs);
    Path layout = dir.resolve("layout");
    OciLayoutWriter.write(blobs, idx, List.of(ImageReference.parse("app:1")), layout);

    Run r = run("inspect", "oci:" + layout + ":1");

    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines)
        .contains(
            "Name:       oci:" + layout + ":1",
            "MediaType:  application/vnd.oci.image.index.v1+json",
            "Digest:     " + idx.index().digest(),
            "Platforms:  linux/amd64, linux/arm64",
            "Total size: 2.16kB (2159 bytes)");
    for (BuiltImage i : idx.images()) {
      Descriptor layer = i.layers().get(0);
      int at = lines.indexOf(i.platform().toString());
      assertThat(at).isPositive();
      assertThat(lines.get(at + 1))
          .isEqualTo(
              "  Manifest: "
                  + i.manifest().digest()
                  + "  application/vnd.oci.image.manifest.v1+json  "
                  + i.manifest().size());
      assertThat(lines.get(at + 2)).startsWith("  Config:   " + i.config().digest() + "  ");
      assertThat(lines.get(at + 4))
          .isEqualTo("    " + layer.digest() + "  " + layer.mediaType() + "  " + layer.size());
    }
  }

  @Test
  void jsonOfTheLocalStoreAndOfALayoutWithoutRef() throws Exception {
    LocalStore store = new LocalStore(dir.resolve("store"));
    ImageIndex idx = twoPlatforms(store.blobs());
    store.put(ImageReference.parse("registry.example.com/multi:2"), idx.descriptor());

    Run r = run("inspect", "--format", "json", "registry.example.com/multi:2");
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = (JsonObject) Json.parse(r.out().trim());
    assertThat(o.get("totalSize").orElseThrow().toJson()).isEqualTo(Long.toString(idx.totalSize()));
    assertThat(o.get("descriptor").orElseThrow().toJson())
        .isEqualTo(idx.descriptor().toJson().toJson());
    JsonArray ps = (JsonArray) o.get("platforms").orElseThrow();
    assertThat(ps.size()).isEqualTo(2);
    JsonObject arm = (JsonObject) ps.get(1);
    assertThat(arm.get("platform").orElseThrow().toJson()).isEqualTo("\"linux/arm64\"");
    assertThat(arm.get("layers").orElseThrow().toJson())
        .isEqualTo("[" + idx.images().get(1).layers().get(0).toJson().toJson() + "]");

    // single image, single entry: no REF needed
    BuiltImage one = idx.images().get(0);
    Path layout = dir.resolve("one");
    OciLayoutWriter.write(store.blobs(), one, List.of(), layout);
    Run single = run("inspect", "--format", "json", "oci:" + layout);
    assertThat(single.code()).as(single.err()).isZero();
    JsonObject s = (JsonObject) Json.parse(single.out().trim());
    assertThat(((JsonArray) s.get("platforms").orElseThrow()).size()).isEqualTo(1);
    assertThat(s.get("totalSize").orElseThrow().toJson()).isEqualTo(Long.toString(one.totalSize()));
  }

  @Test
  void errorsNameWhatIsMissing() throws Exception {
    BlobStore blobs = new BlobStore(dir.resolve("blobs"));
    ImageIndex idx = twoPlatforms(blobs);
    Path layout = dir.resolve("layout");
    OciLayoutWriter.write(
        blobs, idx, List.of(ImageReference.parse("app:1"), ImageReference.parse("app:2")), layout);

    Run noRef = run("inspect", "oci:" + layout);
    assertThat(noRef.code()).isEqualTo(1);
    assertThat(noRef.err()).contains("holds 2 images").contains("1, 2");

    Run badRef = run("inspect", "oci:" + layout + ":3");
    assertThat(badRef.code()).isEqualTo(1);
    assertThat(badRef.err()).contains("no image \"3\"");

    Run notLayout = run("inspect", "oci:" + dir.resolve("nothing"));
    assertThat(notLayout.err()).contains("is not an OCI layout");

    // not in the store, so the registry is asked: nothing listens on this loopback port
    Run unknown = run("inspect", "--insecure-registry", "127.0.0.1:9", "127.0.0.1:9/nope:1");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).contains("cannot reach registry 127.0.0.1:9").doesNotContain("\tat ");

    // a corrupted manifest is reported, not shown
    Path manifest = new BlobStore(layout).path(idx.images().get(0).manifest().digest());
    Files.delete(manifest);
    Files.write(manifest, new byte[(int) idx.images().get(0).manifest().size()]);
    Run corrupt = run("inspect", "oci:" + layout + ":1");
    assertThat(corrupt.code()).isEqualTo(1);
    assertThat(corrupt.err()).contains(idx.images().get(0).manifest().digest().toString());
  }

  @Test
  void registrySourceReadsThroughTheRegistryInterface() throws Exception {
    BlobStore blobs = new BlobStore(dir.resolve("blobs"));
    ImageIndex idx = twoPlatforms(blobs);
    FakeRegistry registry = new FakeRegistry("registry.test:5000");
    new Pusher(registry, blobs).push(idx, "team/app", List.of("1"), Map.of());
    LocalStore empty = new LocalStore(dir.resolve("empty"));

    ImageInspection viaRegistry;
    try (ImageSource s =
        ImageSources.resolve(
            "registry.test:5000/team/app:1",
            empty,
            host -> {
              assertThat(host).isEqualTo("registry.test:5000");
              return registry;
            })) {
      viaRegistry = ImageInspection.of(s);
    }
    ImageInspection viaBlobs =
        ImageInspection.of(new ImageSources.BlobSource("x", blobs, idx.descriptor()));
    assertThat(viaRegistry.top()).isEqualTo(idx.descriptor());
    assertThat(viaRegistry.platforms()).isEqualTo(viaBlobs.platforms());
    assertThat(viaRegistry.totalSize()).isEqualTo(idx.totalSize());
  }
}
