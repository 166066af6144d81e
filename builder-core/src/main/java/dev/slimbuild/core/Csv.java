package dev.slimbuild.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the comma-separated values of flags and mounts ({@code --output}, {@code RUN --mount}) the
 * way BuildKit and buildx read them, as one CSV record: a comma inside double quotes is part of the
 * field, the quotes are removed, and {@code ""} inside quotes is one quote. Hand-written: the
 * record is one short line, and a CSV library would bring a dependency for ten lines.
 */
public final class Csv {
  private Csv() {}

  /**
   * The fields of {@code record}, empty ones included.
   *
   * @throws IllegalArgumentException when a quote is not closed
   */
  public static List<String> fields(String record) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < record.length(); i++) {
      char c = record.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < record.length() && record.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote");
    }
    out.add(cur.toString());
    return out;
  }
}
