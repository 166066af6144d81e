package dev.slimbuild.core.cache;

import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The disk use of a local store ({@code slimbuild df}), as {@code docker system df} shows it, by
 * what uses it. Every blob counts once, in the first row that uses it:
 *
 * <ul>
 *   <li>images: the named images and the blobs they use (removed by {@code slimbuild rmi} only);
 *   <li>build cache: the cache records and the blobs only they use ({@code slimbuild prune});
 *   <li>unpacked layers: the layers unpacked for RUN and COPY ({@code slimbuild prune --all});
 *   <li>unused blobs: blobs no image and no record uses, such as the base layers, manifest and
 *       config of a build that was pushed, not stored ({@code slimbuild prune --all}).
 * </ul>
 *
 * Sizes are the bytes of the files; the directories themselves are not counted.
 */
public record StoreUsage(Row images, Row cache, Row unpacked, Row unused) {

  /** One kind of content: how many, their bytes, and the bytes a prune can reclaim. */
  public record Row(int count, long bytes, long reclaimable) {}

  /** The use of {@code store} now. */
  public static StoreUsage of(LocalStore store) throws IOException {
    List<LocalCache.Entry> records = new LocalCache(store.blobs()).list();
    StoreReferences uses = StoreReferences.of(store, records);
    long imageBytes = 0;
    long cacheBytes = 0;
    int unusedCount = 0;
    long unusedBytes = 0;
    for (Digest d : StoreReferences.blobs(store)) {
      long size;
      try {
        size = Files.size(store.blobs().path(d));
      } catch (NoSuchFileException e) {
        continue; // pruned meanwhile
      }
      if (uses.imageBlobs.contains(d)) {
        imageBytes += size;
      } else if (uses.recordBlobs.contains(d)) {
        cacheBytes += size;
      } else {
        unusedCount++;
        unusedBytes += size;
      }
    }
    List<Digest> unpacked = StoreReferences.unpacked(store);
    long unpackedBytes = 0;
    for (Digest d : unpacked) {
      unpackedBytes += bytes(StoreReferences.unpacked(store, d));
    }
    return new StoreUsage(
        new Row(store.list().size(), imageBytes, 0),
        new Row(records.size(), cacheBytes, cacheBytes),
        new Row(unpacked.size(), unpackedBytes, unpackedBytes),
        new Row(unusedCount, unusedBytes, unusedBytes));
  }

  /** The bytes of the regular files under {@code dir}. */
  private static long bytes(Path dir) throws IOException {
    long[] sum = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              sum[0] += attrs.size();
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // removed meanwhile, or unreadable: not counted
          }
        });
    return sum[0];
  }
}
