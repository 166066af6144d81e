package dev.slimbuild.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared conformance data: walks up from the working directory; fails if absent. */
final class Conformance {
  private Conformance() {}

  static Path dir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path c = p.resolve("shared/conformance");
      if (Files.isDirectory(c)) {
        return c;
      }
    }
    Path fallback = Path.of("/work/shared/conformance");
    if (Files.isDirectory(fallback)) {
      return fallback;
    }
    throw new AssertionError(
        "conformance data (shared/conformance) not found above " + Path.of("").toAbsolutePath());
  }

  static String text(String relative) {
    try {
      return Files.readString(dir().resolve(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
