package dev.slimbuild.core.build;

import java.io.IOException;
import java.util.List;

/** A clean-up step that may fail. */
@FunctionalInterface
interface IoStep {
  void run() throws IOException;

  /**
   * Runs every step even when some fail; then throws the first failure (a runtime exception as
   * itself), the later ones suppressed in it.
   */
  static void runAll(List<IoStep> steps) throws IOException {
    Exception first = null;
    for (IoStep step : steps) {
      try {
        step.run();
      } catch (IOException | RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first instanceof IOException) {
      throw (IOException) first;
    }
    if (first != null) {
      throw (RuntimeException) first;
    }
  }
}
