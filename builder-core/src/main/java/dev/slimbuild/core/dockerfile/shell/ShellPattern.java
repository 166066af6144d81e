package dev.slimbuild.core.dockerfile.shell;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell patterns of {@code ${VAR#p}}, {@code ${VAR%p}} and {@code ${VAR/p/r}}: {@code *} any
 * string, {@code ?} one character, {@code \} escapes {@code * ? \} (and, inside {@code ${}}, the
 * {@code } /} delimiters). No bracket expressions, as in BuildKit.
 */
final class ShellPattern {
  private ShellPattern() {}

  static Pattern toRegex(String pattern, boolean greedy, boolean anchored) {
    int[] cps = pattern.codePoints().toArray();
    // UNIX_LINES: only '\n' ends a line, so '.' matches '\r' and U+2028 as Go's '.' does
    StringBuilder out = new StringBuilder("(?d)");
    if (anchored) {
      out.append('^');
    }
    for (int i = 0; i < cps.length; i++) {
      int ch = cps[i];
      switch (ch) {
        case '*' -> out.append(greedy ? ".*" : ".*?");
        case '?' -> out.append('.');
        case '\\' -> {
          int following = i + 1 < cps.length ? cps[i + 1] : -1;
          if (following == '}' || following == '/') {
            continue; // escaped delimiter: the backslash is not part of the pattern
          }
          if (following != '*' && following != '?' && following != '\\') {
            throw new ExpansionException(
                "invalid pattern ("
                    + pattern
                    + ") in substitution: invalid escape '\\"
                    + (following == -1 ? "" : Character.toString(following))
                    + "'");
          }
          out.append('\\').appendCodePoint(following);
          i++;
        }
        case '[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$' ->
            out.append('\\').appendCodePoint(ch);
        default -> out.appendCodePoint(ch);
      }
    }
    return Pattern.compile(out.toString());
  }

  static String trimPrefix(String pattern, String value, boolean greedy) {
    Matcher m = toRegex(pattern, greedy, true).matcher(value);
    return m.find() ? value.substring(m.end()) : value;
  }

  /**
   * Regular expressions find leftmost matches, so the shortest or longest suffix is found by
   * reversing both the pattern (keeping escape pairs in order) and the value.
   */
  static String trimSuffix(String pattern, String value, boolean greedy) {
    String trimmed = trimPrefix(reversePattern(pattern), reverse(value), greedy);
    return reverse(trimmed);
  }

  /** Replaces the first match with the replacement taken literally. */
  static String replaceFirst(String pattern, String value, String replacement) {
    Matcher m = toRegex(pattern, true, false).matcher(value);
    if (!m.find()) {
      return value;
    }
    return value.substring(0, m.start()) + replacement + value.substring(m.end());
  }

  /**
   * Replaces every match as Go's {@code Regexp.ReplaceAllString} does: an empty match right after a
   * previous match is not replaced, and {@code $0}/{@code ${0}} in the replacement stand for the
   * match, {@code $$} for a dollar, other {@code $name} for nothing.
   */
  static String replaceAll(String pattern, String value, String replacement) {
    Matcher m = toRegex(pattern, true, false).matcher(value);
    StringBuilder out = new StringBuilder();
    int lastMatchEnd = 0;
    int searchPos = 0;
    while (searchPos <= value.length() && m.find(searchPos)) {
      out.append(value, lastMatchEnd, m.start());
      if (m.end() > lastMatchEnd || m.start() == 0) {
        expandTemplate(out, replacement, m.group());
      }
      lastMatchEnd = m.end();
      int width =
          searchPos < value.length() ? Character.charCount(value.codePointAt(searchPos)) : 1;
      searchPos = Math.max(searchPos + width, m.end());
    }
    out.append(value, lastMatchEnd, value.length());
    return out.toString();
  }

  /** Go's {@code Regexp.Expand} for a regexp whose only group is the whole match. */
  private static void expandTemplate(StringBuilder out, String template, String match) {
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        out.append(c);
        i++;
        continue;
      }
      if (template.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (template.charAt(i + 1) == '{') {
        int close = template.indexOf('}', i + 2);
        name = close < 0 ? "" : template.substring(i + 2, close);
        end = close + 1;
        if (close < 0 || name.isEmpty() || !isNameRun(name)) {
          out.append('$'); // malformed: the dollar is literal
          i++;
          continue;
        }
      } else {
        int j = i + 1;
        while (j < template.length() && isNameChar(template.charAt(j))) {
          j++;
        }
        name = template.substring(i + 1, j);
        end = j;
        if (name.isEmpty()) {
          out.append('$');
          i++;
          continue;
        }
      }
      if (name.equals("0")) {
        out.append(match);
      }
      i = end;
    }
  }

  private static boolean isNameRun(String s) {
    return s.chars().allMatch(ShellPattern::isNameChar);
  }

  private static boolean isNameChar(int c) {
    return c == '_'
        || (c >= '0' && c <= '9')
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c > 0x7f && Character.isLetterOrDigit(c));
  }

  /** Reverses a pattern by code point, keeping each {@code \x} escape pair in order. */
  static String reversePattern(String pattern) {
    int[] in = pattern.codePoints().toArray();
    int[] out = new int[in.length];
    int last = in.length - 1;
    for (int i = 0; i <= last; ) {
      int outIdx = last - i;
      if (in[i] == '\\' && i != last) {
        out[outIdx - 1] = '\\';
        out[outIdx] = in[i + 1];
        i += 2;
      } else {
        out[outIdx] = in[i];
        i++;
      }
    }
    return new String(out, 0, out.length);
  }

  static String reverse(String s) {
    int[] cps = s.codePoints().toArray();
    int[] out = new int[cps.length];
    for (int i = 0; i < cps.length; i++) {
      out[cps.length - 1 - i] = cps[i];
    }
    return new String(out, 0, out.length);
  }
}
