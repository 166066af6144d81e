package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageValidator;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerReader;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageConfig.ContainerConfig;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.pull.RegistryImages;
import dev.slimbuild.core.pull.RegistryImages.PushedImage;
import dev.slimbuild.core.pull.RegistryImages.PushedLayer;
import dev.slimbuild.core.registry.FakeRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds FROM images in a {@link FakeRegistry}: config, layers, lazy pulls, platforms. */
class BaseImageBuildTest {
  private static final String HOST = "registry.test:5000";
  private static final String BASE = HOST + "/base:1";
  private static final Platform AMD64 = Platform.parse("linux/amd64");
  private static final Platform ARM64 = Platform.parse("linux/arm64");

  @TempDir Path dir;
  private final FakeRegistry reg = new FakeRegistry(HOST);
  private final Map<Platform, PushedImage> base = new LinkedHashMap<>();
  private BlobStore store;

  @BeforeEach
  void pushBase() throws IOException {
    store = new BlobStore(dir.resolve("store"));
    Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(dir.resolve("ctx/f.txt"), "context file\n");
    ContainerConfig cc =
        ContainerConfig.builder()
            .user("app")
            .exposedPorts(List.of("8080/tcp"))
            .env(List.of("PATH=/custom/bin", "LANG=C"))
            .cmd(List.of("sh"))
            .workingDir("/srv")
            .labels(Map.of("base", "yes"))
            .build();
    for (Platform p : List.of(AMD64, Platform.parse("linux/arm64/v8"))) {
      String marker = p.architecture();
      PushedLayer root =
          RegistryImages.layer(reg, "base", RegistryImages.rootfs(marker), Compression.GZIP, true);
      PushedLayer extra =
          RegistryImages.layer(
              reg,
              "base",
              List.of(
                  LayerEntry.dir("srv", 0750, 1000, 1000),
                  RegistryImages.file("srv/data", marker, 0644, 1000, 1000)),
              Compression.ZSTD,
              false);
      base.put(
          p.normalize(), RegistryImages.image(reg, "base", p, cc, List.of(root, extra), false));
    }
    RegistryImages.index(reg, "base", "1", List.copyOf(base.values()), false);
  }

  private BuildResult build(String dockerfile, Platform... platforms) throws IOException {
    Files.writeString(dir.resolve("ctx/Dockerfile"), dockerfile);
    BuildRequest req = BuildRequest.of(dir.resolve("ctx"), List.of(platforms));
    return builder().build(req);
  }

  private Builder builder() {
    return new Builder(
        store,
        e -> {},
        host -> {
          assertThat(host).isEqualTo(HOST);
          return reg;
        });
  }

  private static BuiltImage single(BuildResult r) {
    return (BuiltImage) r.image();
  }

  private List<LayerEntry> entries(Descriptor layer) throws IOException {
    List<LayerEntry> out = new ArrayList<>();
    try (LayerReader r = new LayerReader(store.open(layer.digest()))) {
      for (LayerEntry e; (e = r.next()) != null; ) {
        out.add(e.withoutContent());
      }
    }
    return out;
  }

