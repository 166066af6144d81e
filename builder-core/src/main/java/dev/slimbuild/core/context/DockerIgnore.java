package dev.slimbuild.core.context;

import dev.slimbuild.core.dockerfile.Text;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code .dockerignore} text into patterns, as Docker's ignore-file reader does. */
final class DockerIgnore {
  private DockerIgnore() {}

  /**
   * Splits {@code text} into patterns: a leading byte-order mark is dropped; lines starting with
   * {@code #} are comments; each line is trimmed and blank ones skipped; the rest of a {@code !}
   * line is trimmed too; each pattern is cleaned like a path and loses a leading {@code /}; the
   * {@code !} is kept. Lines end at {@code \n}, an {@code \r} before it is dropped.
   */
  public static List<String> parse(String text) {
    List<String> patterns = new ArrayList<>();
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    for (String line : body.split("\n", -1)) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.startsWith("#")) {
        continue;
      }
      String pattern = Text.trimSpace(line);
      if (pattern.isEmpty()) {
        continue;
      }
      boolean invert = pattern.charAt(0) == '!';
      if (invert) {
        pattern = Text.trimSpace(pattern.substring(1));
      }
      if (!pattern.isEmpty()) {
        pattern = GoPaths.clean(pattern);
        if (pattern.length() > 1 && pattern.charAt(0) == '/') {
          pattern = pattern.substring(1);
        }
      }
      patterns.add(invert ? "!" + pattern : pattern);
    }
    return List.copyOf(patterns);
  }
}
