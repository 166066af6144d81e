package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.quietOci;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BuildKit's {@code SecretsUsedInArgOrEnv} check: ARG and ENV names that look like secrets are
 * warned about (build and {@code parse --check}), with a pointer to {@code --secret}.
 */
class SecretArgWarningTest {
  @TempDir Path dir;

  private Path ctx() throws Exception {
    return Files.createDirectories(dir.resolve("ctx"));
  }

  @Test
  void argsAndEnvNamedLikeSecretsAreWarnedAboutAsBuildKitDoes() throws Exception {
    Path ctx = ctx();
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "ARG GITHUB_TOKEN\n"
            + "FROM scratch\n"
            + "ARG DB_PASSWORD=hunter2\n"
            + "ARG PUBLIC_KEY\n"
            + "ARG KEYBOARD=us\n"
            + "ENV api_key=abc AWS_SECRET_ACCESS_KEY=x\n"
            + "LABEL password=nope\n");
    Run r = quietOci(dir, ctx);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(
            "Dockerfile:1: SecretsUsedInArgOrEnv: do not use ARG or ENV instructions for"
                + " sensitive data (ARG \"GITHUB_TOKEN\")")
        .contains("Dockerfile:3: SecretsUsedInArgOrEnv")
        .contains("(ARG \"DB_PASSWORD\")")
        .contains("(ENV \"api_key\")")
        .contains("(ENV \"AWS_SECRET_ACCESS_KEY\")")
        .contains("--secret")
        .doesNotContain("PUBLIC_KEY")
        .doesNotContain("KEYBOARD")
        .doesNotContain("\"password\"")
        .doesNotContain("hunter2");
    Run check =
        BuildFixtures.runIn(
            dir, Map.of(), "parse", "--check", "-f", ctx.resolve("Dockerfile").toString());
    assertThat(check.code()).isZero();
    assertThat(check.err()).contains("(ARG \"DB_PASSWORD\")");
  }
}
