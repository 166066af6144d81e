package dev.slimbuild.core.optimize;

import dev.slimbuild.core.SlimbuildException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/** Byte sizes as people write them: decimal units like docker ({@code 50MB}) and binary ones. */
public final class Sizes {
  private static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L), Map.entry("b", 1L),
          Map.entry("k", 1000L), Map.entry("kb", 1000L),
          Map.entry("m", 1000_000L), Map.entry("mb", 1000_000L),
          Map.entry("g", 1000_000_000L), Map.entry("gb", 1000_000_000L),
          Map.entry("t", 1000_000_000_000L), Map.entry("tb", 1000_000_000_000L),
          Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20),
          Map.entry("gib", 1L << 30), Map.entry("tib", 1L << 40));

  private Sizes() {}

  /** {@code 50MB} = 50,000,000 bytes, {@code 1.5GiB}, {@code 1024} (bytes); case-insensitive. */
  public static long parse(String text) {
    String t = text.trim();
    int i = 0;
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
      i++;
    }
    Long unit = UNITS.get(t.substring(i).trim().toLowerCase(Locale.ROOT));
    if (i == 0 || unit == null) {
      throw new SlimbuildException(
          "invalid size '"
              + text
              + "': expected a number with B, kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB");
    }
    try {
      return new BigDecimal(t.substring(0, i)).multiply(BigDecimal.valueOf(unit)).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new SlimbuildException("invalid size '" + text + "'");
    }
  }

  /** Decimal units as docker prints them: {@code 999B}, {@code 1.23MB}. */
  public static String format(long n) {
    if (n < 1000) {
      return n + "B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    do {
      v /= 1000;
      u++;
    } while (v >= 1000 && u < units.length - 1);
    return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
  }
}
