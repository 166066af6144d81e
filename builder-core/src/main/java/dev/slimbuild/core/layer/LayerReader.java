package dev.slimbuild.core.layer;

import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.SlimbuildException;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a layer blob (tar, tar+gzip or tar+zstd, sniffed) entry by entry as {@link LayerEntry}s. A
 * FILE entry's content source is one-shot: it reads the blob itself and is valid only until {@link
 * #next()} is called again.
 */
public final class LayerReader implements Closeable {

  private final TarArchiveInputStream tar;
  private long generation;
  private long modified;

  /** Reads {@code blob}, any supported compression; closing the reader closes it. */
  public LayerReader(InputStream blob) throws IOException {
    this.tar = new TarArchiveInputStream(Decompressors.open(blob), "UTF-8");
  }

  /**
   * The modification time (seconds since the epoch) the tar gives the entry {@link #next()}
   * returned last; the entries themselves carry no times (layers are written with fixed ones).
   */
  public long lastModified() {
    return modified;
  }

  /**
   * An entry the layer model cannot take (a device node or fifo, a directory named like a whiteout,
   * a whiteout of nothing, a path that escapes the root): an input error naming the entry, as ADD
   * refuses the same entries in an archive.
   */
  public static final class RefusedEntry extends SlimbuildException {
    private static final long serialVersionUID = 1L;

    RefusedEntry(String name, String why) {
      super("entry '" + name + "' refused: " + why);
    }
  }

  /**
   * The next entry, or null at the end. Whiteout names come back as WHITEOUT and OPAQUE entries;
   * device nodes, fifos and misused whiteout names are refused ({@link RefusedEntry}).
   */
  public LayerEntry next() throws IOException {
    while (true) {
      generation++;
      TarArchiveEntry t = tar.getNextEntry();
      if (t == null) {
        return null;
      }
      modified = t.getLastModifiedTime().toMillis() / 1000;
      if (!isRoot(t.getName())) { // "./" as GNU tar writes it: the root is not an entry
        try {
          return toEntry(t);
        } catch (IllegalArgumentException | ArithmeticException e) {
          throw new RefusedEntry(t.getName(), e.getMessage());
        }
      }
    }
  }

  private static boolean isRoot(String name) {
    try {
      return LayerPaths.normalizeOrRoot(name).isEmpty();
    } catch (IllegalArgumentException e) {
      return false; // reported by toEntry
    }
  }

  private LayerEntry toEntry(TarArchiveEntry t) throws IOException {
    String path;
    try {
      path = LayerPaths.normalize(t.getName());
    } catch (IllegalArgumentException e) {
      throw new RefusedEntry(t.getName(), e.getMessage());
    }
    String name = LayerPaths.name(path);
    String parent = LayerPaths.parent(path);
    for (String dir : parent.isEmpty() ? new String[0] : parent.split("/")) {
      if (dir.startsWith(LayerEntry.WHITEOUT_PREFIX)) {
        throw new RefusedEntry(
            t.getName(),
            "a directory named '"
                + dir
                + "': names starting with "
                + LayerEntry.WHITEOUT_PREFIX
                + " are whiteouts");
      }
    }
    if (name.startsWith(LayerEntry.WHITEOUT_PREFIX) && !name.equals(LayerEntry.OPAQUE_MARKER)) {
      String hidden = name.substring(LayerEntry.WHITEOUT_PREFIX.length());
      if (hidden.isEmpty()
          || hidden.equals(".")
          || hidden.equals("..")
          || hidden.startsWith(LayerEntry.WHITEOUT_PREFIX)) {
        throw new RefusedEntry(t.getName(), "a whiteout of '" + hidden + "', which no file can be");
      }
    }
    if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO()) {
      // checked first: TarArchiveEntry.isFile() is true for them
      throw new RefusedEntry(t.getName(), "device nodes and fifos are not allowed");
    }
    int mode = t.getMode() & 07777;
    int uid = Math.toIntExact(t.getLongUserId());
    int gid = Math.toIntExact(t.getLongGroupId());
    if (name.equals(LayerEntry.OPAQUE_MARKER)) {
      return LayerEntry.opaque(LayerPaths.parent(path));
    }
    if (name.startsWith(LayerEntry.WHITEOUT_PREFIX)) {
      return LayerEntry.whiteout(
          LayerPaths.join(
              LayerPaths.parent(path), name.substring(LayerEntry.WHITEOUT_PREFIX.length())));
    }
    LayerEntry e;
    if (t.isDirectory()) {
      e = LayerEntry.dir(path, mode, uid, gid);
    } else if (t.isSymbolicLink()) {
      e = LayerEntry.symlink(path, t.getLinkName(), uid, gid);
    } else if (t.isLink()) {
      e = LayerEntry.hardlink(path, t.getLinkName(), mode, uid, gid);
    } else if (t.isFile()) {
      long gen = generation;
      e = LayerEntry.file(path, mode, uid, gid, t.getSize(), () -> current(gen));
    } else {
      throw new RefusedEntry(
          t.getName(), "unsupported entry type '" + (char) t.getLinkFlag() + "'");
    }
    return PaxXattrs.apply(t, e);
  }

  private InputStream current(long gen) throws IOException {
    if (gen != generation) {
      throw new IOException("layer entry content read after moving to the next entry");
    }
    return new FilterInputStream(tar) {
      @Override
      public void close() {
        // the tar stream stays open for the next entry
      }
    };
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
