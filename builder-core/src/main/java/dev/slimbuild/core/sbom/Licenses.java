package dev.slimbuild.core.sbom;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a declared license is an SPDX license expression, checked against the SPDX license list
 * that cyclonedx-core-java ships ({@code spdx.schema.json}: the license and exception identifiers),
 * read once with our JSON parser (no Jackson on this path).
 */
final class Licenses {
  private static volatile Map<String, String> ids;

  private Licenses() {}

  /**
   * {@code declared} as a valid SPDX expression with the identifiers in their listed spelling, or
   * null when it is not one ("MIT License", "BSD", "SEE LICENSE IN ...").
   */
  static String expression(String declared) {
    if (declared == null || declared.isBlank()) {
      return null;
    }
    List<String> tokens = tokens(declared.strip());
    StringBuilder out = new StringBuilder();
    int depth = 0;
    boolean wantOperand = true;
    boolean afterWith = false;
    for (String t : tokens) {
      String upper = t.toUpperCase(Locale.ROOT);
      if (t.equals("(")) {
        if (!wantOperand) {
          return null;
        }
        depth++;
        out.append('(');
        continue;
      }
      if (t.equals(")")) {
        if (wantOperand || depth == 0) {
          return null;
        }
        depth--;
        out.append(')');
        continue;
      }
      if (upper.equals("AND") || upper.equals("OR") || upper.equals("WITH")) {
        if (wantOperand) {
          return null;
        }
        out.append(' ').append(upper).append(' ');
        wantOperand = true;
        afterWith = upper.equals("WITH");
        continue;
      }
      if (!wantOperand) {
        return null;
      }
      String id = identifier(t, afterWith);
      if (id == null) {
        return null;
      }
      out.append(id);
      wantOperand = false;
      afterWith = false;
    }
    return wantOperand || depth != 0 ? null : out.toString();
  }

  private static String identifier(String t, boolean exception) {
    if (t.matches("(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+")) {
      return t;
    }
    boolean plus = !exception && t.endsWith("+");
    String bare = plus ? t.substring(0, t.length() - 1) : t;
    String listed = listed().get(bare.toLowerCase(Locale.ROOT));
    return listed == null ? null : listed + (plus ? "+" : "");
  }

  private static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == ')' || Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
        if (!Character.isWhitespace(c)) {
          out.add(String.valueOf(c));
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private static Map<String, String> listed() {
    Map<String, String> m = ids;
    if (m == null) {
      m = load();
      ids = m;
    }
    return m;
  }

  private static Map<String, String> load() {
    try (InputStream in = Licenses.class.getClassLoader().getResourceAsStream("spdx.schema.json")) {
      if (in == null) {
        throw new IllegalStateException(
            "spdx.schema.json (cyclonedx-core-java) not on the class path");
      }
      JsonValue schema = Json.parse(in.readAllBytes());
      Map<String, String> out = new HashMap<>();
      if (schema instanceof JsonObject o && o.get("enum").orElse(null) instanceof JsonArray a) {
        for (JsonValue v : a.values()) {
          if (v instanceof JsonString s) {
            out.put(s.value().toLowerCase(Locale.ROOT), s.value());
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
