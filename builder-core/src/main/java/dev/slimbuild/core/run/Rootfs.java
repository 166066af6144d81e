package dev.slimbuild.core.run;

import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stage's filesystem as {@link RootfsWriter} wrote it to a work directory: for every path, the
 * model entry it came from and the stat signature taken right after writing. The model keeps the
 * image's owners even when the builder could not set them on disk.
 */
public final class Rootfs {

  /**
   * One written path.
   *
   * @param model the entry of the stage's tree (owner, mode, content source, xattrs)
   * @param stat the signature of the path on disk right after materialising
   */
  public record Item(LayerEntry model, FileStat stat) {
    public Item {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(stat, "stat");
    }
  }

  private final Path dir;
  private final boolean ownersApplied;
  private final Map<String, Item> items;

  Rootfs(Path dir, boolean ownersApplied, Map<String, Item> items) { // items in tar order
    this.dir = dir;
    this.ownersApplied = ownersApplied;
    this.items = Collections.unmodifiableMap(items);
  }

  /** The work directory holding the filesystem. */
  public Path dir() {
    return dir;
  }

  /**
   * Whether the model's owners were set on disk (a root build); when false every path on disk
   * belongs to the builder and the owners live only in the model.
   */
  public boolean ownersApplied() {
    return ownersApplied;
  }

  /** What was written at {@code path} (a normalised layer path), if anything. */
  public Optional<Item> get(String path) {
    return Optional.ofNullable(items.get(path));
  }

  Item item(String path) {
    return items.get(path);
  }

  /** Every written path, in tar order (a directory before its contents). */
  public Set<String> paths() {
    return items.keySet();
  }

  /** Number of written paths. */
  public int size() {
    return items.size();
  }

  /**
   * This filesystem after {@code layer} (the snapshot of a RUN in this work directory, with its
   * contents wherever the caller keeps them) was applied to the model: deleted paths are dropped,
   * the layer's entries become the model of their paths with their signature read from disk now.
   * Paths the layer does not name keep their model and signature, so the next snapshot of the same
   * work directory compares against what the image holds after this layer.
   */
  public Rootfs after(Collection<LayerEntry> layer) throws IOException {
    if (layer.isEmpty()) {
      return this;
    }
    Set<String> gone = new HashSet<>();
    Set<String> opaque = new HashSet<>();
    for (LayerEntry e : layer) {
      if (e.type() == EntryType.WHITEOUT) {
        gone.add(e.path());
      } else if (e.type() == EntryType.OPAQUE) {
        opaque.add(e.path());
      }
    }
    LinkedHashMap<String, Item> next = new LinkedHashMap<>(items.size() * 2);
    for (Map.Entry<String, Item> it : items.entrySet()) {
      String p = it.getKey();
      if (gone.contains(p) || below(p, gone) || below(p, opaque)) {
        continue;
      }
      next.put(p, it.getValue());
    }
    for (LayerEntry e : layer) {
      if (!e.isMarker()) {
        next.put(e.path(), new Item(e, FileStat.read(dir.resolve(e.path()))));
      }
    }
    return new Rootfs(dir, ownersApplied, next);
  }

  /** Whether a directory strictly above {@code p} is in {@code dirs}. */
  private static boolean below(String p, Set<String> dirs) {
    if (dirs.isEmpty()) {
      return false;
    }
    for (String q = LayerPaths.parent(p); !q.isEmpty(); q = LayerPaths.parent(q)) {
      if (dirs.contains(q)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code absolutePath} (e.g. a mount target) as the layer path it names inside this filesystem,
   * with symlinks resolved the way a process inside would resolve them.
   */
  public String resolve(String absolutePath) throws IOException {
    return resolve(dir, absolutePath);
  }

  /** {@code absolutePath} as the layer path it names inside the root filesystem at {@code root}. */
  public static String resolve(Path root, String absolutePath) throws IOException {
    return RootPaths.resolve(root, RootPaths.checkAbsolute(absolutePath, "path"));
  }

  /** The model content of the file at {@code path}, following hard links; null if none. */
  ContentSource content(String path) {
    Item it = items.get(path);
    LayerEntry root =
        it == null
            ? null
            : it.model().linkRoot(p -> items.containsKey(p) ? items.get(p).model() : null);
    return root != null && root.type() == EntryType.FILE ? root.content() : null;
  }
}
