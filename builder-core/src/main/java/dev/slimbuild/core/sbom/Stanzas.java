package dev.slimbuild.core.sbom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paragraph formats of package databases: Debian control files (dpkg's {@code status}, RFC
 * 822-like, continuation lines indented) and apk's {@code installed} ({@code K:value} lines).
 * Paragraphs are separated by blank lines; keys of control files are case-insensitive (kept
 * lower-cased here).
 */
final class Stanzas {
  private Stanzas() {}

  /** The paragraphs of a Debian control file; a continuation line extends the field above. */
  static List<Map<String, String>> control(String text) {
    List<Map<String, String>> out = new ArrayList<>();
    Map<String, String> cur = new LinkedHashMap<>();
    String lastKey = null;
    for (String line : text.split("\n", -1)) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        if (!cur.isEmpty()) {
          out.add(cur);
          cur = new LinkedHashMap<>();
        }
        lastKey = null;
      } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (lastKey != null) {
          cur.put(lastKey, cur.get(lastKey) + "\n" + line.strip());
        }
      } else {
        int colon = line.indexOf(':');
        if (colon > 0) {
          lastKey = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
          cur.putIfAbsent(lastKey, line.substring(colon + 1).strip());
        }
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }

  /** The paragraphs of apk's database: one letter (case matters), a colon, the value. */
  static List<Map<String, String>> apk(String text) {
    List<Map<String, String>> out = new ArrayList<>();
    Map<String, String> cur = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      if (line.isBlank()) {
        if (!cur.isEmpty()) {
          out.add(cur);
          cur = new LinkedHashMap<>();
        }
      } else if (line.length() >= 2 && line.charAt(1) == ':') {
        cur.putIfAbsent(line.substring(0, 1), line.substring(2));
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }
}
