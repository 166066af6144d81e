package dev.slimbuild.core.context;

/** Lexical path helpers with Go's {@code path/filepath} semantics on Unix. */
final class GoPaths {
  private GoPaths() {}

  /**
   * Go's {@code filepath.Clean}: collapses repeated slashes, drops {@code .} elements, resolves
   * {@code ..} lexically (a rooted path cannot climb above {@code /}), drops a trailing slash; an
   * empty result is {@code "."}.
   */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.charAt(0) == '/';
    StringBuilder out = new StringBuilder();
    if (rooted) {
      out.append('/');
    }
    int dotdot = out.length(); // where a ".." can no longer backtrack
    int r = rooted ? 1 : 0;
    int n = path.length();
    while (r < n) {
      if (path.charAt(r) == '/') {
        r++;
      } else if (path.charAt(r) == '.' && (r + 1 == n || path.charAt(r + 1) == '/')) {
        r++;
      } else if (path.charAt(r) == '.'
          && path.charAt(r + 1) == '.'
          && (r + 2 == n || path.charAt(r + 2) == '/')) {
        r += 2;
        if (out.length() > dotdot) {
          int w = out.length() - 1;
          while (w > dotdot && out.charAt(w) != '/') {
            w--;
          }
          out.setLength(w);
        } else if (!rooted) {
          if (out.length() > 0) {
            out.append('/');
          }
          out.append("..");
          dotdot = out.length();
        }
      } else {
        if ((rooted && out.length() != 1) || (!rooted && out.length() != 0)) {
          out.append('/');
        }
        while (r < n && path.charAt(r) != '/') {
          out.append(path.charAt(r));
          r++;
        }
      }
    }
    if (out.length() == 0) {
      return ".";
    }
    return out.toString();
  }

  /** Go's {@code filepath.Dir}: everything before the last slash, cleaned. */
  static String dir(String path) {
    int i = path.lastIndexOf('/');
    return clean(path.substring(0, i + 1));
  }
}
