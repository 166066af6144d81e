package dev.slimbuild.core.sbom;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The distribution an image is, from {@code os-release} (os-release(5)): {@code KEY=value} lines,
 * values optionally quoted as in a shell.
 *
 * @param id {@code ID}, lower-case (debian, ubuntu, alpine, ...), or null
 * @param versionId {@code VERSION_ID}, or null (Debian testing has none)
 */
record OsRelease(String id, String versionId) {
  static final OsRelease UNKNOWN = new OsRelease(null, null);

  static OsRelease parse(String text) {
    Map<String, String> values = new HashMap<>();
    for (String line : text.split("\n")) {
      line = line.strip();
      int eq = line.indexOf('=');
      if (line.startsWith("#") || eq <= 0) {
        continue;
      }
      values.put(line.substring(0, eq), unquote(line.substring(eq + 1)));
    }
    String id = values.get("ID");
    return new OsRelease(
        blank(id) ? null : id.toLowerCase(Locale.ROOT),
        blank(values.get("VERSION_ID")) ? null : values.get("VERSION_ID"));
  }

  /** {@code ID-VERSION_ID} as syft's {@code distro} qualifier has it, or null. */
  String distroQualifier() {
    if (id == null || versionId == null) {
      return null;
    }
    return id + "-" + versionId;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String unquote(String v) {
    if (v.length() >= 2
        && (v.charAt(0) == '"' || v.charAt(0) == '\'')
        && v.charAt(v.length() - 1) == v.charAt(0)) {
      String inner = v.substring(1, v.length() - 1);
      return v.charAt(0) == '"' ? inner.replaceAll("\\\\(.)", "$1") : inner;
    }
    return v;
  }
}