  private String fileText(Descriptor layer, String path) throws IOException {
    try (LayerReader r = new LayerReader(store.open(layer.digest()))) {
      for (LayerEntry e; (e = r.next()) != null; ) {
        if (e.path().equals(path)) {
          try (InputStream in = e.content().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
        }
      }
    }
    throw new AssertionError(path + " not in layer");
  }

  @Test
  void configOnlyStageInheritsTheBaseAndDownloadsNoLayer() throws IOException {
    BuildResult r = build("FROM " + BASE + "\nENV A=b\nLABEL mine=1\nCMD [\"run\"]\n", AMD64);
    PushedImage b = base.get(AMD64);
    assertThat(reg.blobGets.get()).as("only the config blob").isEqualTo(1);
    for (PushedLayer l : b.layers()) {
      assertThat(store.has(l.descriptor().digest())).isFalse();
    }
    BuiltImage img = single(r);
    // the base's blobs as they are; the Docker gzip type is named by its OCI twin
    assertThat(img.layers())
        .extracting(Descriptor::digest, Descriptor::size)
        .containsExactlyElementsOf(
            b.layers().stream()
                .map(l -> Tuple.tuple(l.descriptor().digest(), l.descriptor().size()))
                .toList());
    assertThat(b.layers().get(0).descriptor().mediaType())
        .isEqualTo(MediaType.DOCKER_LAYER_TAR_GZIP);
    assertThat(img.layers())
        .extracting(Descriptor::mediaType)
        .containsExactly(MediaType.OCI_LAYER_TAR_GZIP, MediaType.OCI_LAYER_TAR_ZSTD);
    ImageConfig c = img.config().value();
    assertThat(c.diffIds())
        .containsExactlyElementsOf(b.layers().stream().map(PushedLayer::diffId).toList());
    assertThat(c.config().env()).containsExactly("PATH=/custom/bin", "LANG=C", "A=b");
    assertThat(c.config().workingDir()).isEqualTo("/srv");
    assertThat(c.config().user()).isEqualTo("app");
    assertThat(c.config().cmd()).containsExactly("run");
    assertThat(c.config().exposedPorts()).containsExactly("8080/tcp");
    assertThat(c.config().labels()).containsEntry("base", "yes").containsEntry("mine", "1");
    assertThat(c.history()).hasSize(3 + 3);
    assertThat(c.history().get(0).createdBy()).isEqualTo("base layer 0");

    assertThat(r.baseLayers()).hasSize(2);
    Layer ref = r.baseLayers().get(b.layers().get(0).descriptor().digest());
    assertThat(ref.sourceRepository()).contains(HOST + "/base");
    assertThat(ref.diffId()).isEqualTo(b.layers().get(0).diffId());

    builder().fetchBaseLayers(r);
    assertThat(reg.blobGets.get()).isEqualTo(3);
    new ImageValidator(store).validate(img.descriptor());
  }

  @Test
  void copyOntoTheBaseKeepsItsDirectoriesAndChownUsesItsPasswd() throws IOException {
    BuildResult r = build("FROM " + BASE + "\nCOPY --chown=app:staff f.txt /tmp/\n", AMD64);
    BuiltImage img = single(r);
    assertThat(img.layers()).hasSize(3);
    List<LayerEntry> added = entries(img.layers().get(2));
    assertThat(added)
        .anySatisfy(
            e -> {
              assertThat(e.path()).isEqualTo("tmp");
              assertThat(e.mode()).isEqualTo(01777);
            });
    assertThat(added)
        .anySatisfy(
            e -> {
              assertThat(e.path()).isEqualTo("tmp/f.txt");
              assertThat(e.uid()).isEqualTo(1000);
              assertThat(e.gid()).isEqualTo(50);
            });
    assertThat(img.config().value().diffIds()).hasSize(3);
    new ImageValidator(store).validate(img.descriptor()); // base layers were pulled for the tree
  }

  @Test
  void aSecondBuildReusesCachedAndUnpackedLayers() throws IOException {
    build("FROM " + BASE + "\nCOPY f.txt /tmp/\n", AMD64);
    int first = reg.blobGets.get();
    assertThat(first).as("config and two layers").isEqualTo(3);
    Files.writeString(dir.resolve("ctx/f.txt"), "changed\n");
    BuildResult again = build("FROM " + BASE + "\nCOPY f.txt /tmp/\n", AMD64);
    // the config is kept by digest beside the layers: nothing is fetched again
    assertThat(reg.blobGets.get() - first).as("no blob fetched again").isZero();
    assertThat(fileText(single(again).layers().get(2), "tmp/f.txt")).isEqualTo("changed\n");
  }

  @Test
  void workdirOntoTheBaseSeesItsDirectories() throws IOException {
    BuildResult r = build("FROM " + BASE + "\nWORKDIR /srv\nWORKDIR /tmp/work\n", AMD64);
    BuiltImage img = single(r);
    assertThat(img.layers()).hasSize(3); // /srv exists in the base: no layer for it
    assertThat(entries(img.layers().get(2)))
        .extracting(LayerEntry::path, LayerEntry::mode)
        .containsExactly(Tuple.tuple("tmp", 01777), Tuple.tuple("tmp/work", 0755));
    // the new directory belongs to the base's USER app
    assertThat(entries(img.layers().get(2)).get(1).uid()).isEqualTo(1000);
  }

  @Test
  void copyFromAnImageUsesTheSamePlatform() throws IOException {
    BuildResult r =
        build(
            "FROM scratch\nCOPY --from=" + BASE + " /etc/os-release /usr/bin/sh /out/\n",
            AMD64,
            ARM64);
    var images = r.image().images();
    assertThat(images).hasSize(2);
    assertThat(fileText(images.get(0).layers().get(0), "out/os-release")).isEqualTo("ID=amd64\n");
    assertThat(fileText(images.get(1).layers().get(0), "out/os-release")).isEqualTo("ID=arm64\n");
    // a source that is a symlink is followed, through the base image's tree
    assertThat(fileText(images.get(1).layers().get(0), "out/sh")).isEqualTo("#!fake shell arm64\n");
    assertThat(r.baseLayers()).isEmpty();
  }

  @Test
  void eachPlatformStartsFromItsOwnBase() throws IOException {
    BuildResult r = build("FROM " + BASE + "\nLABEL x=1\n", AMD64, ARM64);
    var images = r.image().images();
    assertThat(images.get(0).layers().get(0).digest())
        .isEqualTo(base.get(AMD64).layers().get(0).descriptor().digest());
    assertThat(images.get(1).layers().get(0).digest())
        .isEqualTo(base.get(ARM64).layers().get(0).descriptor().digest());
    assertThat(images.get(1).config().value().platform().toString()).isEqualTo("linux/arm64");
    assertThat(r.baseLayers()).hasSize(4);
  }

  @Test
  void recompressedBaseLayersAreNotListedAsBaseLayersOfTheImage() throws IOException {
    Files.writeString(dir.resolve("ctx/Dockerfile"), "FROM " + BASE + "\nLABEL x=1\n");
    BuildRequest of = BuildRequest.of(dir.resolve("ctx"), List.of(AMD64));
    BuildRequest req =
        new BuildRequest(
            of.context(),
            of.dockerfile(),
            of.dockerfileName(),
            of.buildArgs(),
            of.target(),
            of.platforms(),
            of.labels(),
            of.compression(),
            of.compressionLevel(),
            of.sourceDateEpoch(),
            true,
            of.run());
    BuildResult r = builder().build(req);
    List<Descriptor> layers = single(r).layers();
    assertThat(layers).hasSize(2);
    // the gzip base layer is re-encoded by this build; the zstd one is already what is asked for
    assertThat(layers).extracting(Descriptor::mediaType).containsOnly(MediaType.OCI_LAYER_TAR_ZSTD);
    Digest gzipLayer = base.get(AMD64).layers().get(0).descriptor().digest();
    Digest zstdLayer = base.get(AMD64).layers().get(1).descriptor().digest();
    assertThat(layers.get(0).digest()).isNotEqualTo(gzipLayer);
    assertThat(layers.get(1).digest()).isEqualTo(zstdLayer);
    // only the layer the image still holds is a base layer (to fetch or mount from the base)
    assertThat(r.baseLayers().keySet()).containsExactly(zstdLayer);
    // the re-encoded layer's tar size is recorded (a docker output streams it without a pass to
    // count it)
    assertThat(store.tarSize(single(r).config().value().diffIds().get(0)))
        .hasValue(TestImages.tarSize(store, layers.get(0)));
  }

  @Test
  void fromPlatformPicksThatPlatformsBase() throws IOException {
    BuildResult r =
        build(
            "FROM --platform=linux/arm64 "
                + BASE
                + " AS b\n"
                + "FROM scratch\nCOPY --from=b /srv/data /data\n",
            AMD64);
    assertThat(fileText(single(r).layers().get(0), "data")).isEqualTo("arm64");
  }

  @Test
  void stageFromAStageFromAnImageKeepsTheBaseLayers() throws IOException {
    BuildResult r =
        build(
            "FROM "
                + BASE
                + " AS one\nCOPY f.txt /f\nFROM one\nCOPY --from=one /etc/passwd"
                + " /p\n",
            AMD64);
    BuiltImage img = single(r);
    assertThat(img.layers()).hasSize(4);
    assertThat(img.layers().get(0).digest())
        .isEqualTo(base.get(AMD64).layers().get(0).descriptor().digest());
    assertThat(fileText(img.layers().get(3), "p")).contains("app:x:1000");
  }

  @Test
  void missingPlatformIsADockerfileError() {
    assertThatThrownBy(() -> build("FROM " + BASE + "\n", Platform.parse("linux/riscv64")))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("Dockerfile:1")
        .hasMessageContaining("linux/riscv64")
        .hasMessageContaining("linux/amd64, linux/arm64/v8");
  }

  @Test
  void withoutRegistryAccessImagesAreRefused() throws IOException {
    Files.writeString(dir.resolve("ctx/Dockerfile"), "FROM " + BASE + "\n");
    BuildRequest req = BuildRequest.of(dir.resolve("ctx"), List.of(AMD64));
    assertThatThrownBy(() -> new Builder(store, e -> {}).build(req))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("no registry access");
  }
}
