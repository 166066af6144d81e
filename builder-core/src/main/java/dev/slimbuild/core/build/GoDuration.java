package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.math.BigDecimal;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them ({@code 30s}, {@code 1m30s},
 * {@code 1.5h}, {@code 250ms}), as HEALTHCHECK flags take them. Results are nanoseconds, the unit
 * image configs store.
 */
final class GoDuration {
  private GoDuration() {}

  static long parseNanos(String s) {
    if (s.isEmpty()) {
      throw new SlimbuildException("invalid duration ''");
    }
    if (s.equals("0")) {
      return 0;
    }
    int i = 0;
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i++;
    }
    if (i == s.length()) {
      throw invalid(s);
    }
    BigDecimal total = BigDecimal.ZERO;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw invalid(s);
      }
      BigDecimal value;
      try {
        value = new BigDecimal(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw invalid(s);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      long unit =
          switch (s.substring(unitStart, i)) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new SlimbuildException(
                "invalid duration '" + s + "': missing or unknown unit");
          };
      total = total.add(value.multiply(BigDecimal.valueOf(unit)));
    }
    try {
      long nanos = total.longValueExact();
      return negative ? -nanos : nanos;
    } catch (ArithmeticException e) {
      // fractions of a nanosecond are dropped, as Go does; overflow is an error
      if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw new SlimbuildException("invalid duration '" + s + "': too large");
      }
      long nanos = total.longValue();
      return negative ? -nanos : nanos;
    }
  }

  private static SlimbuildException invalid(String s) {
    return new SlimbuildException("invalid duration '" + s + "'");
  }
}
