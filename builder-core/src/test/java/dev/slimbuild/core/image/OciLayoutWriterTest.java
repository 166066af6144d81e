package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciSchemas;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutWriterTest {
  @TempDir Path dir;

  @Test
  void writesASingleImageLayoutWithBuildxStyleNames() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage img = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("hello", "hi"));
    Path out = dir.resolve("out");
    OciLayoutWriter.write(
        store,
        img,
        List.of(ImageReference.parse("registry.example.com/app:1"), ImageReference.parse("app")),
        out);

    assertThat(out.resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
    byte[] indexBytes = Files.readAllBytes(out.resolve("index.json"));
    OciSchemas.validate("index", indexBytes);
    OciSchemas.validate("layoutheader", Files.readAllBytes(out.resolve("oci-layout")));
    Index index = Index.parse(indexBytes);
    assertThat(index.manifests()).hasSize(2);
    Descriptor first = index.manifests().get(0);
    assertThat(first.digest()).isEqualTo(img.manifest().digest());
    assertThat(first.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(first.annotations())
        .containsExactly(
            Map.entry(OciLayoutWriter.IMAGE_NAME, "registry.example.com/app:1"),
            Map.entry(OciLayoutWriter.REF_NAME, "1"));
    assertThat(index.manifests().get(1).annotations())
        .containsEntry(OciLayoutWriter.IMAGE_NAME, "docker.io/library/app:latest")
        .containsEntry(OciLayoutWriter.REF_NAME, "latest");

    BlobStore written = new BlobStore(out);
    for (Descriptor d : img.blobs()) {
      assertThat(written.verify(d)).isNull();
    }
    OciSchemas.validate("manifest", img.manifest().bytes());
    OciSchemas.validate("config", img.config().bytes());
    new ImageValidator(written).validate(first);
    // Same filesystem: blobs are hard links to the store's files.
    Object storeInode = Files.getAttribute(store.path(img.manifest().digest()), "unix:ino");
    Object outInode = Files.getAttribute(written.path(img.manifest().digest()), "unix:ino");
    assertThat(outInode).isEqualTo(storeInode);
    assertThat(siblingsOf(out)).containsExactly("out", "store");
  }

  @Test
  void writesAMultiPlatformIndex() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage amd = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("a", "amd"));
    BuiltImage arm = TestImages.image(store, Platform.parse("linux/arm64/v8"), Map.of("a", "arm"));
    ImageIndex idx = ImageIndex.assemble(store, List.of(amd, arm), Map.of());
    OciSchemas.validate("index", idx.topBytes());
    Path out = dir.resolve("multi");
    OciLayoutWriter.write(store, idx, List.of(ImageReference.parse("app:2")), out);
    Index top = Index.parse(Files.readAllBytes(out.resolve("index.json")));
    assertThat(top.manifests())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.mediaType()).isEqualTo(MediaType.OCI_INDEX);
              assertThat(d.digest()).isEqualTo(idx.index().digest());
            });
    assertThat(idx.index().value().manifests())
        .extracting(d -> d.platform().toString())
        .containsExactly("linux/amd64", "linux/arm64/v8");
    new ImageValidator(new BlobStore(out)).validate(top.manifests().get(0));
  }

  @Test
  void replacesAnEarlierLayoutOnlyAtTheEnd() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage one = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("f", "1"));
    BuiltImage two = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("f", "2"));
    Path out = dir.resolve("out");
    OciLayoutWriter.write(store, one, List.of(), out);
    byte[] before = Files.readAllBytes(out.resolve("index.json"));

    // A failing write (a blob is missing) leaves the old layout untouched and no debris.
    Files.delete(store.path(two.layers().get(0).digest()));
    assertThatThrownBy(() -> OciLayoutWriter.write(store, two, List.of(), out))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(out.resolve("index.json")).hasBinaryContent(before);
    assertThat(siblingsOf(out)).containsExactly("out", "store");

    BuiltImage three = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("f", "3"));
    OciLayoutWriter.write(store, three, List.of(), out);
    assertThat(Index.parse(Files.readAllBytes(out.resolve("index.json"))).manifests())
        .singleElement()
        .satisfies(d -> assertThat(d.digest()).isEqualTo(three.manifest().digest()));
    assertThat(new BlobStore(out).has(one.manifest().digest())).isFalse();
    assertThat(siblingsOf(out)).containsExactly("out", "store");
  }

  @Test
  void refusesToReplaceSomethingElse() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage img = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("f", "1"));
    Path out = Files.createDirectories(dir.resolve("home"));
    Files.writeString(out.resolve("precious.txt"), "keep");
    assertThatThrownBy(() -> OciLayoutWriter.write(store, img, List.of(), out))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("not an OCI layout");
    assertThat(out.resolve("precious.txt")).hasContent("keep");
  }

  private List<String> siblingsOf(Path p) throws IOException {
    try (var s = Files.list(p.getParent())) {
      return s.map(x -> x.getFileName().toString()).sorted().toList();
    }
  }
}
