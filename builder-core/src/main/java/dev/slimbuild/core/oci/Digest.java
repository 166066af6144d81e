package dev.slimbuild.core.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code algorithm:hex}. Only sha256 and sha512 are accepted, as the OCI image
 * spec registers (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests).
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    boolean ok =
        switch (algorithm) {
          case "sha256" -> SHA256.matcher(hex).matches();
          case "sha512" -> SHA512.matcher(hex).matches();
          default -> false;
        };
    if (!ok) {
      throw new IllegalArgumentException("invalid digest: " + algorithm + ":" + hex);
    }
  }

  /** Parses {@code sha256:<64 hex>}; throws IllegalArgumentException naming the input. */
  public static Digest parse(String s) {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest: " + s);
    }
    return new Digest(s.substring(0, colon), s.substring(colon + 1));
  }

  /** A sha256 digest from raw hash bytes. */
  public static Digest sha256(byte[] hash) {
    return new Digest("sha256", HexFormat.of().formatHex(hash));
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

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
