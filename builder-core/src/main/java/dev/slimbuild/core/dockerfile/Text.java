package dev.slimbuild.core.dockerfile;

import dev.slimbuild.core.dockerfile.shell.ShellLex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Go's notion of white space, which BuildKit's parser uses throughout. */
public final class Text {
  private Text() {}

  /** Go's {@code unicode.IsSpace} (kept with the shell lexer, which splits words on it). */
  public static boolean isSpace(int c) {
    return ShellLex.isSpace(c);
  }

  /** The characters of BuildKit's {@code [\t\v\f\r ]} class. */
  static boolean isBlank(char c) {
    return c == '\t' || c == 0x0b || c == '\f' || c == '\r' || c == ' ';
  }

  /** Drops Go white space ({@link #isSpace}) at the start. */
  static String trimLeftSpace(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return s.substring(i);
  }

  /** Go's {@code strings.TrimSpace}. */
  public static String trimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** Splits on runs of {@code [\t\v\f\r ]}, at most {@code limit} parts (no limit if negative). */
  static List<String> splitBlank(String s, int limit) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < s.length()) {
      if (isBlank(s.charAt(i)) && (limit < 0 || parts.size() < limit - 1)) {
        int j = i;
        while (j < s.length() && isBlank(s.charAt(j))) {
          j++;
        }
        parts.add(s.substring(start, i));
        start = j;
        i = j;
      } else {
        i++;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  /** Levenshtein distance, for "did you mean". */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The closest option at distance below 3, or null; an exact match means no suggestion. */
  public static String suggest(String value, Collection<String> options) {
    String best = null;
    int min = 3;
    for (String option : options) {
      if (option.equals(value)) {
        return null;
      }
      int d = distance(value, option);
      if (d < min) {
        min = d;
        best = option;
      }
    }
    return best;
  }
}
