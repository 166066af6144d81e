package dev.slimbuild.core.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.Registry.PushResult;
import dev.slimbuild.core.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PusherTest {
  @TempDir Path dir;

  /** Wraps a FakeRegistry: logs every blob and manifest put in order, fails on chosen blobs. */
  static final class Recording implements Registry {
    final FakeRegistry fake = new FakeRegistry("registry.test:5000");
    final List<String> log = new ArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    Digest failOn;

    @Override
    public String host() {
      return fake.host();
    }

    @Override
    public RawManifest getManifest(String repository, String reference) throws IOException {
      return fake.getManifest(repository, reference);
    }

    @Override
    public Optional<Descriptor> headManifest(String repository, String reference) {
      return fake.headManifest(repository, reference);
    }

    @Override
    public Digest putManifest(String repository, String reference, byte[] bytes, String mediaType)
        throws IOException {
      synchronized (log) {
        log.add("manifest " + reference);
      }
      return fake.putManifest(repository, reference, bytes, mediaType);
    }

    @Override
    public boolean hasBlob(String repository, Digest digest) {
      return fake.hasBlob(repository, digest);
    }

    @Override
    public InputStream getBlob(String repository, Digest digest) throws IOException {
      return fake.getBlob(repository, digest);
    }

    @Override
    public PushResult pushBlob(
        String repository, Descriptor blob, BlobContent content, List<String> mountFrom)
        throws IOException {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        synchronized (log) {
          log.add("blob " + blob.digest());
        }
        if (blob.digest().equals(failOn)) {
          throw new RegistryException("upload refused", 500, "UNKNOWN", true);
        }
        return fake.pushBlob(repository, blob, content, mountFrom);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void close() {}
  }

  private BlobStore store() {
    return new BlobStore(dir.resolve("store"));
  }

  /** An image of {@code layers} (each a one-file tar) for {@code platform}. */
  private static BuiltImage image(
      BlobStore store, String platform, List<Map<String, String>> layers) throws IOException {
    List<Descriptor> ds = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Map<String, String> files : layers) {
      TestImages.Layer l = TestImages.gzipLayer(store, files);
      ds.add(l.descriptor());
      diffIds.add(l.diffId());
    }
    ImageConfig config =
        ImageConfig.of(Platform.parse(platform), null, diffIds).withCreated(Instant.EPOCH);
    return BuiltImage.assemble(store, config, ds, Map.of());
  }

  private ImageIndex twoPlatforms(BlobStore store) throws IOException {
    // the second layer is identical on both platforms
    BuiltImage amd =
        image(store, "linux/amd64", List.of(Map.of("bin/x", "amd"), Map.of("app/a", "same")));
    BuiltImage arm =
        image(store, "linux/arm64", List.of(Map.of("bin/x", "arm"), Map.of("app/a", "same")));
    return ImageIndex.assemble(store, List.of(amd, arm), Map.of());
  }

  @Test
  void pushesBlobsThenPlatformManifestsByDigestThenTheIndexUnderEachTag() throws IOException {
    BlobStore store = store();
    ImageIndex index = twoPlatforms(store);
    Recording reg = new Recording();

    PushReport report =
        new Pusher(reg, store).push(index, "team/app", List.of("1", "latest"), Map.of());

    BuiltImage amd = index.images().get(0);
    BuiltImage arm = index.images().get(1);
    // 2 configs + 3 distinct layers (the shared layer once)
    assertThat(reg.fake.uploads).hasSize(5).doesNotHaveDuplicates();
    assertThat(report.count(PushResult.UPLOADED)).isEqualTo(5);
    assertThat(report.blobs())
        .extracting(b -> b.blob().digest())
        .containsExactly(
            amd.manifest().value().config().digest(),
            amd.layers().get(0).digest(),
            amd.layers().get(1).digest(),
            arm.manifest().value().config().digest(),
            arm.layers().get(0).digest());
    assertThat(arm.layers().get(1).digest()).isEqualTo(amd.layers().get(1).digest());
    long expectedBytes = report.blobs().stream().mapToLong(b -> b.blob().size()).sum();
    assertThat(report.bytes(PushResult.UPLOADED)).isEqualTo(expectedBytes);

    List<String> manifestLog = reg.log.stream().filter(s -> s.startsWith("manifest")).toList();
    assertThat(manifestLog)
        .containsExactly(
            "manifest " + amd.manifest().digest(),
            "manifest " + arm.manifest().digest(),
            "manifest 1",
            "manifest latest");
    // every blob before the first manifest
    assertThat(reg.log.subList(0, 5)).allMatch(s -> s.startsWith("blob "));
    assertThat(reg.maxInFlight.get()).isBetween(1, Pusher.DEFAULT_PARALLELISM);

    assertThat(report.descriptor().digest()).isEqualTo(index.index().digest());
    assertThat(reg.fake.getManifest("team/app", "1").bytes()).isEqualTo(index.topBytes());
    assertThat(reg.fake.getManifest("team/app", "latest").mediaType())
        .isEqualTo(index.descriptor().mediaType());
    assertThat(report.tags()).containsExactly("1", "latest");
  }

  @Test
  void secondPushSkipsEveryBlob() throws IOException {
    BlobStore store = store();
    ImageIndex index = twoPlatforms(store);
    Recording reg = new Recording();
    new Pusher(reg, store).push(index, "app", List.of("1"), Map.of());
    int uploads = reg.fake.uploads.size();

    PushReport again =
        new Pusher(reg, store, 1, e -> {}).push(index, "app", List.of("2"), Map.of());

    assertThat(reg.fake.uploads).hasSize(uploads);
    assertThat(again.count(PushResult.EXISTED)).isEqualTo(5);
    assertThat(again.count(PushResult.UPLOADED)).isZero();
    assertThat(again.bytes(PushResult.EXISTED)).isPositive();
    assertThat(reg.fake.headManifest("app", "2")).contains(index.descriptor());
  }

  @Test
  void anUnchangedImageUnderTheSameTagCostsOneRequestPerTag() throws IOException {
    BlobStore store = store();
    ImageIndex index = twoPlatforms(store);
    Recording reg = new Recording();
    new Pusher(reg, store).push(index, "app", List.of("1", "latest"), Map.of());
    reg.log.clear();
    List<String> events = new ArrayList<>();

    PushReport again =
        new Pusher(reg, store, 1, e -> events.add(e.toString()))
            .push(index, "app", List.of("1", "latest"), Map.of());

    assertThat(reg.log).as("no blob and no manifest written").isEmpty();
    assertThat(again.descriptor().digest()).isEqualTo(index.descriptor().digest());
    assertThat(events).hasSize(2).allMatch(e -> e.contains("unchanged"));

    // one tag that names something else: the whole push, blob by blob, as before
    BuiltImage other = image(store, "linux/amd64", List.of(Map.of("bin/x", "other")));
    new Pusher(reg, store).push(other, "app", List.of("latest"), Map.of());
    reg.log.clear();
    PushReport moved =
        new Pusher(reg, store, 1, e -> {}).push(index, "app", List.of("1", "latest"), Map.of());
    assertThat(moved.count(PushResult.EXISTED)).isEqualTo(5);
    assertThat(moved.count(PushResult.UPLOADED)).isZero();
    assertThat(reg.log).contains("manifest latest");
    assertThat(reg.fake.headManifest("app", "latest")).contains(index.descriptor());
  }

  @Test
  void mountsBaseLayersFromTheirRepository() throws IOException {
    BlobStore store = store();
    Recording reg = new Recording();
    BuiltImage base = image(store, "linux/amd64", List.of(Map.of("bin/sh", "base")));
    new Pusher(reg, store).push(base, "library/base", List.of("1"), Map.of());
    Digest baseLayer = base.layers().get(0).digest();
    BuiltImage app =
        image(store, "linux/amd64", List.of(Map.of("bin/sh", "base"), Map.of("app/x", "x")));
    assertThat(app.layers().get(0).digest()).isEqualTo(baseLayer);

    PushReport r =
        new Pusher(reg, store)
            .push(
                app,
                "team/app",
                List.of("v1"),
                Map.of(baseLayer, List.of("team/app", "library/base")));

    assertThat(reg.fake.mounts).containsExactly(baseLayer);
    assertThat(r.count(PushResult.MOUNTED)).isEqualTo(1);
    assertThat(r.bytes(PushResult.MOUNTED)).isEqualTo(base.layers().get(0).size());
    assertThat(r.count(PushResult.UPLOADED)).isEqualTo(2); // config + app layer
    assertThat(reg.fake.hasBlob("team/app", baseLayer)).isTrue();
    // a single manifest goes straight under its tag
    assertThat(reg.log.stream().filter(s -> s.startsWith("manifest")).toList())
        .containsExactly("manifest 1", "manifest v1");
    assertThat(reg.fake.getManifest("team/app", "v1").bytes()).isEqualTo(app.topBytes());
  }

  @Test
  void noTagPushesTheTopDocumentByDigest() throws IOException {
    BlobStore store = store();
    ImageIndex index = twoPlatforms(store);
    Recording reg = new Recording();
    PushReport r = new Pusher(reg, store).push(index, "app", List.of(), Map.of());
    assertThat(reg.fake.manifestPuts).last().isEqualTo("app:" + index.index().digest());
    assertThat(r.tags()).isEmpty();
  }

  @Test
  void aFailedBlobLeavesNoManifestAndNoTag() throws IOException {
    BlobStore store = store();
    ImageIndex index = twoPlatforms(store);
    Recording reg = new Recording();
    reg.failOn = index.images().get(1).layers().get(0).digest();

    assertThatThrownBy(() -> new Pusher(reg, store).push(index, "app", List.of("1"), Map.of()))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("upload refused");

    assertThat(reg.log).noneMatch(s -> s.startsWith("manifest"));
    assertThat(reg.fake.manifestPuts).isEmpty();
    assertThat(reg.fake.headManifest("app", "1")).isEmpty();
  }

  @Test
  void aMissingLocalBlobFailsBeforeAnythingIsSent() throws IOException {
    BlobStore store = store();
    ImageIndex index = twoPlatforms(store);
    Digest layer = index.images().get(0).layers().get(0).digest();
    Files.delete(store.path(layer));
    Recording reg = new Recording();
    assertThatThrownBy(() -> new Pusher(reg, store).push(index, "app", List.of("1"), Map.of()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(layer.toString());
    assertThat(reg.log).isEmpty();
  }

  @Test
  void rejectsZeroParallelism() {
    assertThatThrownBy(() -> new Pusher(new Recording(), store(), 0, e -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
