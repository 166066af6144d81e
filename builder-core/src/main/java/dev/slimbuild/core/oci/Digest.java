package dev.slimbuild.core.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code algorithm:encoded}, following the grammar of the OCI image spec
 * (descriptor.md#digests). The registered algorithms sha256 and sha512 are checked strictly (64 or
 * 128 lower-case hex digits); other algorithms only have to match the grammar, as the spec allows,
 * and {@link #isRegistered()} is false for them: they can be carried but not verified.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
  private static final Pattern ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    boolean ok =
        switch (algorithm) {
          case "sha256" -> SHA256.matcher(hex).matches();
          case "sha512" -> SHA512.matcher(hex).matches();
          default -> ALGORITHM.matcher(algorithm).matches() && ENCODED.matcher(hex).matches();
        };
    if (!ok) {
      throw new IllegalArgumentException("invalid digest: " + algorithm + ":" + hex);
    }
  }

  /** Parses {@code algorithm:encoded}; throws IllegalArgumentException naming the input. */
  public static Digest parse(String s) {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest: " + s);
    }
    return new Digest(s.substring(0, colon), s.substring(colon + 1));
  }

  /** A sha256 digest from raw hash bytes. */
  public static Digest sha256(byte[] hash) {
    return of("sha256", hash);
  }

  /** The digest {@code algorithm:hex(hash)} of a finished hash. */
  public static Digest of(String algorithm, byte[] hash) {
    return new Digest(algorithm, HexFormat.of().formatHex(hash));
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest sha256Of(byte[] bytes) {
    return sha256(newSha256().digest(bytes));
  }

  /** The sha256 digest of the UTF-8 bytes of {@code text}. */
  public static Digest sha256Of(String text) {
    return sha256Of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A new SHA-256 MessageDigest (always available in the JDK). */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether the algorithm is one the spec registers (sha256, sha512), so content can be verified.
   */
  public boolean isRegistered() {
    return algorithm.equals("sha256") || algorithm.equals("sha512");
  }

  /** A new MessageDigest for this digest's algorithm; IllegalStateException if unregistered. */
  public MessageDigest newHasher() {
    try {
      return switch (algorithm) {
        case "sha256" -> MessageDigest.getInstance("SHA-256");
        case "sha512" -> MessageDigest.getInstance("SHA-512");
        default -> throw new IllegalStateException("cannot verify digest algorithm " + algorithm);
      };
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first 12 characters of the encoded part, as {@code docker images} shows. */
  public String shortHex() {
    return hex.length() <= 12 ? hex : hex.substring(0, 12);
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
