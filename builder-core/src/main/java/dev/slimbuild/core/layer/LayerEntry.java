package dev.slimbuild.core.layer;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One entry of a layer: metadata plus, for a FILE, where its bytes come from (never read before the
 * layer is written).
 *
 * @param path normalised relative path ('/'-separated, no leading or trailing '/', no "." or "..")
 * @param type what the entry is
 * @param mode permission bits plus setuid/setgid/sticky ({@code 07777} at most)
 * @param uid owner user id
 * @param gid owner group id
 * @param size content length of a FILE, 0 otherwise
 * @param linkTarget a SYMLINK's target as written, or a HARDLINK's target entry path; else null
 * @param content a FILE's bytes; null for every other type
 * @param xattrs extended attributes, written as PAX {@code SCHILY.xattr.*} records
 */
public record LayerEntry(
    String path,
    EntryType type,
    int mode,
    int uid,
    int gid,
    long size,
    String linkTarget,
    ContentSource content,
    Map<String, String> xattrs) {

  /** Prefix of a whiteout file name (OCI image-spec layer.md, "Whiteouts"). */
  static final String WHITEOUT_PREFIX = ".wh.";

  /** Name of the opaque-directory marker inside the directory. */
  public static final String OPAQUE_MARKER = ".wh..wh..opq";

  public LayerEntry {
    Objects.requireNonNull(type, "type");
    LayerPaths.checkNormalized(path);
    if (type != EntryType.WHITEOUT
        && type != EntryType.OPAQUE
        && LayerPaths.name(path).startsWith(WHITEOUT_PREFIX)) {
      throw new IllegalArgumentException(
          "'" + path + "': names starting with .wh. are reserved for whiteouts");
    }
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException(
          "'" + path + "': mode " + Integer.toOctalString(mode) + " has bits outside 07777");
    }
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("'" + path + "': negative uid/gid " + uid + "/" + gid);
    }
    if (type == EntryType.FILE) {
      if (size < 0) {
        throw new IllegalArgumentException("'" + path + "': negative size " + size);
      }
      if (content == null) {
        if (size != 0) {
          throw new IllegalArgumentException(
              "'" + path + "': file of size " + size + " has no content");
        }
        content = ContentSource.EMPTY;
      }
    } else {
      if (size != 0) {
        throw new IllegalArgumentException("'" + path + "': only files have a size");
      }
      if (content != null) {
        throw new IllegalArgumentException("'" + path + "': only files have content");
      }
    }
    switch (type) {
      case SYMLINK:
        if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("'" + path + "': symlink needs a target");
        }
        break;
      case HARDLINK:
        LayerPaths.checkNormalized(linkTarget);
        if (linkTarget.equals(path)) {
          throw new IllegalArgumentException("'" + path + "': hardlink to itself");
        }
        break;
      default:
        if (linkTarget != null) {
          throw new IllegalArgumentException("'" + path + "': only links have a target");
        }
    }
    SortedMap<String, String> x = new TreeMap<>();
    if (xattrs != null) {
      for (Map.Entry<String, String> e : xattrs.entrySet()) {
        if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0 || e.getValue() == null) {
          throw new IllegalArgumentException("'" + path + "': bad xattr " + e.getKey());
        }
        x.put(e.getKey(), e.getValue());
      }
    }
    xattrs = Collections.unmodifiableSortedMap(x);
  }

  /** A regular file of {@code size} bytes read from {@code source} when the layer is written. */
  public static LayerEntry file(
      String path, int mode, int uid, int gid, long size, ContentSource source) {
    return new LayerEntry(
        LayerPaths.normalize(path), EntryType.FILE, mode, uid, gid, size, null, source, null);
  }

  /** A directory. */
  public static LayerEntry dir(String path, int mode, int uid, int gid) {
    return new LayerEntry(
        LayerPaths.normalize(path), EntryType.DIRECTORY, mode, uid, gid, 0, null, null, null);
  }

  /** A symbolic link to {@code target} (kept as written), mode 0777. */
  public static LayerEntry symlink(String path, String target, int uid, int gid) {
    return new LayerEntry(
        LayerPaths.normalize(path), EntryType.SYMLINK, 0777, uid, gid, 0, target, null, null);
  }

  /** A hard link to the entry at {@code targetPath} of the same layer. */
  public static LayerEntry hardlink(String path, String targetPath, int mode, int uid, int gid) {
    return new LayerEntry(
        LayerPaths.normalize(path),
        EntryType.HARDLINK,
        mode,
        uid,
        gid,
        0,
        LayerPaths.normalize(targetPath),
        null,
        null);
  }

  /** Deletes {@code path} (and everything under it) from the layers below. */
  public static LayerEntry whiteout(String path) {
    return new LayerEntry(
        LayerPaths.normalize(path), EntryType.WHITEOUT, 0, 0, 0, 0, null, null, null);
  }

  /** Hides every lower-layer child of the directory {@code dirPath}. */
  public static LayerEntry opaque(String dirPath) {
    return new LayerEntry(
        LayerPaths.normalize(dirPath), EntryType.OPAQUE, 0, 0, 0, 0, null, null, null);
  }

  /** This entry with other extended attributes. */
  public LayerEntry withXattrs(Map<String, String> newXattrs) {
    return new LayerEntry(path, type, mode, uid, gid, size, linkTarget, content, newXattrs);
  }

  /** This entry moved to {@code newPath}; a hardlink's target is left to the caller. */
  public LayerEntry withPath(String newPath) {
    return new LayerEntry(newPath, type, mode, uid, gid, size, linkTarget, content, xattrs);
  }

  /** This entry with its content source dropped, for comparing metadata (FILE gets EMPTY). */
  public LayerEntry withoutContent() {
    return content == null ? this : withContent(ContentSource.EMPTY);
  }

  /** This entry with another content source. */
  public LayerEntry withContent(ContentSource newContent) {
    return new LayerEntry(path, type, mode, uid, gid, size, linkTarget, newContent, xattrs);
  }

  /** This entry with other ownership. */
  public LayerEntry withOwner(int newUid, int newGid) {
    return new LayerEntry(path, type, mode, newUid, newGid, size, linkTarget, content, xattrs);
  }

  /**
   * The name of this entry in a tar: directories end with '/', whiteouts become {@code .wh.NAME},
   * opaque markers {@code DIR/.wh..wh..opq}.
   */
  public String tarName() {
    switch (type) {
      case DIRECTORY:
        return path + "/";
      case WHITEOUT:
        return LayerPaths.join(LayerPaths.parent(path), WHITEOUT_PREFIX + LayerPaths.name(path));
      case OPAQUE:
        return path + "/" + OPAQUE_MARKER;
      default:
        return path;
    }
  }

  /** Whether this entry is a directory. */
  public boolean isDirectory() {
    return type == EntryType.DIRECTORY;
  }

  /** How many hard links in a row {@link #linkRoot} follows before giving up. */
  static final int MAX_LINK_DEPTH = 64;

  /**
   * The entry this one's hard-link chain ends at ({@code this} unless a hard link), each target
   * looked up by path in {@code byPath}; null when a target is missing or the chain is longer than
   * {@link #MAX_LINK_DEPTH}. The caller checks that it is a file.
   */
  public LayerEntry linkRoot(Function<String, LayerEntry> byPath) {
    LayerEntry e = this;
    for (int depth = 0; e.type == EntryType.HARDLINK; depth++) {
      if (depth == MAX_LINK_DEPTH) {
        return null;
      }
      e = byPath.apply(e.linkTarget);
      if (e == null) {
        return null;
      }
    }
    return e;
  }

  /** Whether this entry is a whiteout or an opaque marker: it hides, it holds nothing. */
  public boolean isMarker() {
    return type == EntryType.WHITEOUT || type == EntryType.OPAQUE;
  }

  /**
   * The name a layer knows this entry by: a marker's tar name (several markers and the directory
   * they sit in share a path), else its path.
   */
  public String key() {
    return isMarker() ? tarName() : path;
  }
}
