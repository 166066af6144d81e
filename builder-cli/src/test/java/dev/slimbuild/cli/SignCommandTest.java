package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key, image name and flag errors of sign, verify, push and build --sign-key: found before any
 * registry is asked.
 */
class SignCommandTest {
  private static final String PASSWORD = "sign-test-pw";
  // a closed loopback port: any registry access would fail with a connection error instead
  private static final String IMAGE = "127.0.0.1:9/app/x:1";

  @TempDir Path dir;

  private Run run(Map<String, String> env, String... args) {
    return BuildFixtures.runIn(dir, env, args);
  }

  private String keyPair() {
    String prefix = dir.resolve("k").toString();
    Run gen =
        run(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "generate-key-pair",
            "--output-key-prefix",
            prefix);
    assertThat(gen.code()).as(gen.err()).isZero();
    return prefix;
  }

  @Test
  void aWrongPasswordIsAClearErrorWithoutTheKeyOrPassword() throws Exception {
    String k = keyPair();
    Run r =
        run(
            Map.of("COSIGN_PASSWORD", "guess-123"),
            "sign",
            "--key",
            k + ".key",
            "--insecure-registry",
            "127.0.0.1:9",
            IMAGE);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("error: --key " + k + ".key: wrong password (or a damaged key" + " file)\n");
    assertThat(r.out() + r.err())
        .doesNotContain("guess-123")
        .doesNotContain(PASSWORD)
        .doesNotContain(
            Files.readString(Path.of(k + ".key")).lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void noPasswordAndNoTerminalIsAnError() {
    String k = keyPair();
    Run r = run(Map.of(), "sign", "--key", k + ".key", IMAGE);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no password for " + k + ".key").contains("COSIGN_PASSWORD");
  }

  @Test
  void missingAndWrongKindOfKeyFiles() {
    String k = keyPair();
    Run missing = run(Map.of(), "verify", "--key", dir.resolve("nope.pub").toString(), IMAGE);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("--key " + dir.resolve("nope.pub") + ": no such file");
    Run priv = run(Map.of(), "verify", "--key", k + ".key", IMAGE);
    assertThat(priv.code()).isEqualTo(1);
    assertThat(priv.err()).contains("expected a PUBLIC KEY");
    Run badOutput = run(Map.of(), "verify", "--key", k + ".pub", "--output", "yaml", IMAGE);
    assertThat(badOutput.code()).isEqualTo(1);
    assertThat(badOutput.err()).contains("invalid --output 'yaml'");
  }

  @Test
  void aBadImageNameSaysWhichNameAndWhy() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "x\n");
    Run build = run(Map.of(), "build", "-t", "app:1", "-t", "Team/App:1", ctx.toString());
    assertThat(build.code()).isEqualTo(1);
    assertThat(build.err())
        .isEqualTo(
            "error: invalid image reference \"Team/App:1\": repository name must be lowercase\n");
    Run push = run(Map.of(), "push", "app:bad tag");
    assertThat(push.code()).isEqualTo(1);
    assertThat(push.err())
        .isEqualTo("error: invalid image reference \"app:bad tag\": invalid tag \"bad tag\"\n");
    Run sign = run(Map.of(), "sign", "--key", dir.resolve("none.key").toString(), "app@sha256:12");
    assertThat(sign.code()).isEqualTo(1);
    assertThat(sign.err())
        .isEqualTo(
            "error: invalid image reference \"app@sha256:12\": invalid digest \"sha256:12\"\n");
    Run verify = run(Map.of(), "verify", "--key", dir.resolve("none.pub").toString(), "app/X:1");
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.err())
        .isEqualTo(
            "error: invalid image reference \"app/X:1\": repository name must be lowercase\n");
  }

  @Test
  void buildSignKeyNeedsPushAndChecksThePasswordBeforeBuilding() throws Exception {
    String k = keyPair();
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "x\n");
    Run noPush =
        run(Map.of("COSIGN_PASSWORD", PASSWORD), "build", "--sign-key", k + ".key", ctx.toString());
    assertThat(noPush.code()).isEqualTo(1);
    assertThat(noPush.err()).contains("--sign-key needs --push");

    Run wrong =
        run(
            Map.of("COSIGN_PASSWORD", "nope-nope"),
            "build",
            "-t",
            IMAGE,
            "--push",
            "--insecure-registry",
            "127.0.0.1:9",
            "--sign-key",
            k + ".key",
            "--progress",
            "plain",
            ctx.toString());
    assertThat(wrong.code()).isEqualTo(1);
    // the key failed first: no build step ran, the registry was never contacted
    assertThat(wrong.err())
        .isEqualTo(
            "error: --sign-key " + k + ".key: wrong password (or a" + " damaged key file)\n");
  }

  @Test
  void aBadSignFormatIsNamedBeforeAnyKeyOrRegistryIsRead() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "x\n");
    String missingKey = dir.resolve("none.key").toString();
    Run sign = run(Map.of(), "sign", "--key", missingKey, "--sign-format", "any", IMAGE);
    assertThat(sign.code()).isEqualTo(1);
    assertThat(sign.err())
        .isEqualTo("error: invalid --sign-format 'any': expected legacy, bundle or both\n");
    Run build =
        run(
            Map.of(),
            "build",
            "-t",
            IMAGE,
            "--push",
            "--sign-key",
            missingKey,
            "--sign-format",
            "cosign",
            ctx.toString());
    assertThat(build.code()).isEqualTo(1);
    assertThat(build.err())
        .isEqualTo("error: invalid --sign-format 'cosign': expected legacy, bundle or both\n");
    Run noKey =
        run(Map.of(), "build", "-t", IMAGE, "--push", "--sign-format", "bundle", ctx.toString());
    assertThat(noKey.code()).isEqualTo(1);
    assertThat(noKey.err()).isEqualTo("error: --sign-format needs --sign-key\n");
    Run index = run(Map.of(), "index", "create", "-t", IMAGE, "--sign-format", "bundle", IMAGE);
    assertThat(index.code()).isEqualTo(1);
    assertThat(index.err()).isEqualTo("error: --sign-format needs --sign-key\n");
    Run verify =
        run(
            Map.of(),
            "verify",
            "--key",
            dir.resolve("none.pub").toString(),
            "--sign-format",
            "all",
            IMAGE);
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.err())
        .isEqualTo("error: invalid --sign-format 'all': expected legacy, bundle, both or any\n");
  }
}
