package dev.slimbuild.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our key files and signatures against the real cosign 2.5 (Debian 13's build, fetched by {@code
 * scripts/fetch-trixie-tools.sh}, never installed). Fails, never skips, when cosign can't be had.
 */
class CosignKeyInteropIT {
  private static final String PASSWORD = "interop pässword";

  private static Path cosign;

  @TempDir Path dir;

  record Result(int code, String output) {}

  @BeforeAll
  static void fetchCosign() throws Exception {
    Path script = findScript();
    Result r = exec(script.getParent(), Map.of(), "bash", script.toString());
    assertThat(r.code()).as("fetch-trixie-tools.sh failed:\n%s", r.output()).isZero();
    cosign =
        r.output()
            .lines()
            .filter(l -> l.startsWith("cosign="))
            .map(l -> Path.of(l.substring("cosign=".length())))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no cosign= line in:\n" + r.output()));
    assertThat(cosign).isExecutable();
  }

  @Test
  void cosignSignsWithOurKeyAndItVerifiesWithOurPublicKey() throws Exception {
    KeyPairFiles ours = CosignKeys.generate(PASSWORD.toCharArray());
    Path key = write("ours.key", ours.privatePem());
    Path pub = write("ours.pub", ours.publicPem());
    Path blob = write("blob", "a blob cosign signs with our key\n");

    Result signed =
        cosign(
            PASSWORD,
            "sign-blob",
            "--key",
            key.toString(),
            "--tlog-upload=false",
            "--yes",
            "--output-signature",
            dir.resolve("blob.sig").toString(),
            blob.toString());
    assertThat(signed.code()).as(signed.output()).isZero();
    String sig = Files.readString(dir.resolve("blob.sig")).strip();

    assertThat(
            Verifier.verify(CosignKeys.loadPublic(ours.publicPem()), Files.readAllBytes(blob), sig))
        .isTrue();
    Result verified = cosignVerify(pub, dir.resolve("blob.sig"), blob);
    assertThat(verified.code()).as(verified.output()).isZero();
    assertThat(verified.output()).contains("Verified OK");
  }

  @Test
  void cosignRejectsOurKeyWithTheWrongPassword() throws Exception {
    Path key = write("ours.key", CosignKeys.generate(PASSWORD.toCharArray()).privatePem());
    Path blob = write("blob", "x");
    Result r =
        cosign(
            "not the password",
            "sign-blob",
            "--key",
            key.toString(),
            "--tlog-upload=false",
            "--yes",
            blob.toString());
    assertThat(r.code()).as(r.output()).isNotZero();
  }

  @Test
  void cosignVerifiesOurSignerAndRejectsAChangedBlob() throws Exception {
    KeyPairFiles ours = CosignKeys.generate(PASSWORD.toCharArray());
    PrivateKey priv = CosignKeys.loadPrivate(ours.privatePem(), PASSWORD.toCharArray());
    Path pub = write("ours.pub", ours.publicPem());
    byte[] payload = SimpleSigning.payload("localhost:5000/app", "sha256:" + "ab".repeat(32));
    Path blob = dir.resolve("payload.json");
    Files.write(blob, payload);
    Path sig = write("payload.sig", Signer.sign(priv, payload));

    Result ok = cosignVerify(pub, sig, blob);
    assertThat(ok.code()).as(ok.output()).isZero();
    assertThat(ok.output()).contains("Verified OK");

    byte[] changed = payload.clone();
    changed[changed.length - 2] ^= 1;
    Path other = dir.resolve("changed.json");
    Files.write(other, changed);
    Result bad = cosignVerify(pub, sig, other);
    assertThat(bad.code()).as(bad.output()).isNotZero();
  }

  @Test
  void cosignsGeneratedKeyPairLoadsInOurs() throws Exception {
    Result gen =
        cosign(
            PASSWORD, "generate-key-pair", "--output-key-prefix", dir.resolve("theirs").toString());
    assertThat(gen.code()).as(gen.output()).isZero();
    String keyPem = Files.readString(dir.resolve("theirs.key"));
    assertThat(keyPem).startsWith("-----BEGIN " + CosignKeys.SIGSTORE_LABEL + "-----");

    PrivateKey priv = CosignKeys.loadPrivate(keyPem, PASSWORD.toCharArray());
    PublicKey pub = CosignKeys.loadPublic(Files.readString(dir.resolve("theirs.pub")));
    byte[] data = "signed by us with cosign's key".getBytes(StandardCharsets.UTF_8);
    String sig = Signer.sign(priv, data);
    assertThat(Verifier.verify(pub, data, sig)).isTrue();

    Path blob = dir.resolve("data");
    Files.write(blob, data);
    Result verified = cosignVerify(dir.resolve("theirs.pub"), write("data.sig", sig), blob);
    assertThat(verified.code()).as(verified.output()).isZero();
  }

  private Result cosignVerify(Path pub, Path sig, Path blob) throws Exception {
    return cosign(
        null,
        "verify-blob",
        "--key",
        pub.toString(),
        "--signature",
        sig.toString(),
        "--insecure-ignore-tlog=true",
        blob.toString());
  }

  private Result cosign(String password, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(cosign.toString());
    cmd.addAll(List.of(args));
    // A private HOME: cosign must not read or write the user's sigstore cache.
    Map<String, String> env =
        password == null
            ? Map.of("HOME", dir.toString())
            : Map.of("HOME", dir.toString(), "COSIGN_PASSWORD", password);
    return exec(dir, env, cmd.toArray(String[]::new));
  }

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static Result exec(Path cwd, Map<String, String> env, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().remove("COSIGN_PASSWORD");
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  private static Path findScript() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path s = p.resolve("scripts/fetch-trixie-tools.sh");
      if (Files.isRegularFile(s)) {
        return s;
      }
    }
    throw new AssertionError(
        "scripts/fetch-trixie-tools.sh not found above " + Path.of("").toAbsolutePath());
  }
}
