package dev.slimbuild.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DsseTest {
  /** The public key of a pair cosign 3.1 signed an image with (a test key, made for this). */
  private static final String COSIGN_PUB =
      """
      -----BEGIN PUBLIC KEY-----
      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEomEY13WhrXgZW0VpW5lO6XwYybhm
      x2WnUZk08B+58NdgSve+zF6mg6gdpCNx6kbAbpN+xNMlwAEU1zU4AYOE4A==
      -----END PUBLIC KEY-----
      """;

  /** The in-toto statement of that signature (cosign sign --new-bundle-format), base64. */
  private static final String COSIGN_PAYLOAD =
      "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0"
          + "ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiNmY3YzNlMWZkMzQzNThiNTI3NDU5Yjcz"
          + "YjYxODA3MjU0OGFjNmI3OTAwODQ2MTYyYTAzOGQ1NDgwZDRhMzc1MiJ9LCJhbm5vdGF0aW9ucyI6e319XSwicHJl"
          + "ZGljYXRlVHlwZSI6Imh0dHBzOi8vc2lnc3RvcmUuZGV2L2Nvc2lnbi9zaWduL3YxIiwicHJlZGljYXRlIjp7fX0=";

  /** cosign's DSSE signature of it. */
  private static final String COSIGN_SIG =
      "MEYCIQCEgxeaAwAmpaA2A8Q+iMaHkr1+G4zidFAC9dzyLRMusAIh"
          + "APxSFq6L5FzBxJMXyzrHCklFtUVDtS04dsHTchqDHFCz";

  @Test
  void paeIsTheSpecsEncoding() {
    // the example of the DSSE protocol document
    assertThat(
            new String(
                Dsse.pae(
                    "http://example.com/HelloWorld",
                    "hello world".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    // lengths count bytes, not characters
    assertThat(
            new String(Dsse.pae("t", "ä".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 1 t 2 ä");
  }

  @Test
  void aSignatureCosignMadeVerifiesAndNotAsAnotherTypeOrPayload() {
    var key = CosignKeys.loadPublic(COSIGN_PUB);
    byte[] payload = Base64.getDecoder().decode(COSIGN_PAYLOAD);
    assertThat(Dsse.verify(key, Dsse.IN_TOTO, payload, COSIGN_SIG)).isTrue();
    assertThat(Dsse.verify(key, "application/json", payload, COSIGN_SIG)).isFalse();
    payload[payload.length - 2] = ' ';
    assertThat(Dsse.verify(key, Dsse.IN_TOTO, payload, COSIGN_SIG)).isFalse();
    // the plain payload (not its encoding) is not what was signed
    assertThat(Verifier.verify(key, Base64.getDecoder().decode(COSIGN_PAYLOAD), COSIGN_SIG))
        .isFalse();
  }

  @Test
  void ourSignaturesAreDeterministicAndVerify() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    byte[] payload = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    String first = Dsse.sign(kp.getPrivate(), Dsse.IN_TOTO, payload);
    assertThat(Dsse.sign(kp.getPrivate(), Dsse.IN_TOTO, payload)).isEqualTo(first);
    assertThat(
            Dsse.sign(kp.getPrivate(), Dsse.IN_TOTO, "{\"a\":2}".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(first);
    assertThat(Dsse.verify(kp.getPublic(), Dsse.IN_TOTO, payload, first)).isTrue();
    KeyPair other = g.generateKeyPair();
    assertThat(Dsse.verify(other.getPublic(), Dsse.IN_TOTO, payload, first)).isFalse();
  }
}
