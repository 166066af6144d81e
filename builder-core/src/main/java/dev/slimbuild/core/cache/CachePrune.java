package dev.slimbuild.core.cache;

import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How much the local store's build cache holds, and reclaiming it ({@code slimbuild prune}). Blobs
 * that a stored image uses are never removed. A prune while a build runs on the same store can
 * remove what that build just recorded: the build still finishes, and the next one runs those steps
 * again.
 */
public final class CachePrune {
  private CachePrune() {}

  /** The cache's size: its records, and the bytes of the blobs only the cache holds. */
  public record Usage(int records, int blobs, long bytes) {}

  /** What a prune removed. */
  public record Result(int records, int blobs, long bytes) {}

  /** The cache of {@code store} now. */
  public static Usage usage(LocalStore store) throws IOException {
    List<LocalCache.Entry> entries = new LocalCache(store.blobs()).list();
    Set<Digest> images = StoreReferences.images(store).imageBlobs;
    Map<Digest, Long> only = new LinkedHashMap<>();
    for (LocalCache.Entry e : entries) {
      for (Layer l : e.layers()) {
        Descriptor blob = l.descriptor();
        if (!images.contains(blob.digest()) && store.blobs().has(blob.digest())) {
          only.put(blob.digest(), blob.size());
        }
      }
    }
    return new Usage(
        entries.size(), only.size(), only.values().stream().mapToLong(Long::longValue).sum());
  }

  /**
   * Removes cache records: those unused for longer than {@code until} when given, then the least
   * recently used until the blobs only the cache holds fit in {@code keepStorage} when given, or
   * every record when neither is. Then the blobs that only removed records named, and their
   * unpacked layers. With {@code all}, also every blob no image and no record left uses (pulled
   * base layers) and every unpacked layer.
   */
  public static Result prune(
      LocalStore store,
      boolean all,
      OptionalLong keepStorage,
      Optional<Duration> until,
      Instant now)
      throws IOException {
    LocalCache cache = new LocalCache(store.blobs());
    List<LocalCache.Entry> entries = cache.list(); // least recently used first
    Set<Digest> images = StoreReferences.images(store).imageBlobs;
    List<LocalCache.Entry> remove = new ArrayList<>();
    List<LocalCache.Entry> keep = new ArrayList<>();
    for (LocalCache.Entry e : entries) {
      boolean old = until.map(u -> e.lastUsed().isBefore(now.minus(u))).orElse(true);
      (old && (until.isPresent() || keepStorage.isEmpty()) ? remove : keep).add(e);
    }
    if (keepStorage.isPresent()) {
      while (!keep.isEmpty() && bytes(keep, images) > keepStorage.getAsLong()) {
        remove.add(keep.remove(0));
      }
    }
    for (LocalCache.Entry e : remove) {
      Files.deleteIfExists(e.file());
    }
    Set<Digest> kept = new HashSet<>(images);
    Set<Digest> keptDiffIds = new HashSet<>();
    for (LocalCache.Entry e : keep) {
      e.layers()
          .forEach(
              l -> {
                kept.add(l.descriptor().digest());
                keptDiffIds.add(l.diffId());
              });
    }
    Map<Digest, Digest> candidates = new LinkedHashMap<>(); // blob -> diff_id
    for (LocalCache.Entry e : remove) {
      e.layers().forEach(l -> candidates.put(l.descriptor().digest(), l.diffId()));
    }
    int blobs = 0;
    long bytes = 0;
    if (all) {
      for (Digest d : StoreReferences.blobs(store)) {
        candidates.putIfAbsent(d, null);
      }
    }
    for (Map.Entry<Digest, Digest> c : candidates.entrySet()) {
      if (kept.contains(c.getKey())) {
        continue;
      }
      Path p = store.blobs().path(c.getKey());
      try {
        long size = Files.size(p);
        Files.delete(p);
        blobs++;
        bytes += size;
      } catch (NoSuchFileException e) {
        // gone already
      }
      if (c.getValue() != null && !keptDiffIds.contains(c.getValue())) {
        Trees.delete(StoreReferences.unpacked(store, c.getValue()));
      }
    }
    if (all) {
      Trees.delete(StoreReferences.unpackedRoot(store));
    }
    Trees.delete(LocalCache.layerMemo(store.blobs()));
    Trees.delete(LocalCache.documents(store.blobs()));
    return new Result(remove.size(), blobs, bytes);
  }

  private static long bytes(List<LocalCache.Entry> entries, Set<Digest> images) {
    Map<Digest, Long> only = new LinkedHashMap<>();
    for (LocalCache.Entry e : entries) {
      for (Layer l : e.layers()) {
        if (!images.contains(l.descriptor().digest())) {
          only.put(l.descriptor().digest(), l.descriptor().size());
        }
      }
    }
    return only.values().stream().mapToLong(Long::longValue).sum();
  }
}
