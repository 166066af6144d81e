package dev.slimbuild.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** BuildKit's golden parser cases, byte for byte. */
class ConformanceTest {

  static List<Path> positive() {
    return DockerfileCorpus.positive();
  }

  static List<Path> negative() {
    return DockerfileCorpus.negative();
  }

  @Test
  void allCasesPresent() {
    assertThat(positive()).hasSize(33);
    assertThat(negative()).hasSize(4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positive")
  void dumpMatchesResult(Path dir) {
    String text = DockerfileCorpus.read(dir, "Dockerfile");
    String expected = DockerfileCorpus.read(dir, "result");
    assertThat(DockerfileParser.parseRaw(text, "Dockerfile").dump()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negative")
  void negativeCaseRejected(Path dir) {
    String text = DockerfileCorpus.read(dir, "Dockerfile");
    assertThatThrownBy(() -> DockerfileParser.parseRaw(text, "Dockerfile"))
        .isInstanceOf(DockerfileException.class)
        .hasMessageStartingWith("Dockerfile:");
  }
}
