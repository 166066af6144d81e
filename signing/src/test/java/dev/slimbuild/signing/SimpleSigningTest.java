package dev.slimbuild.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimpleSigningTest {
  private static final String DIGEST =
      "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";
  private static final String OTHER =
      "sha256:0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37d9a";

  @Test
  void payloadIsCosignsBytes() {
    byte[] p = SimpleSigning.payload("192.168.64.2:5000/cosign-signed-single-sample", DIGEST);
    // Byte for byte the payload of cosign's own signature in dir-img-cosign-valid.
    assertThat(new String(p, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"critical\":{\"identity\":{\"docker-reference\":\"192.168.64.2:5000/cosign-signed-single-sample\"},"
                + "\"image\":{\"docker-manifest-digest\":\"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00\"},\"type\":\"cosign"
                + " container image signature\"},\"optional\":null}");
    assertThat(p).isEqualTo(CosignSignedImagesTest.signature("dir-img-cosign-valid", 1).payload());
  }

  @Test
  void payloadRejectsBadInput() {
    assertThatThrownBy(() -> SimpleSigning.payload("", DIGEST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimpleSigning.payload("r/x", "sha256:abc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimpleSigning.payload("r/x", DIGEST.toUpperCase(Locale.ROOT)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseReadsWhatPayloadWrites() {
    var c = SimpleSigning.parse(SimpleSigning.payload("localhost:5000/a/b", DIGEST));
    assertThat(c)
        .isEqualTo(new SimpleSigning.Claims("localhost:5000/a/b", DIGEST, SimpleSigning.TYPE));
  }

  @Test
  void parseAcceptsOptionalObjectsAndWhitespace() {
    String json =
        "{ \"critical\": {\"type\": \"cosign container image signature\", \"image\": "
            + "{\"docker-manifest-digest\": \""
            + DIGEST
            + "\"}, \"identity\": {\"docker-reference\": \"r/x:tag\"}},\n"
            + " \"optional\": {\"creator\": \"someone\", \"timestamp\": 1657296609}}";
    assertThat(SimpleSigning.parse(json.getBytes(StandardCharsets.UTF_8)).manifestDigest())
        .isEqualTo(DIGEST);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "wrong type |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"D\"},\"type\":\"atomic"
            + " container signature\"},\"optional\":null} | critical.type",
        "no digest |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{},\"type\":\"T\"},\"optional\":null}"
            + " | docker-manifest-digest",
        "no image |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"type\":\"T\"},\"optional\":null}"
            + " | critical.image",
        "bad digest |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"sha256:xyz\"},\"type\":\"T\"},\"optional\":null}"
            + " | not a manifest digest",
        "unknown critical |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"D\"},\"type\":\"T\",\"extra\":1},\"optional\":null}"
            + " | unknown field",
        "unknown top |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"D\"},\"type\":\"T\"},\"optional\":null,\"x\":1}"
            + " | unknown field",
        "duplicate key |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"D\"},\"type\":\"T\",\"type\":\"T\"},\"optional\":null}"
            + " | duplicate",
        "optional string |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"D\"},\"type\":\"T\"},\"optional\":\"x\"}"
            + " | optional",
        "digest not string |"
            + " {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":5},\"type\":\"T\"},\"optional\":null}"
            + " | must be a string",
        "not json | this is not a signature | not JSON",
        "trailing | {} {} | not JSON",
        "array | [] | must be a JSON object",
      })
  void parseIsStrict(String name, String json, String message) {
    String filled =
        json.replace("\"D\"", "\"" + DIGEST + "\"")
            .replace("\"T\"", "\"" + SimpleSigning.TYPE + "\"");
    assertThatThrownBy(() -> SimpleSigning.parse(filled.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining(message);
  }

  @Test
  void parseRejectsInvalidUtf8() {
    byte[] p = SimpleSigning.payload("r/\u00e9", DIGEST);
    byte[] bad = p.clone();
    for (int i = 0; i < bad.length; i++) {
      if (bad[i] == (byte) 0xc3) {
        bad[i] = (byte) 0xff;
      }
    }
    assertThat(SimpleSigning.parse(p).dockerReference()).isEqualTo("r/\u00e9");
    assertThatThrownBy(() -> SimpleSigning.parse(bad)).isInstanceOf(PayloadException.class);
  }

  @Test
  void htmlCharactersAreEscapedAsGoDoes() {
    assertThat(new String(SimpleSigning.payload("a<b>&c", DIGEST), StandardCharsets.UTF_8))
        .contains("\"docker-reference\":\"a\\u003cb\\u003e\\u0026c\"");
  }

  @Test
  void signatureCheckWantsSignatureAndDigest() {
    PrivateKey priv =
        CosignKeys.loadPrivate(
            Conformance.text("cosign/sigstore-labeled.key"), "hello".toCharArray());
    PublicKey pub = CosignKeys.loadPublic(Conformance.text("cosign/sigstore-labeled.pub"));
    PublicKey otherKey = CosignKeys.loadPublic(Conformance.text("cosign/cosign-ec.pub"));
    byte[] payload = SimpleSigning.payload("localhost:5000/app", DIGEST);
    String sig = Signer.sign(priv, payload);

    assertThat(SignatureCheck.check(pub, payload, sig, DIGEST))
        .isEqualTo(new SignatureCheck.Result(true, "signature verified"));
    assertThat(SignatureCheck.check(pub, payload, sig, OTHER).reason())
        .contains(DIGEST)
        .contains(OTHER);
    assertThat(SignatureCheck.check(pub, payload, sig, OTHER).ok()).isFalse();
    assertThat(SignatureCheck.check(otherKey, payload, sig, DIGEST).ok()).isFalse();

    byte[] notAPayload = "hello".getBytes(StandardCharsets.UTF_8);
    var r = SignatureCheck.check(pub, notAPayload, Signer.sign(priv, notAPayload), DIGEST);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("not JSON");
  }

  @Test
  void verifierRejectsGarbage() {
    PublicKey pub = CosignKeys.loadPublic(Conformance.text("cosign/cosign-ec.pub"));
    byte[] payload = SimpleSigning.payload("r/x", DIGEST);
    assertThat(Verifier.verify(pub, payload, "not base64!")).isFalse();
    assertThat(Verifier.verify(pub, payload, "AAAA")).isFalse();
    assertThat(Verifier.verify(pub, payload, "")).isFalse();
    assertThat(Verifier.verify(pub, payload, null)).isFalse();
  }
}
