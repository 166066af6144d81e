package dev.slimbuild.core.layer;

import java.util.ArrayDeque;
import java.util.Comparator;
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
  static void checkNormalized(String path) {
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
   * The order of layer entries, in tars and in trees: paths compared segment by segment by code
   * point (the order of their UTF-8 bytes), so a directory is directly followed by its contents
   * ("a", "a/b", "a-b", "a.b"): '/' sorts below every other character. The one order of the
   * builder: the tar writer, the file tree and the RUN snapshot all use it, so a layer's entries
   * come out the same whichever of them listed it. Compares chars without encoding anything.
   */
  public static final Comparator<String> TAR_ORDER = LayerPaths::compareTarOrder;

  private static int compareTarOrder(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x == y) {
        continue;
      }
      if (x == '/') {
        return -1;
      }
      if (y == '/') {
        return 1;
      }
      // UTF-16 order differs from code point order only where surrogates meet U+E000..U+FFFF:
      // a surrogate pair stands for U+10000 or above, so it sorts after every BMP char
      boolean xs = Character.isSurrogate(x);
      boolean ys = Character.isSurrogate(y);
      if (xs != ys) {
        return xs ? 1 : -1;
      }
      return x - y;
    }
    return a.length() - b.length();
  }
}
