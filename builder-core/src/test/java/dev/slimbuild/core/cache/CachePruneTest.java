package dev.slimbuild.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prune's filters: records unused for a while, the most recently used that fit, everything. */
class CachePruneTest {
  @TempDir Path dir;

  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  /** A step record whose layer blob holds {@code bytes} bytes, last used {@code age} ago. */
  private Layer record(LocalStore store, int n, int bytes, Duration age) throws Exception {
    Descriptor blob =
        store
            .blobs()
            .putBytes(
                ("layer " + n + " ".repeat(bytes))
                    .substring(0, bytes)
                    .getBytes(StandardCharsets.UTF_8),
                MediaType.OCI_LAYER_TAR_ZSTD);
    Layer l = Layer.written(blob, Digest.sha256Of("tar " + n), bytes);
    LocalCache cache = new LocalCache(store.blobs());
    Digest key = CacheKey.of("t").add(n).digest();
    cache.putStep(key, new StepRecord(Optional.of(l), null));
    Files.setLastModifiedTime(
        cache.dir().resolve("steps").resolve(key.hex() + ".json"), FileTime.from(NOW.minus(age)));
    return l;
  }

  @Test
  void untilRemovesOnlyRecordsUnusedThatLongAndTheirBlobs() throws Exception {
    LocalStore store = new LocalStore(dir.resolve("store"));
    Layer old = record(store, 1, 100, Duration.ofHours(30));
    Layer recent = record(store, 2, 100, Duration.ofMinutes(5));
    CachePrune.Result r =
        CachePrune.prune(
            store, false, OptionalLong.empty(), Optional.of(Duration.ofHours(24)), NOW);
    assertThat(r.records()).isEqualTo(1);
    assertThat(r.bytes()).isEqualTo(100);
    assertThat(store.blobs().has(old.descriptor().digest())).isFalse();
    assertThat(store.blobs().has(recent.descriptor().digest())).isTrue();
    assertThat(CachePrune.usage(store).records()).isEqualTo(1);
  }

  @Test
  void keepStorageKeepsTheMostRecentlyUsedThatFit() throws Exception {
    LocalStore store = new LocalStore(dir.resolve("store"));
    Layer oldest = record(store, 1, 100, Duration.ofHours(3));
    Layer middle = record(store, 2, 100, Duration.ofHours(2));
    Layer newest = record(store, 3, 100, Duration.ofHours(1));
    CachePrune.prune(store, false, OptionalLong.of(250), Optional.empty(), NOW);
    assertThat(store.blobs().has(oldest.descriptor().digest())).isFalse();
    assertThat(store.blobs().has(middle.descriptor().digest())).isTrue();
    assertThat(store.blobs().has(newest.descriptor().digest())).isTrue();
    assertThat(CachePrune.usage(store).bytes()).isEqualTo(200);
  }

  @Test
  void noFilterRemovesEveryRecordAndAllTheUnpackedLayers() throws Exception {
    LocalStore store = new LocalStore(dir.resolve("store"));
    record(store, 1, 100, Duration.ZERO);
    Path unpacked = Files.createDirectories(store.root().resolve("unpacked/sha256/x"));
    CachePrune.prune(store, true, OptionalLong.empty(), Optional.empty(), NOW);
    assertThat(CachePrune.usage(store)).isEqualTo(new CachePrune.Usage(0, 0, 0));
    assertThat(unpacked).doesNotExist();
  }
}
