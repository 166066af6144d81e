package dev.slimbuild.core.cache;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Removing names from the local store ({@code slimbuild rmi}). A removed image's blobs that no
 * other image and no cache record uses are deleted at once, with the unpacked layers of those that
 * were layers; those a cache record still uses stay until {@code slimbuild prune} removes the
 * record. As with a prune, removing an image while a build on the same store is about to name an
 * image that shares its blobs can delete those blobs under that build.
 */
public final class ImageRemoval {
  private ImageRemoval() {}

  /**
   * What a removal did: the names it removed (with the image each named), the blobs it deleted and
   * their bytes, and the blobs it left because a cache record uses them.
   */
  public record Result(
      List<LocalStore.Entry> removed, int blobs, long bytes, int cachedBlobs, long cachedBytes) {}

  /**
   * Removes {@code names} from {@code store}. Every name must be there: one that is not fails the
   * whole removal before anything is removed.
   */
  public static Result remove(LocalStore store, List<ImageReference> names) throws IOException {
    List<LocalStore.Entry> found = new ArrayList<>();
    for (ImageReference n : new LinkedHashSet<>(names)) {
      Optional<Descriptor> d = store.resolve(n);
      if (d.isEmpty()) {
        throw new SlimbuildException(
            "no image '" + n.familiar() + "' in the local store (" + store.root() + ")");
      }
      found.add(new LocalStore.Entry(n, d.get()));
    }
    Set<Digest> blobs = new LinkedHashSet<>();
    Set<Digest> diffIds = new LinkedHashSet<>();
    List<LocalStore.Entry> removed = new ArrayList<>();
    for (LocalStore.Entry e : found) {
      // what the image uses is read before its name goes: afterwards nothing may name it
      blobs.add(e.descriptor().digest());
      StoreReferences.walk(store.blobs(), e.descriptor(), blobs, diffIds);
      store.remove(e.name()).ifPresent(d -> removed.add(new LocalStore.Entry(e.name(), d)));
    }
    StoreReferences uses = StoreReferences.of(store, new LocalCache(store.blobs()).list());
    int deleted = 0;
    long bytes = 0;
    int cached = 0;
    long cachedBytes = 0;
    for (Digest d : blobs) {
      Path p = store.blobs().path(d);
      if (uses.imageBlobs.contains(d) || !Files.exists(p)) {
        continue;
      }
      try {
        long size = Files.size(p);
        if (uses.recordBlobs.contains(d)) {
          cached++;
          cachedBytes += size;
          continue;
        }
        Files.delete(p);
        deleted++;
        bytes += size;
      } catch (NoSuchFileException ex) {
        // gone meanwhile
      }
    }
    for (Digest d : diffIds) {
      if (!uses.usesDiffId(d)) {
        Trees.delete(StoreReferences.unpacked(store, d));
      }
    }
    return new Result(removed, deleted, bytes, cached, cachedBytes);
  }
}
