package dev.slimbuild.core.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the exec form: a JSON array of strings, with the acceptance rules of Go's {@code
 * encoding/json} (RFC 8259, whitespace = space, tab, CR, LF). Text that is not valid JSON gives
 * {@code null} (the caller falls back to shell form); valid JSON that is not an array of strings
 * throws.
 */
final class JsonArray {
  static final String NOT_STRING_ARRAY =
      "when using JSON array syntax, arrays must be comprised of strings only";
  private static final int MAX_DEPTH = 1000;

  private final String s;
  private int pos;
  private boolean nonString;

  private JsonArray(String s) {
    this.s = s;
  }

  /** The strings of the array, or null if {@code text} is not a valid JSON array. */
  static List<String> parse(String text) {
    String t = Text.trimLeftSpace(text);
    if (!t.startsWith("[")) {
      return null;
    }
    JsonArray p = new JsonArray(t);
    List<String> out = new ArrayList<>();
    try {
      p.skipWs();
      p.expect('[');
      p.skipWs();
      if (p.peek() == ']') {
        p.pos++;
      } else {
        while (true) {
          p.skipWs();
          if (p.peek() == '"') {
            out.add(p.string());
          } else {
            p.nonString = true;
            p.value(1);
          }
          p.skipWs();
          char c = p.next();
          if (c == ']') {
            break;
          }
          if (c != ',') {
            return null;
          }
        }
      }
      p.skipWs();
      if (p.pos != t.length()) {
        return null;
      }
    } catch (Invalid e) {
      return null;
    }
    if (p.nonString) {
      throw new SyntaxError(NOT_STRING_ARRAY);
    }
    return out;
  }

  private static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid() {
      super(null, null, false, false);
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() throws Invalid {
    if (pos >= s.length()) {
      throw new Invalid();
    }
    return s.charAt(pos++);
  }

  private void expect(char c) throws Invalid {
    if (next() != c) {
      throw new Invalid();
    }
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void value(int depth) throws Invalid {
    if (depth > MAX_DEPTH) {
      throw new Invalid();
    }
    skipWs();
    char c = peek();
    switch (c) {
      case '"' -> string();
      case '[' -> {
        pos++;
        skipWs();
        if (peek() == ']') {
          pos++;
          return;
        }
        while (true) {
          value(depth + 1);
          skipWs();
          char d = next();
          if (d == ']') {
            return;
          }
          if (d != ',') {
            throw new Invalid();
          }
        }
      }
      case '{' -> {
        pos++;
        skipWs();
        if (peek() == '}') {
          pos++;
          return;
        }
        while (true) {
          skipWs();
          if (peek() != '"') {
            throw new Invalid();
          }
          string();
          skipWs();
          expect(':');
          value(depth + 1);
          skipWs();
          char d = next();
          if (d == '}') {
            return;
          }
          if (d != ',') {
            throw new Invalid();
          }
        }
      }
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    }
  }

  private void literal(String word) throws Invalid {
    if (!s.startsWith(word, pos)) {
      throw new Invalid();
    }
    pos += word.length();
  }

  private void number() throws Invalid {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw new Invalid();
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw new Invalid();
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw new Invalid();
      }
      digits();
    }
    if (pos == start) {
      throw new Invalid();
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private String string() throws Invalid {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw new Invalid();
      }
      if (c != '\\') {
        // Go replaces invalid UTF-8 (here: unpaired surrogates) with U+FFFD
        if (Character.isHighSurrogate(c) && Character.isLowSurrogate(peek())) {
          sb.append(c).append(next());
        } else {
          sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
        }
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          char u = hex4();
          if (Character.isHighSurrogate(u)
              && s.startsWith("\\u", pos)
              && pos + 6 <= s.length()
              && Character.isLowSurrogate(peekHex4(pos + 2))) {
            pos += 2;
            sb.append(u).append(hex4());
          } else {
            sb.append(Character.isSurrogate(u) ? '\uFFFD' : u);
          }
        }
        default -> throw new Invalid();
      }
    }
  }

  private char peekHex4(int at) {
    int v = 0;
    for (int i = at; i < at + 4; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0 || s.charAt(i) > 'f') {
        return 0;
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private char hex4() throws Invalid {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      char c = next();
      int d = Character.digit(c, 16);
      if (d < 0 || c > 'f') {
        throw new Invalid();
      }
      v = v * 16 + d;
    }
    return (char) v;
  }
}
