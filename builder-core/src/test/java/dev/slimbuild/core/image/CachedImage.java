package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.push.PushReport;
import dev.slimbuild.core.push.Pusher;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.json.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A test base image made once per cache directory and kept there: made under a file lock (parallel
 * test JVMs build the same cache one at a time), checked blob by blob, then read back with {@link
 * StoredImages} on later calls; its blobs are hard-linked (or copied) into the caller's store.
 */
final class CachedImage {
  /** Makes the image into {@code store}, e.g. {@code BusyboxBase::build}. */
  @FunctionalInterface
  interface Maker {
    ImageOutput make(BlobStore store) throws IOException;
  }

  private CachedImage() {}

  static ImageOutput get(Path cache, BlobStore store, Maker maker) throws IOException {
    Files.createDirectories(cache);
    ImageOutput image;
    synchronized (CachedImage.class) {
      try (FileChannel ch =
          FileChannel.open(
              cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = ch.lock();
        try {
          image = cachedOrMake(cache, maker);
        } finally {
          lock.release();
        }
      }
    }
    BlobStore cached = new BlobStore(cache.resolve("image"));
    for (Descriptor d : image.blobs()) {
      Path dst = store.path(d.digest());
      if (!Files.isRegularFile(dst)) {
        Files.createDirectories(dst.getParent());
        Dirs.linkOrCopy(cached.path(d.digest()), dst);
      }
    }
    return image;
  }

  private static ImageOutput cachedOrMake(Path cache, Maker maker) throws IOException {
    Path top = cache.resolve("image.json");
    BlobStore store = new BlobStore(cache.resolve("image"));
    if (Files.isRegularFile(top)) {
      try {
        // reads and checks every document once; a damaged cache is made again
        return StoredImages.load(store, Descriptor.parse(Files.readAllBytes(top)));
      } catch (InvalidImageException e) {
        // made again below
      }
    }
    ImageOutput image = maker.make(store);
    for (Descriptor d : image.blobs()) {
      String problem = store.verify(d);
      if (problem != null) {
        throw new IllegalStateException(cache + ": " + problem);
      }
    }
    Dirs.writeAtomically(top, Json.write(image.descriptor().toJson()));
    return image;
  }

  /** Builds the image into a temporary store and pushes it to {@code repository:tag}. */
  static PushReport push(Maker build, Registry registry, String repository, String tag)
      throws IOException {
    Path tmp = Files.createTempDirectory("base-image-");
    try {
      BlobStore store = new BlobStore(tmp);
      return new Pusher(registry, store)
          .push(build.make(store), repository, List.of(tag), Map.of());
    } finally {
      Dirs.deleteRecursively(tmp);
    }
  }
}
