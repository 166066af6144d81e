package dev.slimbuild.core.dockerfile.shell;

import dev.slimbuild.core.Conformance;
import java.nio.file.Path;

/** Finds the shared conformance data from the module's working directory; fails if missing. */
final class ShellConformance {
  private ShellConformance() {}

  static Path file(String relative) {
    return Conformance.path(relative);
  }
}
