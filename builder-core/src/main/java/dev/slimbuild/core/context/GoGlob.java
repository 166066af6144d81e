package dev.slimbuild.core.context;

import dev.slimbuild.core.SlimbuildException;
import java.nio.charset.StandardCharsets;

/**
 * Shell file name patterns with the semantics of Go's {@code path/filepath.Match} on Unix: {@code
 * *} any run of non-{@code /} characters, {@code ?} one non-{@code /} character, {@code [...]}
 * character classes ({@code ^} negates, {@code a-z} ranges), {@code \} escapes. A malformed pattern
 * is an error even when the name would not match. Works on UTF-8 bytes as Go does.
 */
public final class GoGlob {
  private static final int RUNE_ERROR = 0xFFFD;

  private GoGlob() {}

  /**
   * Reports whether all of {@code name} matches {@code pattern}.
   *
   * @throws SlimbuildException if the pattern is malformed ("syntax error in pattern")
   */
  public static boolean match(String pattern, String name) {
    Result r = matchBytes(utf8(pattern), utf8(name));
    if (r == Result.BAD) {
      throw new SlimbuildException("syntax error in pattern \"" + pattern + "\"");
    }
    return r == Result.MATCH;
  }

  /** Whether {@code pattern} is well formed. */
  public static boolean isValid(String pattern) {
    return matchBytes(utf8(pattern), utf8(".")) != Result.BAD;
  }

