package dev.slimbuild.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Real cosign output (containers/image's fixtures in its {@code dir:} layout): what each
 * directory's name says must hold. The data's symbolic links arrive as small files holding the link
 * target; {@link #read} follows them.
 */
class CosignSignedImagesTest {
  private static final byte[] HEADER = "\0sigstore-json".getBytes(StandardCharsets.US_ASCII);

  /** One signature as containers/image stores it. */
  record StoredSignature(String mimeType, byte[] payload, JsonObject annotations) {
    String signature() {
      return annotation("dev.cosignproject.cosign/signature");
    }

    String annotation(String key) {
      return ((JsonString) annotations.get(key).orElseThrow()).value();
    }
  }

  private static final PublicKey COSIGN = key("cosign.pub");
  private static final PublicKey COSIGN2 = key("cosign2.pub");

  @Test
  void validSignaturesVerifyAndNameTheManifest() {
    for (String dir : new String[] {"dir-img-cosign-valid", "dir-img-cosign-valid-with-tag"}) {
      StoredSignature s = signature(dir, 1);
      String digest = sha256(read(dir + "/manifest.json"));
      assertThat(s.mimeType()).isEqualTo(SimpleSigning.MEDIA_TYPE);
      assertThat(Verifier.verify(COSIGN, s.payload(), s.signature())).as(dir).isTrue();
      assertThat(SimpleSigning.parse(s.payload()).manifestDigest()).as(dir).isEqualTo(digest);
      assertThat(SignatureCheck.check(COSIGN, s.payload(), s.signature(), digest).ok())
          .as(dir)
          .isTrue();
      assertThat(SignatureCheck.check(COSIGN2, s.payload(), s.signature(), digest).ok())
          .as(dir)
          .isFalse();
    }
    assertThat(
            SimpleSigning.parse(signature("dir-img-cosign-valid-with-tag", 1).payload())
                .dockerReference())
        .isEqualTo("192.168.64.2:5000/skopeo-signed:tag");
  }

  @Test
  void keyRekorSignatureVerifiesWithTheSecondKeyOnly() {
    StoredSignature s = signature("dir-img-cosign-key-rekor-valid", 1);
    String digest = sha256(read("dir-img-cosign-key-rekor-valid/manifest.json"));
    assertThat(SignatureCheck.check(COSIGN2, s.payload(), s.signature(), digest).ok()).isTrue();
    var other = SignatureCheck.check(COSIGN, s.payload(), s.signature(), digest);
    assertThat(other.ok()).isFalse();
    assertThat(other.reason()).contains("does not verify");
  }

  @Test
  void changedPayloadIsRejected() {
    StoredSignature s = signature("dir-img-cosign-valid", 1);
    String digest = sha256(read("dir-img-cosign-valid/manifest.json"));
    for (int i = 0; i < s.payload().length; i += 17) {
      byte[] flipped = s.payload().clone();
      flipped[i] ^= 0x01;
      assertThat(Verifier.verify(COSIGN, flipped, s.signature())).as("byte %d", i).isFalse();
      assertThat(SignatureCheck.check(COSIGN, flipped, s.signature(), digest).ok()).isFalse();
    }
    byte[] sig = Base64.getDecoder().decode(s.signature());
    sig[sig.length - 1] ^= 0x01;
    assertThat(Verifier.verify(COSIGN, s.payload(), Base64.getEncoder().encodeToString(sig)))
        .isFalse();
  }

  @Test
  void modifiedManifestFailsTheDigestCheckThoughTheSignatureIsGood() {
    StoredSignature s = signature("dir-img-cosign-modified-manifest", 1);
    String digest = sha256(read("dir-img-cosign-modified-manifest/manifest.json"));
    assertThat(Verifier.verify(COSIGN, s.payload(), s.signature())).isTrue();
    var r = SignatureCheck.check(COSIGN, s.payload(), s.signature(), digest);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason())
        .contains(digest)
        .contains(SimpleSigning.parse(s.payload()).manifestDigest());
  }

  @Test
  void manifestDigestErrorDoesNotPass() {
    // Its manifest is a schema-1 manifest this data set does not include (a dangling link); what
    // is there does not hash to the signed digest, so the check must refuse.
    StoredSignature s = signature("dir-img-cosign-manifest-digest-error", 1);
    byte[] manifest = read("dir-img-cosign-manifest-digest-error/manifest.json");
    assertThat(SignatureCheck.check(COSIGN, s.payload(), s.signature(), sha256(manifest)).ok())
        .isFalse();
  }

  @Test
  void valid2HasTwoGoodSignatures() {
    String digest = sha256(read("dir-img-cosign-valid-2/manifest.json"));
    for (int n = 1; n <= 2; n++) {
      StoredSignature s = signature("dir-img-cosign-valid-2", n);
      assertThat(SignatureCheck.check(COSIGN, s.payload(), s.signature(), digest).ok())
          .as("signature-%d", n)
          .isTrue();
    }
    assertThat(signature("dir-img-cosign-valid-2", 2).signature())
        .isNotEqualTo(signature("dir-img-cosign-valid-2", 1).signature());
  }

  @Test
  void mixedHasOneGoodSignature() {
    // signature-1 is by a key whose file this data set lacks; signature-2 is the valid one.
    String digest = sha256(read("dir-img-cosign-mixed/manifest.json"));
    StoredSignature s = signature("dir-img-cosign-mixed", 2);
    assertThat(SignatureCheck.check(COSIGN, s.payload(), s.signature(), digest).ok()).isTrue();
  }

  @Test
  void otherAttachmentIsNotASignature() {
    StoredSignature s = signature("dir-img-cosign-other-attachment", 1);
    String digest = sha256(read("dir-img-cosign-other-attachment/manifest.json"));
    assertThat(s.mimeType()).isEqualTo("text/plain");
    assertThat(Verifier.verify(COSIGN, s.payload(), s.signature())).isFalse();
    assertThat(SignatureCheck.check(COSIGN, s.payload(), s.signature(), digest).ok()).isFalse();
    assertThatThrownBy(() -> SimpleSigning.parse(s.payload())).isInstanceOf(PayloadException.class);
  }

  @Test
  void noManifestDirectoryHasNothingToCheckAgainst() {
    assertThat(
            Conformance.dir()
                .resolve("cosign-signed-images/dir-img-cosign-no-manifest/manifest.json"))
        .doesNotExist();
    StoredSignature s = signature("dir-img-cosign-no-manifest", 1);
    assertThat(Verifier.verify(COSIGN, s.payload(), s.signature())).isTrue();
  }

  @Test
  void certificateSignaturesVerifyWithTheCertificatesKeyNotWithCosignPub() {
    // Fulcio (ECDSA) and a private PKI (RSA): the signature is over the same kind of payload.
    for (String dir :
        new String[] {"dir-img-cosign-fulcio-rekor-valid", "dir-img-cosign-pki-valid"}) {
      StoredSignature s = signature(dir, 1);
      String digest = sha256(read(dir + "/manifest.json"));
      PublicKey certKey = certificateKey(s.annotation("dev.sigstore.cosign/certificate"));
      assertThat(SignatureCheck.check(certKey, s.payload(), s.signature(), digest).ok())
          .as(dir)
          .isTrue();
      assertThat(Verifier.verify(COSIGN, s.payload(), s.signature())).as(dir).isFalse();
      assertThat(Verifier.verify(COSIGN2, s.payload(), s.signature())).as(dir).isFalse();
    }
  }

  static StoredSignature signature(String dir, int n) {
    byte[] raw = read(dir + "/signature-" + n);
    assertThat(Arrays.copyOf(raw, HEADER.length)).isEqualTo(HEADER);
    String json =
        new String(raw, HEADER.length, raw.length - HEADER.length, StandardCharsets.UTF_8);
    JsonObject m = (JsonObject) Json.parse(json);
    return new StoredSignature(
        string(m, "mimeType"),
        Base64.getDecoder().decode(string(m, "payload")),
        (JsonObject) m.get("annotations").orElseThrow());
  }

  private static String string(JsonObject o, String key) {
    return ((JsonString) o.get(key).orElseThrow()).value();
  }

  /** A file of the data set, following links that arrived as files holding "../target". */
  static byte[] read(String relative) {
    Path base = Conformance.dir().resolve("cosign-signed-images");
    Path p = base.resolve(relative);
    try {
      for (int hops = 0; hops < 4; hops++) {
        byte[] b = Files.readAllBytes(p);
        String s = new String(b, StandardCharsets.UTF_8);
        if (b.length > 200 || !s.startsWith("../")) {
          return b;
        }
        Path target = p.getParent().resolve(s.strip()).normalize();
        if (!Files.exists(target)) {
          return b; // a link to a file this data set does not hold: its text is all there is
        }
        p = target;
      }
      throw new AssertionError("link loop at " + relative);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static PublicKey key(String name) {
    return CosignKeys.loadPublic(new String(read(name), StandardCharsets.UTF_8));
  }

  private static PublicKey certificateKey(String pem) {
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .getPublicKey();
    } catch (CertificateException e) {
      throw new AssertionError(e);
    }
  }
}
