package dev.slimbuild.core.dockerfile;

import dev.slimbuild.core.Conformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * BuildKit's parser cases from the shared conformance data. Fails (never skips) when the data
 * cannot be found. Public for the CLI tests, which get it through the test jar.
 */
public final class DockerfileCorpus {
  private DockerfileCorpus() {}

  /** {@code .../conformance/buildkit/parser}, found by walking up from the working directory. */
  public static Path dir() {
    return Conformance.path("buildkit/parser");
  }

  /** The case directories of {@code testfiles} (33 of them), sorted. */
  public static List<Path> positive() {
    return cases("testfiles");
  }

  /** The case directories of {@code testfiles-negative}, sorted. */
  public static List<Path> negative() {
    return cases("testfiles-negative");
  }

  private static List<Path> cases(String sub) {
    try (Stream<Path> s = Files.list(dir().resolve(sub))) {
      List<Path> out = s.filter(Files::isDirectory).sorted().toList();
      if (out.isEmpty()) {
        throw new AssertionError("no cases in " + sub);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file of a case, as text. */
  public static String read(Path caseDir, String file) {
    try {
      return Files.readString(caseDir.resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
