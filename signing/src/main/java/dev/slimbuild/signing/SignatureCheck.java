package dev.slimbuild.signing;

import java.security.PublicKey;

/**
 * What a consumer checks before trusting a signed image: the signature verifies with the key, the
 * payload is a valid simple-signing payload, and it vouches for exactly the expected digest.
 */
public final class SignatureCheck {

  /** The outcome: {@code ok}, or why not. */
  public record Result(boolean ok, String reason) {
    static Result accepted() {
      return new Result(true, "signature verified");
    }

    static Result rejected(String reason) {
      return new Result(false, reason);
    }
  }

  private SignatureCheck() {}

  /**
   * Checks {@code signature} over {@code payload} with {@code key} against {@code expectedDigest}.
   */
  public static Result check(
      PublicKey key, byte[] payload, String signature, String expectedDigest) {
    if (!Verifier.verify(key, payload, signature)) {
      return Result.rejected("signature does not verify with the given public key");
    }
    SimpleSigning.Claims claims;
    try {
      claims = SimpleSigning.parse(payload);
    } catch (PayloadException e) {
      return Result.rejected(e.getMessage());
    }
    if (!claims.manifestDigest().equals(expectedDigest)) {
      return Result.rejected(
          "signature is for "
              + claims.manifestDigest()
              + ", not for the manifest "
              + expectedDigest);
    }
    return Result.accepted();
  }
}
