package dev.slimbuild.core.pull;

import static dev.slimbuild.core.pull.RegistryImages.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig.ContainerConfig;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.pull.RegistryImages.PushedImage;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageResolverTest {
  private static final String HOST = "registry.test:5000";
  private final FakeRegistry reg = new FakeRegistry(HOST);

  private PushedImage push(String repo, Platform p, Compression c, boolean docker)
      throws IOException {
    var layer =
        RegistryImages.layer(reg, repo, List.of(file("id", p.toString(), 0644, 0, 0)), c, docker);
    return RegistryImages.image(reg, repo, p, ContainerConfig.EMPTY, List.of(layer), docker);
  }

  private ResolvedImage resolve(String ref, String platform) throws IOException {
    return new ImageResolver(reg).resolve(ImageReference.parse(ref), Platform.parse(platform));
  }

  private List<PushedImage> multiArch(boolean docker, Compression c) throws IOException {
    List<PushedImage> images =
        List.of(
            push("base", Platform.parse("linux/amd64"), c, docker),
            push("base", Platform.parse("linux/arm64/v8"), c, docker),
            push("base", Platform.parse("linux/arm/v7"), c, docker));
    RegistryImages.index(reg, "base", "1", images, docker);
    return images;
  }

  @Test
  void arm64AndArm64v8AreTheSamePlatform() throws IOException {
    List<PushedImage> images = multiArch(false, Compression.ZSTD);
    assertThat(resolve(HOST + "/base:1", "linux/arm64").digest())
        .isEqualTo(images.get(1).manifest().digest());
    assertThat(resolve(HOST + "/base:1", "linux/arm64/v8").digest())
        .isEqualTo(images.get(1).manifest().digest());
    assertThat(resolve(HOST + "/base:1", "linux/amd64").digest())
        .isEqualTo(images.get(0).manifest().digest());
    assertThat(resolve(HOST + "/base:1", "linux/arm/v7").digest())
        .isEqualTo(images.get(2).manifest().digest());
  }

  @Test
  void amd64IgnoresVariantV1AndPrefersTheExactVariant() throws IOException {
    PushedImage v1 = push("base", Platform.parse("linux/amd64/v1"), Compression.GZIP, false);
    RegistryImages.index(reg, "base", "v1only", List.of(v1), false);
    assertThat(resolve(HOST + "/base:v1only", "linux/amd64").digest())
        .isEqualTo(v1.manifest().digest());

    PushedImage plain = push("base", Platform.parse("linux/arm64"), Compression.GZIP, false);
    PushedImage v8 = push("base", Platform.parse("linux/arm64/v8"), Compression.ZSTD, false);
    RegistryImages.index(reg, "base", "both", List.of(plain, v8), false);
    assertThat(resolve(HOST + "/base:both", "linux/arm64/v8").digest())
        .isEqualTo(v8.manifest().digest());
    assertThat(resolve(HOST + "/base:both", "linux/arm64").digest())
        .isEqualTo(plain.manifest().digest());
  }

  @Test
  void missingPlatformNamesReferenceRequestAndWhatTheImageHas() throws IOException {
    multiArch(false, Compression.GZIP);
    assertThatThrownBy(() -> resolve(HOST + "/base:1", "linux/s390x"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(HOST + "/base:1")
        .hasMessageContaining("linux/s390x")
        .hasMessageContaining("linux/amd64, linux/arm64/v8, linux/arm/v7");
  }

  @Test
  void singleManifestOfAnotherPlatformIsRefused() throws IOException {
    PushedImage img = push("single", Platform.parse("linux/amd64"), Compression.GZIP, false);
    RegistryImages.tag(reg, "single", "1", img);
    assertThat(resolve(HOST + "/single:1", "linux/amd64").digest())
        .isEqualTo(img.manifest().digest());
    assertThatThrownBy(() -> resolve(HOST + "/single:1", "linux/arm64"))
        .hasMessageContaining("linux/arm64")
        .hasMessageContaining("the image is linux/amd64 only");
  }

  @Test
  void dockerManifestListWithDockerManifestsAndGzipLayers() throws IOException {
    List<PushedImage> images = multiArch(true, Compression.GZIP);
    ResolvedImage r = resolve(HOST + "/base:1", "linux/arm64");
    assertThat(r.manifestMediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
    assertThat(r.digest()).isEqualTo(images.get(1).manifest().digest());
    assertThat(r.manifest().digest()).isEqualTo(Digest.sha256Of(r.manifest().bytes()));
    assertThat(r.layers())
        .extracting(Descriptor::mediaType)
        .containsExactly(MediaType.DOCKER_LAYER_TAR_GZIP);
    assertThat(r.diffIds()).containsExactly(images.get(1).layers().get(0).diffId());
    assertThat(r.source()).isEqualTo(HOST + "/base");
    assertThat(r.platform().toString()).isEqualTo("linux/arm64/v8");
  }

  @Test
  void ociIndexWithZstdLayers() throws IOException {
    multiArch(false, Compression.ZSTD);
    ResolvedImage r = resolve(HOST + "/base:1", "linux/amd64");
    assertThat(r.manifestMediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(r.layers().get(0).mediaType()).isEqualTo(MediaType.OCI_LAYER_TAR_ZSTD);
    assertThat(r.config().digest()).isEqualTo(r.manifest().value().config().digest());
  }

  @Test
  void digestReferencesAreVerified() throws IOException {
    List<PushedImage> images = multiArch(false, Compression.GZIP);
    Descriptor idx = reg.headManifest("base", "1").orElseThrow();
    ResolvedImage r = resolve(HOST + "/base@" + idx.digest(), "linux/arm/v7");
    assertThat(r.digest()).isEqualTo(images.get(2).manifest().digest());
    ResolvedImage direct =
        resolve(HOST + "/base@" + images.get(0).manifest().digest(), "linux/amd64");
    assertThat(direct.digest()).isEqualTo(images.get(0).manifest().digest());
  }

  @Test
  void documentsThatDoNotMatchTheirDescriptorAreRefused() throws IOException {
    PushedImage img = push("base", Platform.parse("linux/amd64"), Compression.GZIP, false);
    // an index entry that claims another size for the manifest
    Descriptor lying =
        new Descriptor(
            img.manifest().mediaType(),
            img.manifest().digest(),
            img.manifest().size() + 1,
            List.of(),
            Map.of(),
            null,
            img.manifest().platform(),
            null);
    RegistryImages.index(
        reg, "base", "bad", List.of(new PushedImage(lying, img.config(), img.layers())), false);
    assertThatThrownBy(() -> resolve(HOST + "/base:bad", "linux/amd64"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("its descriptor says " + (img.manifest().size() + 1));
  }

  @Test
  void aCachingResolverReadsAnUnchangedBaseWithOneHeadAndFollowsAMovedTag(@TempDir Path dir)
      throws Exception {
    List<PushedImage> images = multiArch(false, Compression.ZSTD);
    List<String> calls = new ArrayList<>();
    Registry counting =
        (Registry)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Registry.class},
                (proxy, m, args) -> {
                  calls.add(m.getName());
                  try {
                    return m.invoke(reg, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    BlobStore cache = new BlobStore(dir.resolve("cache"));
    ImageReference ref = ImageReference.parse(HOST + "/base:1");
    Platform amd64 = Platform.parse("linux/amd64");
    ResolvedImage first = ImageResolver.caching(counting, cache).resolve(ref, amd64);
    assertThat(first.digest()).isEqualTo(images.get(0).manifest().digest());
    assertThat(calls).contains("getManifest", "getBlob");

    calls.clear();
    ResolvedImage again = ImageResolver.caching(counting, cache).resolve(ref, amd64);
    assertThat(calls).containsExactly("headManifest");
    assertThat(again.digest()).isEqualTo(first.digest());
    assertThat(again.config().bytes()).isEqualTo(first.config().bytes());

    // the tag moves: the new image, not the cached one
    PushedImage moved = push("base", Platform.parse("linux/amd64"), Compression.GZIP, false);
    RegistryImages.index(reg, "base", "1", List.of(moved), false);
    assertThat(ImageResolver.caching(counting, cache).resolve(ref, amd64).digest())
        .isEqualTo(moved.manifest().digest());

    // a damaged cached document is read again from the registry
    Files.writeString(cache.path(moved.config().digest()), "{}");
    assertThat(ImageResolver.caching(counting, cache).resolve(ref, amd64).digest())
        .isEqualTo(moved.manifest().digest());
  }

  @Test
  void unknownImageIsAClearError() {
    assertThatThrownBy(() -> resolve(HOST + "/nothing:1", "linux/amd64"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(HOST + "/nothing:1: image not found");
  }
}
