package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveWriterTest {
  @TempDir Path dir;

  private static DockerArchiveWriter.LayerSource gunzip(BlobStore store) {
    return d -> new GZIPInputStream(store.open(d.digest()));
  }

  @Test
  void writesWhatDockerLoadReads() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage img = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("hello", "hi"));
    byte[] tar = write(store, img);

    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        assertThat(e.getLastModifiedTime().toMillis()).isZero();
        assertThat(e.getLongUserId()).isZero();
        entries.put(e.getName(), in.readAllBytes());
      }
    }
    String diffHex = img.config().value().diffIds().get(0).hex();
    String configName = img.config().digest().hex() + ".json";
    assertThat(List.copyOf(entries.keySet())).isSorted();
    assertThat(entries.keySet())
        .containsExactlyInAnyOrder(
            diffHex + "/", diffHex + "/layer.tar", configName, "manifest.json", "repositories");
    assertThat(new String(entries.get("manifest.json"), StandardCharsets.UTF_8))
        .isEqualTo(
            "[{\"Config\":\""
                + configName
                + "\",\"RepoTags\":[\"app:1\",\"registry.example.com/team/app:latest\"],"
                + "\"Layers\":[\""
                + diffHex
                + "/layer.tar\"]}]");
    assertThat(entries.get(configName)).isEqualTo(img.config().bytes());
    assertThat(Digest.sha256Of(entries.get(diffHex + "/layer.tar")))
        .isEqualTo(img.config().value().diffIds().get(0));
    assertThat(new String(entries.get("repositories"), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"app\":{\"1\":\""
                + diffHex
                + "\"},\"registry.example.com/team/app\":{\"latest\":\""
                + diffHex
                + "\"}}");
    // Deterministic: the same image gives the same bytes; the first write recorded each layer's
    // size (it was not written here), the second streams with it
    assertThat(store.tarSize(img.config().value().diffIds().get(0)))
        .hasValue(entries.get(diffHex + "/layer.tar").length);
    assertThat(write(store, img)).isEqualTo(tar);
  }

  @Test
  void refusesSeveralPlatformsAndWrongLayers() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage amd = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("a", "1"));
    BuiltImage arm = TestImages.image(store, Platform.parse("linux/arm64"), Map.of("a", "2"));
    ImageIndex idx = ImageIndex.assemble(store, List.of(amd, arm), Map.of());
    assertThatThrownBy(() -> write(store, idx))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("one platform")
        .hasMessageContaining("linux/amd64, linux/arm64");
    // A decompressor that returns the wrong bytes is caught by the diff_id check.
    assertThatThrownBy(
            () ->
                DockerArchiveWriter.write(
                    store,
                    amd,
                    List.of(),
                    d -> new ByteArrayInputStream(new byte[1024]),
                    new ByteArrayOutputStream()))
        .isInstanceOf(DigestMismatchException.class);
    // so is a recorded size the layer does not have
    store.recordTarSize(amd.config().value().diffIds().get(0), 512);
    assertThatThrownBy(() -> write(store, amd))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("not the 512 bytes recorded");
  }

  private byte[] write(BlobStore store, ImageOutput img) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DockerArchiveWriter.write(
        store,
        img,
        List.of(
            ImageReference.parse("app:1"), ImageReference.parse("registry.example.com/team/app")),
        gunzip(store),
        out);
    return out.toByteArray();
  }
}
