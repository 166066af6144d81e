package dev.slimbuild.core.context;

import java.util.Map;

/**
 * Rewrites the small subset of Go (RE2) regular expression syntax that ignore patterns compile to
 * into {@link java.util.regex.Pattern} syntax with the same meaning. Outside brackets the two
 * agree; inside brackets Go takes {@code [} and {@code &} literally and knows {@code [:alpha:]}
 * classes, and a {@code ]} right after the opening bracket is literal.
 */
final class GoRegex {
  private static final Map<String, String> POSIX =
      Map.ofEntries(
          Map.entry("alnum", "\\p{Alnum}"),
          Map.entry("alpha", "\\p{Alpha}"),
          Map.entry("ascii", "\\p{ASCII}"),
          Map.entry("blank", "\\p{Blank}"),
          Map.entry("cntrl", "\\p{Cntrl}"),
          Map.entry("digit", "\\p{Digit}"),
          Map.entry("graph", "\\p{Graph}"),
          Map.entry("lower", "\\p{Lower}"),
          Map.entry("print", "\\p{Print}"),
          Map.entry("punct", "\\p{Punct}"),
          Map.entry("space", "\\s"),
          Map.entry("upper", "\\p{Upper}"),
          Map.entry("word", "\\w"),
          Map.entry("xdigit", "\\p{XDigit}"));

  private GoRegex() {}

  /**
   * @throws IllegalArgumentException if the expression is not valid (an unclosed bracket, an
   *     unknown class name)
   */
  static String toJava(String go) {
    int[] cps = go.codePoints().toArray();
    // UNIX_LINES: '.' then excludes only '\n', as in Go
    StringBuilder out = new StringBuilder("(?d)");
    int i = 0;
    while (i < cps.length) {
      int c = cps[i];
      if (c == '\\') {
        if (i + 1 >= cps.length) {
          throw new IllegalArgumentException("trailing backslash");
        }
        out.append('\\').appendCodePoint(cps[i + 1]);
        i += 2;
      } else if (c == '[') {
        i = bracket(cps, i + 1, out);
      } else {
        out.appendCodePoint(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Copies a bracket expression whose body starts at {@code i}; returns the index after it. */
  private static int bracket(int[] cps, int i, StringBuilder out) {
    out.append('[');
    if (i < cps.length && cps[i] == '^') {
      out.append('^');
      i++;
    }
    boolean first = true;
    while (true) {
      if (i >= cps.length) {
        throw new IllegalArgumentException("missing closing ]");
      }
      int c = cps[i];
      if (c == ']' && !first) {
        out.append(']');
        return i + 1;
      }
      first = false;
      if (c == '\\') {
        if (i + 1 >= cps.length) {
          throw new IllegalArgumentException("trailing backslash");
        }
        out.append('\\').appendCodePoint(cps[i + 1]);
        i += 2;
      } else if (c == '[' && i + 1 < cps.length && cps[i + 1] == ':') {
        int close = indexOf(cps, i + 2);
        if (close < 0) {
          out.append("\\[");
          i++;
          continue;
        }
        String name = new String(cps, i + 2, close - (i + 2));
        boolean negated = name.startsWith("^");
        String java = POSIX.get(negated ? name.substring(1) : name);
        if (java == null) {
          throw new IllegalArgumentException("invalid character class range [:" + name + ":]");
        }
        out.append(
            negated
                ? java.replace("\\p", "\\P").replace("\\s", "\\S").replace("\\w", "\\W")
                : java);
        i = close + 2;
      } else if (c == '[' || c == ']' || c == '&') {
        out.append('\\').appendCodePoint(c);
        i++;
      } else {
        out.appendCodePoint(c);
        i++;
      }
    }
  }

  /** The index of the ":]" that ends a POSIX class name starting at {@code from}, or -1. */
  private static int indexOf(int[] cps, int from) {
    for (int k = from; k + 1 < cps.length; k++) {
      if (cps[k] == ':' && cps[k + 1] == ']') {
        return k;
      }
      if (cps[k] == ']') {
        return -1;
      }
    }
    return -1;
  }
}
