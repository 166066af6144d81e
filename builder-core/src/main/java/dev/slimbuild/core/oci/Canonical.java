package dev.slimbuild.core.oci;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Helpers that make our documents come out as Go's encoding/json would write them. */
public final class Canonical {
  /**
   * Go sorts map keys by their UTF-8 bytes, which is code point order (Java's String order is
   * UTF-16 order and differs above U+FFFF). Allocation-free; the same order as comparing the
   * strings' UTF-8 bytes for any string without unpaired surrogates.
   */
  public static final Comparator<String> GO_KEY_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private Canonical() {}

  /** An unmodifiable copy of {@code map} sorted as Go writes map keys; null = empty. */
  static SortedMap<String, String> sortedMap(Map<String, String> map) {
    TreeMap<String, String> t = new TreeMap<>(GO_KEY_ORDER);
    if (map != null) {
      map.forEach((k, v) -> t.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
    }
    return Collections.unmodifiableSortedMap(t);
  }

  /** An unmodifiable sorted, de-duplicated copy (Go writes {@code map[string]struct{}} sorted). */
  static List<String> sortedSet(Collection<String> keys) {
    if (keys == null) {
      return List.of();
    }
    TreeSet<String> set = new TreeSet<>(GO_KEY_ORDER);
    set.addAll(keys);
    List<String> l = new ArrayList<>(set);
    return List.copyOf(l);
  }

  /** RFC 3339 in UTC with the fraction trimmed of trailing zeros, as Go's time.Time writes it. */
  @SuppressWarnings("JavaInstantGetSecondsGetNano") // SECONDS formats the seconds
  static String formatTime(Instant t) {
    String s = SECONDS.format(t);
    int nanos = t.getNano();
    if (nanos == 0) {
      return s + "Z";
    }
    String frac = String.format("%09d", nanos).replaceAll("0+$", "");
    return s + "." + frac + "Z";
  }

  /** A list copy that maps null to empty. */
  static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  /** Null for null or empty strings. */
  static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
