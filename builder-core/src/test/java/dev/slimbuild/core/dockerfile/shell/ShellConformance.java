package dev.slimbuild.core.dockerfile.shell;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared conformance data from the module's working directory; fails if missing. */
final class ShellConformance {
  private ShellConformance() {}

  static Path file(String relative) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("shared/conformance").resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    Path fallback = Path.of("/work/shared/conformance").resolve(relative);
    if (Files.isRegularFile(fallback)) {
      return fallback;
    }
    throw new AssertionError("conformance data not found: shared/conformance/" + relative);
  }
}
