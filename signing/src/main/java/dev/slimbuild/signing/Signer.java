package dev.slimbuild.signing;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Signs payloads as cosign does with a key: ECDSA over SHA-256, ASN.1 DER, base64. */
public final class Signer {
  private Signer() {}

  /** Base64 of the DER ECDSA signature ({@code SHA256withECDSA}) of {@code payload}. */
  public static String sign(PrivateKey key, byte[] payload) {
    if (!"EC".equals(key.getAlgorithm())) {
      throw new KeyException("cannot sign with a " + key.getAlgorithm() + " key (need ECDSA)");
    }
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(payload);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new KeyException("signing failed: " + e.getClass().getSimpleName());
    }
  }
}
