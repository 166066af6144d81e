package dev.slimbuild.core.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slimbuild.core.Conformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The shared conformance data for ignore patterns; fails if it cannot be found. */
final class ContextConformance {
  private static JsonNode cases;

  private ContextConformance() {}

  static Path file(String relative) {
    return Conformance.path(relative);
  }

  static synchronized JsonNode patternMatcherCases() {
    if (cases == null) {
      try {
        cases =
            new ObjectMapper().readTree(file("dockerignore/patternmatcher_cases.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cases;
  }
}
