package dev.slimbuild.core.layer;

import dev.slimbuild.compress.NonClosingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes layer entries as a reproducible tar: sorted by path segments, missing parent directories
 * added (0755 root:root), one fixed mtime, no atime/ctime, empty uname/gname, PAX headers for long
 * names, big sizes and ids, and OCI whiteouts
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts).
 */
public final class TarLayerWriter {
  /** Copy buffer for file contents; large enough that per-read overhead is negligible. */
  static final int COPY_BUFFER = 256 * 1024;

  private static final int DEFAULT_DIR_MODE = 0755;

  private final long mtimeEpochSeconds;
  private final byte[] buffer = new byte[COPY_BUFFER];

  /** A writer stamping every entry with {@code mtimeEpochSeconds} (SOURCE_DATE_EPOCH). */
  public TarLayerWriter(long mtimeEpochSeconds) {
    if (mtimeEpochSeconds < 0) {
      throw new IllegalArgumentException("negative mtime " + mtimeEpochSeconds);
    }
    this.mtimeEpochSeconds = mtimeEpochSeconds;
  }

  /**
   * Writes {@code entries} as a complete tar (with the end-of-archive records) to {@code out},
   * which is flushed, not closed. Returns the number of tar bytes written. Throws
   * IllegalArgumentException for two entries with the same path or a path under a non-directory,
   * and IOException naming the file when a content's length differs from its size.
   */
  public long write(Collection<LayerEntry> entries, OutputStream out) throws IOException {
    List<LayerEntry> plan = plan(entries);
    TarArchiveOutputStream tar = open(new NonClosingOutputStream(out));
    for (LayerEntry e : plan) {
      tar.putArchiveEntry(header(e, mtimeEpochSeconds));
      if (e.type() == EntryType.FILE && e.size() > 0) {
        copyContent(e, tar);
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
    long written = tar.getBytesWritten();
    tar.close();
    return written;
  }

  /** A tar stream configured for layers: 512-byte blocks (no padding), PAX for everything big. */
  static TarArchiveOutputStream open(OutputStream out) {
    TarArchiveOutputStream tar =
        new TarArchiveOutputStream(out, TarConstants.DEFAULT_RCDSIZE, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    return tar;
  }

  private void copyContent(LayerEntry e, OutputStream tar) throws IOException {
    long left = e.size();
    try (InputStream in = e.content().open()) {
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(
              "'"
                  + e.path()
                  + "' changed while being read: expected "
                  + e.size()
                  + " bytes, got "
                  + (e.size() - left));
        }
        tar.write(buffer, 0, n);
        left -= n;
      }
      if (in.read() >= 0) {
        throw new IOException(
            "'" + e.path() + "' changed while being read: longer than " + e.size() + " bytes");
      }
    }
  }

  /**
   * The tar header of one entry. Mode holds permission bits only (as GNU tar and Go write them);
   * the type lives in the type flag.
   */
  static TarArchiveEntry header(LayerEntry e, long mtimeEpochSeconds) {
    TarArchiveEntry t;
    switch (e.type()) {
      case DIRECTORY:
        t = new TarArchiveEntry(e.tarName(), TarConstants.LF_DIR);
        break;
      case SYMLINK:
        t = new TarArchiveEntry(e.tarName(), TarConstants.LF_SYMLINK);
        t.setLinkName(e.linkTarget());
        break;
      case HARDLINK:
        t = new TarArchiveEntry(e.tarName(), TarConstants.LF_LINK);
        t.setLinkName(e.linkTarget());
        break;
      case FILE:
      case WHITEOUT:
      case OPAQUE:
        t = new TarArchiveEntry(e.tarName(), TarConstants.LF_NORMAL);
        t.setSize(e.size());
        break;
      default:
        throw new IllegalStateException(e.type().name());
    }
    t.setMode(e.mode());
    t.setUserId((long) e.uid());
    t.setGroupId((long) e.gid());
    t.setUserName("");
    t.setGroupName("");
    t.setLastModifiedTime(FileTime.from(mtimeEpochSeconds, TimeUnit.SECONDS));
    PaxXattrs.write(e.xattrs(), t);
    return t;
  }

  /**
   * The entries exactly as they are written: parents added, hardlink groups rewritten so the first
   * path in tar order carries the content, sorted by path segments (UTF-8 bytes).
   */
  public static List<LayerEntry> plan(Collection<LayerEntry> entries) {
    Map<String, LayerEntry> byKey = new HashMap<>(entries.size() * 2);
    for (LayerEntry e : entries) {
      String key = e.key();
      if (byKey.putIfAbsent(key, e) != null) {
        throw new IllegalArgumentException("two layer entries for the same path '" + key + "'");
      }
    }
    addParents(byKey);
    resolveHardlinks(byKey);
    List<String> keys = new ArrayList<>(byKey.keySet());
    keys.sort(LayerPaths.TAR_ORDER);
    List<LayerEntry> out = new ArrayList<>(keys.size());
    for (String k : keys) {
      out.add(byKey.get(k));
    }
    return out;
  }

  private static void addParents(Map<String, LayerEntry> byKey) {
    List<String> keys = new ArrayList<>(byKey.keySet());
    for (String key : keys) {
      String p = LayerPaths.parent(key);
      while (!p.isEmpty()) {
        LayerEntry existing = byKey.get(p);
        if (existing == null) {
          byKey.put(p, LayerEntry.dir(p, DEFAULT_DIR_MODE, 0, 0));
        } else if (existing.type() != EntryType.DIRECTORY) {
          throw new IllegalArgumentException(
              "'" + key + "' is below '" + p + "', which is a " + existing.type() + " entry");
        } else {
          break; // its own parents were or will be handled when its key is visited
        }
        p = LayerPaths.parent(p);
      }
    }
  }

  /**
   * Tar needs a hardlink's target to come first. Links are symmetric, so each group (a file and
   * every link to it) is rewritten: the path first in tar order becomes the file with the content,
   * the others links to it.
   */
  private static void resolveHardlinks(Map<String, LayerEntry> byKey) {
    Map<String, List<String>> groups = new TreeMap<>();
    for (LayerEntry e : byKey.values()) {
      if (e.type() != EntryType.HARDLINK) {
        continue;
      }
      LayerEntry root = e.linkRoot(byKey::get);
      if (root == null) {
        throw new IllegalArgumentException(
            "hardlink '" + e.path() + "' points to '" + e.linkTarget() + "', not in the layer");
      }
      if (root.type() != EntryType.FILE) {
        throw new IllegalArgumentException(
            "hardlink '" + e.path() + "' points to a " + root.type() + ", not a file");
      }
      groups.computeIfAbsent(root.path(), r -> new ArrayList<>()).add(e.path());
    }
    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
      LayerEntry root = byKey.get(g.getKey());
      List<String> members = new ArrayList<>(g.getValue());
      members.add(root.path());
      members.sort(LayerPaths.TAR_ORDER);
      String first = members.get(0);
      for (String m : members) {
        LayerEntry e = byKey.get(m);
        if (m.equals(first)) {
          byKey.put(m, m.equals(root.path()) ? root : root.withPath(m));
        } else {
          byKey.put(
              m,
              new LayerEntry(
                  m, EntryType.HARDLINK, e.mode(), e.uid(), e.gid(), 0, first, null, e.xattrs()));
        }
      }
    }
  }
}
