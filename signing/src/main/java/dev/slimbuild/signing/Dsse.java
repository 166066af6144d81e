package dev.slimbuild.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * DSSE (Dead Simple Signing Envelope, v1) signatures: what is signed is not the payload itself but
 * its pre-authentication encoding, which binds the payload type, so that a signature over one kind
 * of document cannot be replayed as another. Sigstore bundles and cosign attestations sign in-toto
 * statements this way.
 */
public final class Dsse {
  /** The payload type of an in-toto statement. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";

  private Dsse() {}

  /**
   * The pre-authentication encoding: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body},
   * lengths in decimal ASCII bytes.
   */
  static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /**
   * Base64 of the ECDSA signature of {@code payload} as {@code payloadType}, deterministic (RFC
   * 6979): the same key, type and payload give the same envelope.
   */
  public static String sign(PrivateKey key, String payloadType, byte[] payload) {
    return Signer.signDeterministic(key, pae(payloadType, payload));
  }

  /** Whether {@code base64Signature} is {@code key}'s signature of {@code payload} as this type. */
  public static boolean verify(
      PublicKey key, String payloadType, byte[] payload, String base64Signature) {
    return Verifier.verify(key, pae(payloadType, payload), base64Signature);
  }
}
