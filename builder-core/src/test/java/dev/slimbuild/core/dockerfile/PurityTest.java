package dev.slimbuild.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The parser package stays pure: no file, path or network types in its sources. */
class PurityTest {

  @Test
  void noIoInParserPackage() throws IOException {
    Path dir = Path.of("src/main/java/dev/slimbuild/core/dockerfile");
    assertThat(dir).isDirectory();
    List<Path> sources;
    try (Stream<Path> s = Files.list(dir)) {
      sources = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).hasSizeGreaterThan(20);
    for (Path source : sources) {
      String text = Files.readString(source);
      assertThat(text)
          .as(source.toString())
          .doesNotContain("java.io.")
          .doesNotContain("java.nio.file")
          .doesNotContain("java.net");
    }
  }
}
