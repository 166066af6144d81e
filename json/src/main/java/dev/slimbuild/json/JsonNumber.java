package dev.slimbuild.json;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * A JSON number, kept as its literal text (RFC 8259 section 6 grammar) so that it is written back
 * exactly as read. Integers are read with {@link #longValue()}.
 */
public record JsonNumber(String text) implements JsonValue {
  private static final Pattern GRAMMAR =
      Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

  public JsonNumber {
    if (!GRAMMAR.matcher(text).matches()) {
      throw new IllegalArgumentException("not a JSON number: " + text);
    }
  }

  /** The number {@code n}. */
  public static JsonNumber of(long n) {
    return new JsonNumber(Long.toString(n));
  }

  /** Whether this is an integer that fits a {@code long} (no fraction, no exponent). */
  public boolean isLong() {
    if (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
      return false;
    }
    try {
      Long.parseLong(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The value as a long; throws IllegalArgumentException if it is not an integer in range. */
  public long longValue() {
    if (!isLong()) {
      throw new IllegalArgumentException("not an integer in the 64-bit range: " + text);
    }
    return Long.parseLong(text);
  }

  /** The exact value. */
  public BigDecimal decimalValue() {
    return new BigDecimal(text);
  }

  @Override
  public String typeName() {
    return "number";
  }

  @Override
  public String toString() {
    return text;
  }
}
