package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageValidatorTest {
  @TempDir Path dir;

  @Test
  void acceptsAGoodImageAndReportsACorruptLayer() throws IOException {
    BlobStore store = new BlobStore(dir);
    BuiltImage img = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("f", "1"));
    ImageValidator v = new ImageValidator(store);
    assertThat(v.problems(img.descriptor())).isEmpty();

    Files.write(store.path(img.layers().get(0).digest()), new byte[] {1, 2});
    assertThatThrownBy(() -> v.validate(img.descriptor()))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("layers[0]")
        .hasMessageContaining("has content with digest");
  }

  @Test
  void reportsDiffIdCountMediaTypesAndMissingBlobs() throws IOException {
    BlobStore store = new BlobStore(dir);
    TestImages.Layer l = TestImages.gzipLayer(store, Map.of("f", "1"));
    ImageConfig config =
        ImageConfig.of(Platform.parse("linux/amd64"), null, List.of(l.diffId(), l.diffId()));
    Descriptor cd = store.putBytes(config.toBytes(), MediaType.OCI_CONFIG);
    Descriptor dockerLayer = l.descriptor().withMediaType(MediaType.DOCKER_LAYER_TAR_GZIP);
    Descriptor missing = Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, Digest.sha256Of("x"), 1);
    Manifest m = Manifest.oci(cd, List.of(dockerLayer, missing));
    Descriptor md = store.putBytes(m.toBytes(), MediaType.OCI_MANIFEST);
    List<String> problems = new ImageValidator(store).problems(md);
    assertThat(problems)
        .anySatisfy(
            p -> assertThat(p).contains("layers[0] media type " + MediaType.DOCKER_LAYER_TAR_GZIP))
        .anySatisfy(p -> assertThat(p).contains("layers[1]").contains("missing"))
        .hasSize(2);
  }

  @Test
  void reportsDuplicatePlatformsAndWrongManifestDescriptor() throws IOException {
    BlobStore store = new BlobStore(dir);
    BuiltImage a = TestImages.image(store, Platform.parse("linux/arm64"), Map.of("f", "1"));
    BuiltImage b = TestImages.image(store, Platform.parse("linux/arm64/v8"), Map.of("f", "2"));
    Index idx = Index.oci(List.of(a.descriptor(), b.descriptor()));
    Descriptor id = store.putBytes(idx.toBytes(), MediaType.OCI_INDEX);
    assertThat(new ImageValidator(store).problems(id))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("platform linux/arm64/v8 appears more than once"));

    Descriptor wrongSize =
        Descriptor.of(MediaType.OCI_MANIFEST, a.manifest().digest(), a.manifest().size() + 1);
    assertThat(new ImageValidator(store).problems(wrongSize))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("descriptor says " + (a.manifest().size() + 1)));
  }

  @Test
  void reportsConfigLayerCountMismatch() throws IOException {
    BlobStore store = new BlobStore(dir);
    TestImages.Layer l = TestImages.gzipLayer(store, Map.of("f", "1"));
    ImageConfig config = ImageConfig.of(Platform.parse("linux/amd64"), null, List.of());
    Descriptor cd = store.putBytes(config.toBytes(), MediaType.OCI_CONFIG);
    Manifest m = Manifest.oci(cd, List.of(l.descriptor()));
    Descriptor md = store.putBytes(m.toBytes(), MediaType.OCI_MANIFEST);
    assertThat(new ImageValidator(store).problems(md))
        .containsExactly(md.digest() + ": config has 0 diff_ids but the manifest has 1 layers");
  }
}
