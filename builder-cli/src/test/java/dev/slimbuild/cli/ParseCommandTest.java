package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.dockerfile.DockerfileCorpus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code slimbuild parse}, run in-process. */
class ParseCommandTest {

  @TempDir Path tmp;

  private static Run run(String... args) {
    return BuildFixtures.run(System.getenv(), args);
  }

  private Path write(String text) throws IOException {
    Path f = tmp.resolve("Dockerfile.test");
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  /** Raw-parser cases that the instruction checks reject, as BuildKit's build would. */
  private static final List<String> INVALID_AS_BUILD = List.of("flags", "health");

  /** Conformance cases that are complete Dockerfiles (with a FROM) pass the full checks too. */
  static Stream<Path> buildableCases() {
    return DockerfileCorpus.positive().stream()
        .filter(d -> DockerfileCorpus.read(d, "result").startsWith("(from "))
        .filter(d -> !INVALID_AS_BUILD.contains(d.getFileName().toString()));
  }

  @Test
  void rawOnlyCasesAreRejectedWithLineUnderCheck() {
    Path dir = DockerfileCorpus.dir().resolve("testfiles");
    Path flags = dir.resolve("flags/Dockerfile");
    assertThat(run("parse", "--check", "-f", flags.toString()).err())
        .isEqualTo("error: " + flags + ":3: unknown flag for COPY: --user\n");
    Path health = dir.resolve("health/Dockerfile");
    assertThat(run("parse", "--check", "-f", health.toString()).err())
        .isEqualTo("error: " + health + ":4: HEALTHCHECK requires at least one argument\n");
  }

  static Stream<Path> allCases() {
    return DockerfileCorpus.positive().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void printsBuildKitResult(Path dir) {
    Path dockerfile = dir.resolve("Dockerfile");
    Run r = run("parse", "-f", dockerfile.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(DockerfileCorpus.read(dir, "result"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("buildableCases")
  void buildableCasesPassTheChecksWithTheSameTree(Path dir) {
    Run r = run("parse", "--check", "-f", dir.resolve("Dockerfile").toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(DockerfileCorpus.read(dir, "result"));
  }

  static Stream<Path> negativeCases() {
    return DockerfileCorpus.negative().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negativeCases")
  void negativeCasesFailWithFileAndLine(Path dir) {
    Path dockerfile = dir.resolve("Dockerfile");
    Run r = run("parse", "-f", dockerfile.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).matches("(?s)error: " + Pattern.quote(dockerfile.toString()) + ":\\d+: .*");
  }

  @Test
  void mostCasesAreBuildable() {
    assertThat(buildableCases().count()).isGreaterThanOrEqualTo(24);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(
            "FROM a\n\nCOPPY x y\n", ":3: unknown instruction: COPPY (did you mean COPY?)"),
        Arguments.of("FROM a\nCOPY --foo=1 x y\n", ":2: unknown flag for COPY: --foo"),
        Arguments.of("", ":1: file with no instructions"),
        Arguments.of("RUN x\n", ":1: RUN before the first FROM"),
        Arguments.of("ARG x\n", ":1: no FROM instruction"),
        Arguments.of(
            "FROM a AS b\nCOPY --from=b x y\n", ":2: COPY --from=b refers to the current stage"),
        Arguments.of(
            "FROM a\nCOPY --from=c x y\nFROM d AS c\n",
            ":2: COPY --from=c refers to a later stage"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("errors")
  void errorsNameFileAndLine(String text, String message) throws IOException {
    Path f = write(text);
    Run r = run("parse", "--check", "-f", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("error: " + f + message);
    assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
  }

  @Test
  void checkWarnsOfADuplicateStageNameAndGoesOn() throws IOException {
    Path f = write("FROM a AS b\nFROM c AS b\n");
    Run r = run("parse", "--check", "-f", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.err())
        .startsWith(
            "WARNING: " + f + ":2: Duplicate stage name \"b\", stage names" + " should be unique");
    assertThat(r.out()).isEqualTo("(from \"a\" \"AS\" \"b\")\n(from \"c\" \"AS\" \"b\")\n");
  }

  @Test
  void debugPrintsStackTrace() throws IOException {
    Path f = write("FROM a\nCOPPY x y\n");
    Run r = run("--debug", "parse", "--check", "-f", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + f + ":2: unknown instruction: COPPY");
    assertThat(r.err()).contains("DockerfileException").contains("\tat ");
    Run after = run("parse", "--check", "--debug", "-f", f.toString()); // after the command too
    assertThat(after.err()).contains("\tat ");
    // a "--debug" that is a value, not the option, asks for nothing
    Run value = run("build", "--", "--debug");
    assertThat(value.code()).isEqualTo(1);
    assertThat(value.err())
        .contains("build context --debug: no such directory")
        .doesNotContain("\tat ");
  }

  @Test
  void missingFileIsAnIoError() {
    Run r = run("parse", "-f", tmp.resolve("nope").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: no such file: ");
  }

  @Test
  void readsStandardInput() {
    InputStream saved = System.in;
    try {
      System.setIn(
          new ByteArrayInputStream("from a\nRUN [\"x\"]\n".getBytes(StandardCharsets.UTF_8)));
      Run r = run("parse", "-f", "-");
      assertThat(r.code()).isZero();
      assertThat(r.out()).isEqualTo("(from \"a\")\n(run \"x\")\n");
      System.setIn(new ByteArrayInputStream("FROM a\nFOOBAR\n".getBytes(StandardCharsets.UTF_8)));
      Run bad = run("parse", "--check", "-f", "-");
      assertThat(bad.err()).isEqualTo("error: Dockerfile:2: unknown instruction: FOOBAR\n");
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void listedInHelp() {
    Run r = run("--help");
    assertThat(List.of(r.out().split("\n"))).anySatisfy(l -> assertThat(l).contains("parse"));
  }
}
