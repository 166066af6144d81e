package dev.slimbuild.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses JSON text (RFC 8259, strict: no comments, no trailing commas, no BOM, UTF-8 only) into a
 * {@link JsonValue} tree, and writes a tree in canonical compact form.
 *
 * <p>The writer produces what Go's {@code encoding/json} Marshal produces for the same members in
 * the same order: no whitespace; {@code "} and {@code \} escaped; {@code \b \f \n \r \t} in short
 * form (Go 1.22 and later), other control characters as backslash-u00XX; {@code <}, {@code >},
 * {@code &}, U+2028 and U+2029 as backslash-u escapes (003c, 003e, 0026, 2028, 2029); lone
 * surrogates as the escape of U+FFFD; lower-case hex digits. Docker and BuildKit write their JSON
 * with Go, so this keeps our documents byte-identical to theirs.
 */
public final class Json {
  /**
   * How deep arrays and objects may nest below the top-level value. Deep enough for any document we
   * read (npm's version 1 lockfiles nest two levels per level of dependencies), shallow enough that
   * hostile input cannot overflow the stack of this recursive parser: 1000 levels take about 600
   * KiB, within the JVM's default 1 MiB thread stack; Go's limit of 10000 would not fit. It is also
   * Jackson's default (StreamReadConstraints).
   */
  static final int MAX_DEPTH = 1000;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Parses UTF-8 JSON text; invalid UTF-8 is rejected. */
  public static JsonValue parse(byte[] utf8) {
    return parse(decode(utf8), false);
  }

  /** Parses JSON text. */
  public static JsonValue parse(String text) {
    return parse(text, false);
  }

  /**
   * Parses UTF-8 JSON text like {@link #parse(byte[])} and also rejects an object that repeats a
   * key: a signed document must mean the same to every reader, and readers differ in which of two
   * values they keep.
   */
  public static JsonValue parseStrict(byte[] utf8) {
    return parse(decode(utf8), true);
  }

  private static String decode(byte[] utf8) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new JsonParseException("text is not valid UTF-8", 0);
    }
  }

  private static JsonValue parse(String text, boolean uniqueKeys) {
    Parser p = new Parser(text, uniqueKeys);
    p.skipWhitespace();
    JsonValue v = p.value(0);
    p.skipWhitespace();
    if (p.pos != text.length()) {
      throw new JsonParseException("unexpected data after the top-level value", p.pos);
    }
    return v;
  }

  /** The canonical compact UTF-8 encoding of {@code value}. */
  public static byte[] write(JsonValue value) {
    return writeString(value).getBytes(StandardCharsets.UTF_8);
  }

  /** The canonical compact encoding of {@code value} as a string. */
  public static String writeString(JsonValue value) {
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.toString();
  }

  private static void append(StringBuilder sb, JsonValue value) {
    if (value instanceof JsonObject o) {
      sb.append('{');
      boolean first = true;
      for (var e : o.members().entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        appendString(sb, e.getKey());
        sb.append(':');
        append(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof JsonArray a) {
      sb.append('[');
      for (int i = 0; i < a.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        append(sb, a.get(i));
      }
      sb.append(']');
    } else if (value instanceof JsonString s) {
      appendString(sb, s.value());
    } else if (value instanceof JsonNumber n) {
      sb.append(n.text());
    } else if (value instanceof JsonBoolean b) {
      sb.append(b.value());
    } else {
      sb.append("null");
    }
  }

  /** Appends {@code s} as a quoted JSON string with Go's escaping (see the class comment). */
  static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(sb, c);
        default -> {
          if (c < 0x20) {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            sb.append("\\ufffd");
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  private static final class Parser {
    private final String s;
    private final boolean uniqueKeys;
    private int pos;

    Parser(String s, boolean uniqueKeys) {
      this.s = s;
      this.uniqueKeys = uniqueKeys;
    }

    void skipWhitespace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    JsonValue value(int depth) {
      if (depth > MAX_DEPTH) {
        throw new JsonParseException("nesting deeper than " + MAX_DEPTH, pos);
      }
      if (pos >= s.length()) {
        throw new JsonParseException("unexpected end of input", pos);
      }
      char c = s.charAt(pos);
      return switch (c) {
        case '{' -> object(depth);
        case '[' -> array(depth);
        case '"' -> new JsonString(string());
        case 't' -> literal("true", JsonBoolean.TRUE);
        case 'f' -> literal("false", JsonBoolean.FALSE);
        case 'n' -> literal("null", JsonNull.INSTANCE);
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            yield number();
          }
          throw new JsonParseException("unexpected character '" + printable(c) + "'", pos);
        }
      };
    }

    private JsonValue literal(String word, JsonValue v) {
      if (!s.startsWith(word, pos)) {
        throw new JsonParseException("invalid literal, expected " + word, pos);
      }
      pos += word.length();
      return v;
    }

    private JsonObject object(int depth) {
      pos++; // '{'
      JsonObject.Builder b = JsonObject.builder();
      skipWhitespace();
      if (peek() == '}') {
        pos++;
        return b.build();
      }
      while (true) {
        skipWhitespace();
        if (peek() != '"') {
          throw new JsonParseException("expected a string key", pos);
        }
        int keyStart = pos;
        String key = string();
        if (uniqueKeys && b.has(key)) {
          throw new JsonParseException("duplicate key " + quote(key), keyStart);
        }
        skipWhitespace();
        expect(':');
        skipWhitespace();
        b.put(key, value(depth + 1));
        skipWhitespace();
        char c = peek();
        pos++;
        if (c == '}') {
          return b.build();
        }
        if (c != ',') {
          throw new JsonParseException("expected ',' or '}' in object", pos - 1);
        }
      }
    }

    private JsonArray array(int depth) {
      pos++; // '['
      List<JsonValue> values = new ArrayList<>();
      skipWhitespace();
      if (peek() == ']') {
        pos++;
        return new JsonArray(values);
      }
      while (true) {
        skipWhitespace();
        values.add(value(depth + 1));
        skipWhitespace();
        char c = peek();
        pos++;
        if (c == ']') {
          return new JsonArray(values);
        }
        if (c != ',') {
          throw new JsonParseException("expected ',' or ']' in array", pos - 1);
        }
      }
    }

    private String string() {
      pos++; // opening quote
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw new JsonParseException("unterminated string", pos);
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return replaceLoneSurrogates(sb);
        }
        if (c < 0x20) {
          throw new JsonParseException("control character in string", pos - 1);
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw new JsonParseException("unterminated escape", pos);
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw new JsonParseException("truncated \\u escape", pos);
            }
            int cp = 0;
            for (int i = 0; i < 4; i++) {
              int d = hexDigit(s.charAt(pos + i));
              if (d < 0) {
                throw new JsonParseException("invalid \\u escape", pos);
              }
              cp = cp * 16 + d;
            }
            pos += 4;
            sb.append((char) cp);
          }
          default ->
              throw new JsonParseException("invalid escape '\\" + printable(e) + "'", pos - 1);
        }
      }
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would also take other scripts). */
    private static int hexDigit(char c) {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
      }
      if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
      }
      return -1;
    }

    /** Go decodes unpaired surrogates (escaped or not) to U+FFFD; so do we. */
    private static String replaceLoneSurrogates(StringBuilder sb) {
      for (int i = 0; i < sb.length(); i++) {
        char c = sb.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < sb.length()
            && Character.isLowSurrogate(sb.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          sb.setCharAt(i, '\ufffd');
        }
      }
      return sb.toString();
    }

    private JsonNumber number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      digits();
      if (pos < s.length() && s.charAt(pos) == '.') {
        pos++;
        digits();
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        digits();
      }
      String text = s.substring(start, pos);
      try {
        return new JsonNumber(text);
      } catch (IllegalArgumentException e) {
        throw new JsonParseException("invalid number " + text, start);
      }
    }

    private void digits() {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == start) {
        throw new JsonParseException("expected a digit", pos);
      }
    }

    private char peek() {
      if (pos >= s.length()) {
        throw new JsonParseException("unexpected end of input", pos);
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new JsonParseException("expected '" + c + "'", pos);
      }
      pos++;
    }

    private static String printable(char c) {
      return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
  }

  /** Escapes a string the way {@link #write} does, including the quotes. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    appendString(sb, s);
    return sb.toString();
  }
}
