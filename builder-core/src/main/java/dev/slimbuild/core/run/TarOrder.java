package dev.slimbuild.core.run;

import java.util.Comparator;

/**
 * The order of layer entries: path segments compared by code point (the order of their UTF-8
 * bytes), so a directory is directly followed by its contents ("a", "a/b", "a.b").
 */
final class TarOrder {
  private TarOrder() {}

  /** Compares two normalised layer paths segment by segment. */
  static final Comparator<String> PATHS = TarOrder::compare;

  static int compare(String a, String b) {
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
      // UTF-16 order differs from code point order only where surrogates meet U+E000..U+FFFF
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