  /** Whether the path segment has any of {@code * ? [} outside an escape (BuildKit's test). */
  public static boolean containsWildcards(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '*' || c == '?' || c == '[') {
        return true;
      }
    }
    return false;
  }

  private enum Result {
    MATCH,
    NO_MATCH,
    BAD
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Result matchBytes(byte[] pattern, byte[] name) {
    int p = 0;
    int n = 0;
    outer:
    while (p < pattern.length) {
      boolean star = false;
      while (p < pattern.length && pattern[p] == '*') {
        p++;
        star = true;
      }
      int chunkStart = p;
      int chunkEnd = scanChunkEnd(pattern, p);
      p = chunkEnd;
      if (star && chunkStart == chunkEnd) {
        // a trailing star matches the rest unless it holds a separator
        for (int i = n; i < name.length; i++) {
          if (name[i] == '/') {
            return Result.NO_MATCH;
          }
        }
        return Result.MATCH;
      }
      long r = matchChunk(pattern, chunkStart, chunkEnd, name, n);
      if (r >= 0 && (r == name.length || p < pattern.length)) {
        n = (int) r;
        continue;
      }
      if (r == BAD) {
        return Result.BAD;
      }
      if (star) {
        for (int i = n; i < name.length && name[i] != '/'; i++) {
          long t = matchChunk(pattern, chunkStart, chunkEnd, name, i + 1);
          if (t >= 0) {
            if (p == pattern.length && t < name.length) {
              continue; // the last chunk must use up the name
            }
            n = (int) t;
            continue outer;
          }
          if (t == BAD) {
            return Result.BAD;
          }
        }
      }
      // before failing, make sure the rest of the pattern is well formed
      while (p < pattern.length) {
        while (p < pattern.length && pattern[p] == '*') {
          p++;
        }
        int end = scanChunkEnd(pattern, p);
        if (matchChunk(pattern, p, end, name, name.length) == BAD) {
          return Result.BAD;
        }
        p = end;
      }
      return Result.NO_MATCH;
    }
    return n == name.length ? Result.MATCH : Result.NO_MATCH;
  }

  /** The end of the chunk starting at {@code p}: up to the next star outside a class. */
  private static int scanChunkEnd(byte[] pattern, int p) {
    boolean inRange = false;
    int i = p;
    for (; i < pattern.length; i++) {
      byte c = pattern[i];
      if (c == '\\') {
        if (i + 1 < pattern.length) {
          i++;
        }
      } else if (c == '[') {
        inRange = true;
      } else if (c == ']') {
        inRange = false;
      } else if (c == '*' && !inRange) {
        break;
      }
    }
    return i;
  }

  private static final long NO = -1;
  private static final long BAD = -2;

  /**
   * Matches the chunk against the start of {@code name[s..]}; returns the index after the match,
   * {@link #NO} or {@link #BAD}. After a mismatch the chunk is still parsed to find syntax errors.
   */
  private static long matchChunk(byte[] pat, int c, int end, byte[] name, int s) {
    boolean failed = false;
    while (c < end) {
      if (!failed && s >= name.length) {
        failed = true;
      }
      byte ch = pat[c];
      if (ch == '[') {
        int r = 0;
        if (!failed) {
          long dec = decode(name, s);
          r = (int) (dec >> 8);
          s += (int) (dec & 0xff);
        }
        c++;
        boolean negated = false;
        if (c < end && pat[c] == '^') {
          negated = true;
          c++;
        }
        boolean match = false;
        int nrange = 0;
        while (true) {
          if (c < end && pat[c] == ']' && nrange > 0) {
            c++;
            break;
          }
          long lo = getEsc(pat, c, end);
          if (lo < 0) {
            return BAD;
          }
          c = (int) (lo & 0xffffffffL);
          int loRune = (int) (lo >>> 32);
          int hiRune = loRune;
          if (pat[c] == '-') {
            long hi = getEsc(pat, c + 1, end);
            if (hi < 0) {
              return BAD;
            }
            c = (int) (hi & 0xffffffffL);
            hiRune = (int) (hi >>> 32);
          }
          if (loRune <= r && r <= hiRune) {
            match = true;
          }
          nrange++;
        }
        if (match == negated) {
          failed = true;
        }
      } else if (ch == '?') {
        if (!failed) {
          if (name[s] == '/') {
            failed = true;
          }
          s += (int) (decode(name, s) & 0xff);
        }
        c++;
      } else {
        if (ch == '\\') {
          c++;
          if (c >= end) {
            return BAD;
          }
        }
        if (!failed) {
          if (pat[c] != name[s]) {
            failed = true;
          }
          s++;
        }
        c++;
      }
    }
    return failed ? NO : s;
  }

  /**
   * A possibly escaped character of a class: returns {@code rune << 32 | nextIndex}, or a negative
   * value for a syntax error (Go's {@code getEsc}).
   */
  private static long getEsc(byte[] pat, int c, int end) {
    if (c >= end || pat[c] == '-' || pat[c] == ']') {
      return BAD;
    }
    if (pat[c] == '\\') {
      c++;
      if (c >= end) {
        return BAD;
      }
    }
    long dec = decode(pat, c, end);
    int rune = (int) (dec >> 8);
    int width = (int) (dec & 0xff);
    if (rune == RUNE_ERROR && width == 1) {
      return BAD;
    }
    c += width;
    if (c >= end) {
      return BAD;
    }
    return ((long) rune << 32) | c;
  }

  private static long decode(byte[] b, int i) {
    return decode(b, i, b.length);
  }

  /** Go's utf8.DecodeRune: {@code rune << 8 | width}; invalid input gives (U+FFFD, 1). */
  private static long decode(byte[] b, int i, int end) {
    int b0 = b[i] & 0xff;
    if (b0 < 0x80) {
      return ((long) b0 << 8) | 1;
    }
    int need;
    int min;
    int cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      need = 1;
      min = 0x80;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      need = 2;
      min = 0x800;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      need = 3;
      min = 0x10000;
      cp = b0 & 0x07;
    } else {
      return ((long) RUNE_ERROR << 8) | 1;
    }
    if (i + need >= end) {
      return ((long) RUNE_ERROR << 8) | 1;
    }
    for (int k = 1; k <= need; k++) {
      int bk = b[i + k] & 0xff;
      if ((bk & 0xC0) != 0x80) {
        return ((long) RUNE_ERROR << 8) | 1;
      }
      cp = (cp << 6) | (bk & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return ((long) RUNE_ERROR << 8) | 1;
    }
    return ((long) cp << 8) | (need + 1);
  }
}
