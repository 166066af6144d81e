package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.signing.CosignKeys;
import dev.slimbuild.signing.KeyException;
import dev.slimbuild.signing.Signer;
import dev.slimbuild.signing.Verifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateKeyPairCommandTest {
  private static final String PASSWORD = "correct-horse-42";

  @TempDir Path dir;

  @Test
  void writesALoadableKeyPair() throws Exception {
    String prefix = dir.resolve("mykey").toString();
    Run r =
        run(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "generate-key-pair",
            "--output-key-prefix",
            prefix);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Private key written to "
                + prefix
                + ".key\nPublic key written to "
                + prefix
                + ".pub\n");
    Path key = dir.resolve("mykey.key");
    Path pub = dir.resolve("mykey.pub");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String keyPem = Files.readString(key);
    assertThat(keyPem).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
    PrivateKey priv = CosignKeys.loadPrivate(keyPem, PASSWORD.toCharArray());
    byte[] msg = "m".getBytes(StandardCharsets.UTF_8);
    assertThat(
            Verifier.verify(
                CosignKeys.loadPublic(Files.readString(pub)), msg, Signer.sign(priv, msg)))
        .isTrue();
    assertThatThrownBy(() -> CosignKeys.loadPrivate(keyPem, "other".toCharArray()))
        .isInstanceOf(KeyException.class);
    assertThat(r.out() + r.err() + keyPem).doesNotContain(PASSWORD);
  }

  @Test
  void refusesToOverwriteAndWritesNothing() throws Exception {
    Path pub = dir.resolve("k.pub");
    Files.writeString(pub, "mine");
    Run r =
        run(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "generate-key-pair",
            "--output-key-prefix",
            dir.resolve("k").toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: refusing to overwrite " + pub).doesNotContain("k.key");
    assertThat(dir.resolve("k.key")).doesNotExist();
    assertThat(Files.readString(pub)).isEqualTo("mine");
    assertThat(r.out() + r.err()).doesNotContain(PASSWORD);

    Files.writeString(dir.resolve("k.key"), "mine too");
    Run both =
        run(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "generate-key-pair",
            "--output-key-prefix",
            dir.resolve("k").toString());
    assertThat(both.err()).contains("k.key").contains("k.pub");
    assertThat(Files.readString(dir.resolve("k.key"))).isEqualTo("mine too");
  }

  @Test
  void withoutPasswordOrTerminalItIsAClearError() {
    // Tests run without a console, so this is the "no terminal, no COSIGN_PASSWORD" path.
    Run r = run(Map.of(), "generate-key-pair", "--output-key-prefix", dir.resolve("k").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: no password: set COSIGN_PASSWORD or run generate-key-pair in a terminal\n");
    assertThat(dir.resolve("k.key")).doesNotExist();
    assertThat(dir.resolve("k.pub")).doesNotExist();
  }

  @Test
  void anEmptyPasswordFromTheEnvironmentIsAPassword() throws Exception {
    Run r =
        run(
            Map.of("COSIGN_PASSWORD", ""),
            "generate-key-pair",
            "--output-key-prefix",
            dir.resolve("e").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(CosignKeys.loadPrivate(Files.readString(dir.resolve("e.key")), new char[0]))
        .isNotNull();
  }

  @Test
  void isListedInHelp() {
    Run r = run(Map.of(), "--help");
    assertThat(r.out()).contains("generate-key-pair");
  }
}
