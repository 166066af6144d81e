package dev.slimbuild.core.optimize;

import java.util.ArrayList;
import java.util.List;

/**
 * An absolute path pattern: segments separated by '/', {@code *} and {@code ?} within a segment,
 * {@code **} for any number of whole segments (zero included). A pattern matches a path when it
 * matches the path itself or one of its ancestors, so a matched directory takes its subtree along.
 */
final class PathGlob {
  private final String text;
  private final String[] segments;

  private PathGlob(String text, String[] segments) {
    this.text = text;
    this.segments = segments;
  }

  /** {@code pattern} (absolute; a leading {@code ~/} must already be resolved). */
  static PathGlob of(String pattern) {
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("pattern '" + pattern + "' is not absolute");
    }
    List<String> segs = new ArrayList<>();
    for (String s : pattern.split("/")) {
      if (!s.isEmpty() && !s.equals(".")) {
        segs.add(s);
      }
    }
    if (segs.isEmpty()) {
      throw new IllegalArgumentException("pattern '" + pattern + "' would match everything");
    }
    return new PathGlob(pattern, segs.toArray(new String[0]));
  }

  /** Whether the layer path {@code path} (relative, '/'-separated) or an ancestor matches. */
  boolean matchesOrUnder(String path) {
    String[] p = path.split("/");
    for (int n = 1; n <= p.length; n++) {
      if (match(0, p, 0, n)) {
        return true;
      }
    }
    return false;
  }

  private boolean match(int si, String[] path, int pi, int end) {
    while (si < segments.length) {
      String s = segments[si];
      if (s.equals("**")) {
        for (int k = pi; k <= end; k++) {
          if (match(si + 1, path, k, end)) {
            return true;
          }
        }
        return false;
      }
      if (pi >= end || !segment(s, 0, path[pi], 0)) {
        return false;
      }
      si++;
      pi++;
    }
    return pi == end;
  }

  /** {@code *} and {@code ?} inside one segment (bounded: recursion only at each '*'). */
  private static boolean segment(String pat, int i, String name, int j) {
    while (i < pat.length()) {
      char c = pat.charAt(i);
      if (c == '*') {
        for (int k = j; k <= name.length(); k++) {
          if (segment(pat, i + 1, name, k)) {
            return true;
          }
        }
        return false;
      }
      if (j >= name.length() || (c != '?' && c != name.charAt(j))) {
        return false;
      }
      i++;
      j++;
    }
    return j == name.length();
  }

  @Override
  public String toString() {
    return text;
  }
}
