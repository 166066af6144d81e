package dev.slimbuild.core.dockerfile;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration} ({@code 1h30m}, {@code 1.5s}, {@code 300ms}, {@code 0}) and
 * {@code Duration.String} ({@code 1h0m0s}, {@code 1.5s}, {@code 100ms}, {@code 0s}).
 */
public final class GoDuration {
  private static final Map<String, Long> UNITS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L,
          "\u03bcs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);
  private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private GoDuration() {}

  /** {@code d} as Go's {@code time.Duration.String} prints it. */
  static String format(Duration d) {
    long ns = d.toNanos();
    if (ns == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder(ns < 0 ? "-" : "");
    long u = Math.abs(ns);
    if (u < 1_000L) {
      return b.append(u).append("ns").toString();
    }
    if (u < 1_000_000L) {
      return b.append(fraction(u, 1_000L)).append("\u00b5s").toString();
    }
    if (u < 1_000_000_000L) {
      return b.append(fraction(u, 1_000_000L)).append("ms").toString();
    }
    long h = u / 3_600_000_000_000L;
    u -= h * 3_600_000_000_000L;
    long m = u / 60_000_000_000L;
    u -= m * 60_000_000_000L;
    if (h > 0) {
      b.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      b.append(m).append('m');
    }
    return b.append(fraction(u, 1_000_000_000L)).append('s').toString();
  }

  /** {@code value / unit} with the remainder as decimals, trailing zeros dropped. */
  private static String fraction(long value, long unit) {
    long whole = value / unit;
    long rest = value % unit;
    if (rest == 0) {
      return Long.toString(whole);
    }
    String digits = Long.toString(unit + rest).substring(1).replaceAll("0+$", "");
    return whole + "." + digits;
  }

  /** Parses {@code text}; IllegalArgumentException when it is not a duration. */
  public static Duration parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty()
          || number.equals(".")
          || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < s.length() && !isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw new SyntaxError("time: missing unit in duration " + GoQuote.quote(text));
      }
      Long nanos = UNITS.get(unit);
      if (nanos == null) {
        throw new SyntaxError(
            "time: unknown unit " + GoQuote.quote(unit) + " in duration " + GoQuote.quote(text));
      }
      total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanos)));
      if (total.compareTo(MAX) > 0) {
        throw invalid(text);
      }
    }
    long n = total.longValue();
    return Duration.ofNanos(negative ? -n : n);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static SyntaxError invalid(String text) {
    return new SyntaxError("time: invalid duration " + GoQuote.quote(text));
  }
}
