package dev.slimbuild.core.pull;

import static dev.slimbuild.core.pull.RegistryImages.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.pull.RegistryImages.PushedLayer;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCacheTest {
  private final FakeRegistry reg = new FakeRegistry("registry.test");
  @TempDir Path dir;

  private List<LayerEntry> sample() {
    return List.of(
        LayerEntry.dir("etc", 0755, 0, 0),
        file("etc/hello", "hello\n", 0640, 7, 8),
        LayerEntry.hardlink("etc/hello-again", "etc/hello", 0640, 7, 8),
        LayerEntry.symlink("etc/link", "hello", 0, 0),
        LayerEntry.dir("tmp", 01777, 0, 0),
        LayerEntry.dir("var", 0755, 0, 0),
        LayerEntry.whiteout("var/old"),
        new LayerEntry("x", EntryType.FILE, 0600, 0, 0, 0, null, null, Map.of("user.k", "v")));
  }

  @Test
  void downloadsOnceAndUnpacksEveryCompression() throws IOException {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BlobCache cache = BlobCache.in(store);
    for (Compression c : Compression.values()) {
      PushedLayer l = RegistryImages.layer(reg, "base", sample(), c, false);
      int before = reg.blobGets.get();
      List<LayerEntry> entries = cache.layer(reg, "base", l.descriptor(), l.diffId());
      List<LayerEntry> again = cache.layer(reg, "base", l.descriptor(), l.diffId());
      cache.fetch(reg, "base", l.descriptor());
      assertThat(reg.blobGets.get() - before).as(c.name()).isEqualTo(1);
      assertThat(again).hasSameSizeAs(entries);
      assertThat(entries)
          .extracting(LayerEntry::withoutContent)
          .containsExactlyElementsOf(sample().stream().map(LayerEntry::withoutContent).toList());
      LayerEntry hello = entries.get(1);
      assertThat(hello.content()).isInstanceOf(ContentSource.PathSource.class);
      Path p = ((ContentSource.PathSource) hello.content()).path();
      assertThat(p).startsWith(dir.resolve("store/unpacked/sha256/" + l.diffId().hex()));
      assertThat(Files.readString(p)).isEqualTo("hello\n");
      // the tar's size is recorded as it unpacks, for outputs that need it first
      assertThat(store.tarSize(l.diffId()))
          .as(c.name())
          .hasValue(TestImages.tarSize(store, l.descriptor()));
    }
  }

  @Test
  void unpacksIntoOneLayerImageWhenImagesMountAndIntoFilesWhenTheLayerCannotBeOne()
      throws IOException {
    BlobCache cache = BlobCache.in(new BlobStore(dir.resolve("store")), () -> true);
    PushedLayer l = RegistryImages.layer(reg, "base", sample(), Compression.ZSTD, false);
    List<LayerEntry> entries = cache.layer(reg, "base", l.descriptor(), l.diffId());
    assertThat(entries)
        .extracting(LayerEntry::withoutContent)
        .containsExactlyElementsOf(sample().stream().map(LayerEntry::withoutContent).toList());
    Path unpacked = dir.resolve("store/unpacked/sha256/" + l.diffId().hex());
    try (Stream<Path> s = Files.list(unpacked)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("entries.json", "layer.erofs");
    }
    LayerEntry hello = entries.get(1);
    assertThat(hello.content()).isInstanceOf(ContentSource.RangeSource.class);
    try (InputStream in = hello.content().open()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    }
    assertThat(cache.image(l.diffId()))
        .get()
        .satisfies(i -> assertThat(i.file()).isEqualTo(unpacked.resolve("layer.erofs")))
        .satisfies(i -> assertThat(i.stackable()).isTrue());

    // overlayfs's own attributes cannot be part of an image (they would steer the overlay):
    // files it is
    PushedLayer linked =
        RegistryImages.layer(
            reg,
            "base",
            List.of(
                LayerEntry.dir("etc", 0755, 0, 0),
                new LayerEntry(
                    "etc/x",
                    EntryType.FILE,
                    0600,
                    0,
                    0,
                    0,
                    null,
                    null,
                    Map.of("trusted.overlay.opaque", "y"))),
            Compression.GZIP,
            false);
    assertThat(cache.layer(reg, "base", linked.descriptor(), linked.diffId())).hasSize(2);
    assertThat(cache.image(linked.diffId())).isEmpty();
    assertThat(dir.resolve("store/unpacked/sha256/" + linked.diffId().hex() + "/files"))
        .isDirectory();
  }

  @Test
  void corruptBlobIsRefusedAndNothingIsCached() throws IOException {
    PushedLayer l = RegistryImages.layer(reg, "base", sample(), Compression.GZIP, false);
    BlobStore store = new BlobStore(dir.resolve("store"));
    BlobCache cache = BlobCache.in(store);
    Registry corrupt = new Tampering(reg);
    assertThatThrownBy(() -> cache.layer(corrupt, "base", l.descriptor(), l.diffId()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining("expected " + l.descriptor().digest());
    assertThat(store.has(l.descriptor().digest())).isFalse();
    try (Stream<Path> s = Files.walk(dir)) {
      assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
    }
    // the real bytes still work afterwards
    assertThat(cache.layer(reg, "base", l.descriptor(), l.diffId())).hasSize(sample().size());
  }

  @Test
  void wrongDiffIdIsRefusedAndNothingIsUnpacked() throws IOException {
    PushedLayer l = RegistryImages.layer(reg, "base", sample(), Compression.ZSTD, false);
    BlobCache cache = BlobCache.in(new BlobStore(dir.resolve("store")));
    Digest wrong = Digest.sha256Of("not the tar");
    assertThatThrownBy(() -> cache.layer(reg, "base", l.descriptor(), wrong))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("diff_id mismatch")
        .hasMessageContaining(l.diffId().toString());
    assertThat(dir.resolve("store/unpacked/sha256/" + wrong.hex())).doesNotExist();
    try (Stream<Path> s = Files.list(dir.resolve("store/unpacked/sha256"))) {
      assertThat(s.toList()).isEmpty(); // no temporary directory left behind
    }
  }

  @Test
  void blobLongerThanItsDescriptorIsRefused() throws IOException {
    PushedLayer l = RegistryImages.layer(reg, "base", sample(), Compression.GZIP, false);
    Descriptor shorter =
        Descriptor.of(
            l.descriptor().mediaType(), l.descriptor().digest(), l.descriptor().size() - 1);
    BlobCache cache = BlobCache.in(new BlobStore(dir.resolve("store")));
    assertThatThrownBy(() -> cache.fetch(reg, "base", shorter))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("larger than its descriptor");
  }

  /** Serves every blob with one byte flipped. */
  private static final class Tampering implements Registry {
    private final Registry real;

    Tampering(Registry real) {
      this.real = real;
    }

    @Override
    public String host() {
      return real.host();
    }

    @Override
    public RawManifest getManifest(String repository, String reference) throws IOException {
      return real.getManifest(repository, reference);
    }

    @Override
    public Optional<Descriptor> headManifest(String repository, String reference)
        throws IOException {
      return real.headManifest(repository, reference);
    }

    @Override
    public Digest putManifest(String repository, String reference, byte[] bytes, String type)
        throws IOException {
      return real.putManifest(repository, reference, bytes, type);
    }

    @Override
    public boolean hasBlob(String repository, Digest digest) throws IOException {
      return real.hasBlob(repository, digest);
    }

    @Override
    public InputStream getBlob(String repository, Digest digest) throws IOException {
      byte[] b;
      try (InputStream in = real.getBlob(repository, digest)) {
        b = in.readAllBytes();
      }
      b[b.length / 2] ^= 1;
      return new ByteArrayInputStream(b);
    }

    @Override
    public PushResult pushBlob(
        String repository, Descriptor blob, BlobContent content, List<String> mountFrom)
        throws IOException {
      return real.pushBlob(repository, blob, content, mountFrom);
    }

    @Override
    public void close() {}
  }
}
