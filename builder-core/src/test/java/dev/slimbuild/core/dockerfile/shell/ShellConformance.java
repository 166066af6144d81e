package dev.slimbuild.core.dockerfile.shell;

import java.nio.file.Path;

/** Finds the shared conformance data from the module's working directory; fails if missing. */
final class ShellConformance {
  private ShellConformance() {}

  static Path file(String relative) {
    return dev.slimbuild.core.Conformance.path(relative);
  }
}
