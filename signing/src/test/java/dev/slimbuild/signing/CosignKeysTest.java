package dev.slimbuild.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonNumber;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CosignKeysTest {
  private static final char[] HELLO = "hello".toCharArray();
  private static final byte[] MESSAGE = "a message".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @ValueSource(strings = {"cosign-ec", "sigstore-labeled"})
  void cosignsOwnKeysLoadAndSignForTheirPublicKey(String name) {
    PrivateKey priv = CosignKeys.loadPrivate(Conformance.text("cosign/" + name + ".key"), HELLO);
    PublicKey pub = CosignKeys.loadPublic(Conformance.text("cosign/" + name + ".pub"));

    assertThat(priv.getAlgorithm()).isEqualTo("EC");
    assertThat(((ECPrivateKey) priv).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    String sig = Signer.sign(priv, MESSAGE);
    assertThat(Verifier.verify(pub, MESSAGE, sig)).isTrue();
    assertThat(Verifier.verify(pub, "another message".getBytes(StandardCharsets.UTF_8), sig))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cosign-ec", "sigstore-labeled"})
  void thePublicKeyDerivedFromAPrivateKeyIsTheOneInThePubFile(String name) {
    PrivateKey priv = CosignKeys.loadPrivate(Conformance.text("cosign/" + name + ".key"), HELLO);
    PublicKey pub = CosignKeys.loadPublic(Conformance.text("cosign/" + name + ".pub"));
    assertThat(CosignKeys.publicKeyOf(priv).getEncoded()).isEqualTo(pub.getEncoded());
  }

  @Test
  void theTwoConformanceKeysAreDifferentKeys() {
    PrivateKey a = CosignKeys.loadPrivate(Conformance.text("cosign/cosign-ec.key"), HELLO);
    PublicKey b = CosignKeys.loadPublic(Conformance.text("cosign/sigstore-labeled.pub"));
    assertThat(Verifier.verify(b, MESSAGE, Signer.sign(a, MESSAGE))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cosign-ec", "sigstore-labeled"})
  void wrongPasswordIsAClearErrorWithoutSecrets(String name) {
    String pem = Conformance.text("cosign/" + name + ".key");
    assertThatThrownBy(() -> CosignKeys.loadPrivate(pem, "hellO".toCharArray()))
        .isInstanceOf(KeyException.class)
        .hasMessageStartingWith("wrong password")
        .hasMessageNotContaining("hellO");
  }

  @Test
  void generatedKeyRoundTrips() {
    char[] pw = "s3cret pässword".toCharArray();
    KeyPairFiles files = CosignKeys.generate(pw);

    PrivateKey priv = CosignKeys.loadPrivate(files.privatePem(), pw);
    PublicKey pub = CosignKeys.loadPublic(files.publicPem());
    assertThat(Verifier.verify(pub, MESSAGE, Signer.sign(priv, MESSAGE))).isTrue();
    assertThatThrownBy(() -> CosignKeys.loadPrivate(files.privatePem(), "s3cret".toCharArray()))
        .isInstanceOf(KeyException.class)
        .hasMessageStartingWith("wrong password");
    assertThat(files.toString()).doesNotContain(files.privatePem()).doesNotContain("s3cret");
  }

  @Test
  void generatedKeyFileHasExactlyCosignsFields() {
    KeyPairFiles files = CosignKeys.generate(HELLO);
    String pem = files.privatePem();
    assertThat(pem)
        .startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
        .endsWith("\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
    assertThat(files.publicPem())
        .startsWith("-----BEGIN PUBLIC KEY-----\n")
        .endsWith("\n-----END PUBLIC KEY-----\n");
    String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    pem.lines()
        .filter(l -> !l.startsWith("-----"))
        .forEach(l -> assertThat(l.length()).isLessThanOrEqualTo(64));
    String json = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);

    // Same shape, same key order as cosign's own file; only the base64 values differ.
    String shape =
        json.replaceAll("\"(salt|nonce|ciphertext)\":\"[A-Za-z0-9+/=]+\"", "\"$1\":\"B64\"");
    assertThat(shape)
        .isEqualTo(
            "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":65536,\"r\":8,\"p\":1},\"salt\":\"B64\"},"
                + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"B64\"},\"ciphertext\":\"B64\"}");
    String cosigns =
        new String(
            Base64.getMimeDecoder()
                .decode(
                    Conformance.text("cosign/sigstore-labeled.key")
                        .replaceAll("-----[A-Z ]+-----", "")
                        .strip()),
            StandardCharsets.UTF_8);
    assertThat(keysInOrder(Json.parse(json))).isEqualTo(keysInOrder(Json.parse(cosigns)));

    JsonObject doc = (JsonObject) Json.parse(json);
    JsonObject kdf = (JsonObject) doc.get("kdf").orElseThrow();
    JsonObject cipher = (JsonObject) doc.get("cipher").orElseThrow();
    assertThat(Base64.getDecoder().decode(((JsonString) kdf.get("salt").orElseThrow()).value()))
        .hasSize(32);
    assertThat(Base64.getDecoder().decode(((JsonString) cipher.get("nonce").orElseThrow()).value()))
        .hasSize(24);
    assertThat(((JsonObject) kdf.get("params").orElseThrow()).get("N"))
        .contains(JsonNumber.of(65536));
  }

  @Test
  void twoGeneratedKeysDiffer() {
    KeyPairFiles a = CosignKeys.generate(HELLO);
    KeyPairFiles b = CosignKeys.generate(HELLO);
    assertThat(a.publicPem()).isNotEqualTo(b.publicPem());
    assertThat(a.privatePem()).isNotEqualTo(b.privatePem());
  }

  @Test
  void damagedCiphertextIsRejectedLikeAWrongPassword() {
    String pem = CosignKeys.generate(HELLO).privatePem();
    String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    String json = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
    int at = json.indexOf("\"ciphertext\":\"") + 20;
    char c = json.charAt(at);
    String damaged = json.substring(0, at) + (c == 'A' ? 'B' : 'A') + json.substring(at + 1);
    String damagedPem =
        new Pem(CosignKeys.SIGSTORE_LABEL, damaged.getBytes(StandardCharsets.UTF_8)).encode();
    assertThatThrownBy(() -> CosignKeys.loadPrivate(damagedPem, HELLO))
        .isInstanceOf(KeyException.class)
        .hasMessageStartingWith("wrong password");
  }

  @Test
  void unsupportedScryptParametersAreRefused() {
    String json =
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8,\"p\":1},\"salt\":\"AAAA\"},"
            + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}";
    String pem = new Pem(CosignKeys.COSIGN_LABEL, json.getBytes(StandardCharsets.UTF_8)).encode();
    assertThatThrownBy(() -> CosignKeys.loadPrivate(pem, HELLO))
        .isInstanceOf(KeyException.class)
        .hasMessageContaining("N=1024");
  }

  @Test
  void plainPkcs8KeyFromTheJdkLoads() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var kp = g.generateKeyPair();
    String privPem = new Pem("PRIVATE KEY", kp.getPrivate().getEncoded()).encode();
    String pubPem = new Pem("PUBLIC KEY", kp.getPublic().getEncoded()).encode();

    PrivateKey priv = CosignKeys.loadPrivate(privPem, new char[0]);
    assertThat(Verifier.verify(CosignKeys.loadPublic(pubPem), MESSAGE, Signer.sign(priv, MESSAGE)))
        .isTrue();
  }

  @Test
  void plainKeysFromOpensslLoad(@TempDir Path dir) throws Exception {
    Path sec1 = dir.resolve("sec1.pem");
    Path pkcs8 = dir.resolve("pkcs8.pem");
    Path pub = dir.resolve("pub.pem");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1.toString());
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", sec1.toString(), "-out", pkcs8.toString());
    openssl("ec", "-in", sec1.toString(), "-pubout", "-out", pub.toString());
    assertThat(Files.readString(sec1)).contains("-----BEGIN EC PRIVATE KEY-----");
    assertThat(Files.readString(pkcs8)).contains("-----BEGIN PRIVATE KEY-----");

    PublicKey publicKey = CosignKeys.loadPublic(Files.readString(pub));
    for (Path p : List.of(sec1, pkcs8)) {
      PrivateKey k = CosignKeys.loadPrivate(Files.readString(p), new char[0]);
      assertThat(Verifier.verify(publicKey, MESSAGE, Signer.sign(k, MESSAGE)))
          .as(p.toString())
          .isTrue();
    }
    // And openssl accepts our signature over a file with that key.
    Path msg = dir.resolve("msg");
    Files.write(msg, MESSAGE);
    Path sig = dir.resolve("msg.sig");
    Files.write(
        sig,
        Base64.getDecoder()
            .decode(
                Signer.sign(CosignKeys.loadPrivate(Files.readString(sec1), new char[0]), MESSAGE)));
    assertThat(
            openssl(
                "dgst",
                "-sha256",
                "-verify",
                pub.toString(),
                "-signature",
                sig.toString(),
                msg.toString()))
        .contains("Verified OK");
  }

  @Test
  void otherPemBlocksAreRefused() {
    assertThatThrownBy(
            () ->
                CosignKeys.loadPrivate(
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", HELLO))
        .isInstanceOf(KeyException.class)
        .hasMessageContaining("CERTIFICATE");
    assertThatThrownBy(() -> CosignKeys.loadPrivate("just text", HELLO))
        .isInstanceOf(KeyException.class)
        .hasMessageContaining("not a PEM");
    assertThatThrownBy(() -> CosignKeys.loadPublic(Conformance.text("cosign/cosign-ec.key")))
        .isInstanceOf(KeyException.class)
        .hasMessageContaining("PUBLIC KEY");
  }

  private static List<String> keysInOrder(JsonValue v) {
    List<String> out = new ArrayList<>();
    if (v instanceof JsonObject o) {
      o.members()
          .forEach(
              (k, x) -> {
                out.add(k);
                keysInOrder(x).forEach(s -> out.add(k + "." + s));
              });
    }
    return out;
  }

  private static String openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl %s: %s", String.join(" ", args), out).isZero();
    return out;
  }
}
