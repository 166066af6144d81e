package dev.slimbuild.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared conformance data ({@code shared/conformance}, beside the repository): found by walking
 * up from the working directory. Tests fail, never skip, when it is missing. Public for the other
 * modules' tests, which get it through the test jar.
 */
public final class Conformance {
  private Conformance() {}

  /** The {@code shared/conformance} directory. */
  public static Path dir() {
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

  /** A file or directory under it, which must exist. */
  public static Path path(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.exists(p)) {
      throw new AssertionError("conformance data not found: shared/conformance/" + relative);
    }
    return p;
  }
}
