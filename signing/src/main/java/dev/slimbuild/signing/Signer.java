package dev.slimbuild.signing;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.util.Base64;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Signs payloads as cosign does with a key: ECDSA over SHA-256, ASN.1 DER, base64. {@link #sign}
 * draws a random nonce as cosign does; {@link #signDeterministic} derives it from the key and the
 * payload (RFC 6979), so the same key signing the same payload writes the same bytes.
 */
public final class Signer {
  /** BouncyCastle, not registered globally: only its deterministic ECDSA is used. */
  private static final Provider BC = new BouncyCastleProvider();

  private Signer() {}

  /** Base64 of the DER ECDSA signature ({@code SHA256withECDSA}) of {@code payload}. */
  public static String sign(PrivateKey key, byte[] payload) {
    return sign(key, payload, false);
  }

  /**
   * Base64 of the DER ECDSA signature of {@code payload} with the nonce of RFC 6979 (BouncyCastle's
   * {@code SHA256withECDDSA}): any ECDSA verifier accepts it, and signing again gives the same
   * signature.
   */
  static String signDeterministic(PrivateKey key, byte[] payload) {
    return sign(key, payload, true);
  }

  private static String sign(PrivateKey key, byte[] payload, boolean deterministic) {
    if (!"EC".equals(key.getAlgorithm())) {
      throw new KeyException("cannot sign with a " + key.getAlgorithm() + " key (need ECDSA)");
    }
    try {
      Signature s =
          deterministic
              ? Signature.getInstance("SHA256withECDDSA", BC)
              : Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(payload);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new KeyException("signing failed: " + e.getClass().getSimpleName());
    }
  }
}
