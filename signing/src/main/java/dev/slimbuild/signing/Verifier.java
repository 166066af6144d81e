package dev.slimbuild.signing;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Verifies a base64 signature over a payload: ECDSA (DER, SHA-256) as cosign signs with keys, and
 * the RSA (PKCS#1 v1.5, SHA-256) and Ed25519 signatures sigstore verifiers accept from
 * certificates.
 */
public final class Verifier {
  private Verifier() {}

  /**
   * Whether {@code base64Signature} is a valid signature of {@code payload} by {@code key}. False
   * for anything malformed; line breaks in the base64 are ignored, as Go's decoder does.
   */
  public static boolean verify(PublicKey key, byte[] payload, String base64Signature) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null || base64Signature == null) {
      return false;
    }
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(base64Signature.replace("\n", "").replace("\r", ""));
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(payload);
      return s.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
