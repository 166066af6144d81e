package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.assertInputError;
import static dev.slimbuild.cli.BuildFixtures.quietOci;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ARG whose default nests {@code ${...}} deeper than the lexer takes: an input error naming the
 * line, the same in {@code build} and {@code parse --check}; no StackOverflowError.
 */
class ArgNestingTest {
  @TempDir Path dir;

  private Path ctx() throws Exception {
    return Files.createDirectories(dir.resolve("ctx"));
  }

  private static String nested(int depth) {
    return "${A:-".repeat(depth) + "x" + "}".repeat(depth);
  }

  @Test
  void anArgNested2000DeepIsAnInputErrorInBuildAndInParseCheck() throws Exception {
    Path ctx = ctx();
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nARG A=" + nested(2000) + "\n");
    Run r = quietOci(dir, ctx);
    assertInputError(r);
    assertThat(r.err()).contains("Dockerfile:2: ").contains("nested more than 100 deep");
    assertThat(r.err().length()).isLessThan(2000);

    Run check =
        BuildFixtures.runIn(
            dir, Map.of(), "parse", "--check", "-f", ctx.resolve("Dockerfile").toString());
    assertInputError(check);
    assertThat(check.err()).contains(":2: ").contains("nested more than 100 deep");
  }

  @Test
  void anArgNested100DeepIsTakenByBuildAndParseCheckAlike() throws Exception {
    Path ctx = ctx();
    Files.writeString(
        ctx.resolve("Dockerfile"), "FROM scratch\nARG A=" + nested(100) + "\nLABEL a=$A\n");
    Run r = quietOci(dir, ctx);
    assertThat(r.code()).as(r.err()).isZero();
    Run check =
        BuildFixtures.runIn(
            dir, Map.of(), "parse", "--check", "-f", ctx.resolve("Dockerfile").toString());
    assertThat(check.code()).as(check.err()).isZero();
    assertThat(
            BuildFixtures.image(dir.resolve("out"))
                .config()
                .get("config")
                .get("Labels")
                .get("a")
                .asText())
        .isEqualTo("x");
  }
}
