package dev.slimbuild.core.layer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Path rules of the layer model: relative, '/'-separated, no empty, "." or ".." segment. */
public final class LayerPaths {
  private LayerPaths() {}

  /**
   * Normalises a user-given path: drops leading and trailing '/', "./" and empty segments, resolves
   * ".." lexically. Throws IllegalArgumentException when ".." climbs above the root or nothing is
   * left.
   */
  public static String normalize(String path) {
    String n = normalizeOrRoot(path);
    if (n.isEmpty()) {
      throw new IllegalArgumentException("layer path is empty or the root: '" + path + "'");
    }
    return n;
  }

  /** Like {@link #normalize} but returns "" for the root ("", "/", "."). */
  public static String normalizeOrRoot(String path) {
    Deque<String> segs = new ArrayDeque<>();
    for (String s : path.split("/", -1)) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (segs.isEmpty()) {
          throw new IllegalArgumentException("layer path escapes the root: '" + path + "'");
        }
        segs.removeLast();
      } else {
        segs.addLast(s);
      }
    }
    return String.join("/", segs);
  }

  /** Throws IllegalArgumentException unless {@code path} is already normalised and not the root. */
  public static void checkNormalized(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("layer path is empty");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("layer path contains NUL: '" + path + "'");
    }
    for (String s : path.split("/", -1)) {
      if (s.isEmpty() || s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("layer path is not normalised: '" + path + "'");
      }
    }
  }

  /** The parent of a normalised path, "" for a top-level path. */
  public static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }

  /** The last segment of a normalised path. */
  public static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** {@code dir + "/" + child}, or {@code child} when dir is the root "". */
  public static String join(String dir, String child) {
    return dir.isEmpty() ? child : dir + "/" + child;
  }

  /**
   * A sort key ordering paths segment by segment by UTF-8 bytes, so a directory is directly
   * followed by its contents ("a", "a/b", "a.b"): '/' becomes 0, below every other byte.
   */
  static byte[] sortKey(String path) {
    byte[] b = path.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '/') {
        b[i] = 0;
      }
    }
    return b;
  }
}
