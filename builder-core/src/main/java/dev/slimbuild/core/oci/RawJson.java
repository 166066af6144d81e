package dev.slimbuild.core.oci;

import java.util.Arrays;
import java.util.function.Function;

/**
 * A JSON document kept as its exact bytes together with the parsed view. The digest is the digest
 * of those bytes; nothing is ever re-serialised to compute it.
 *
 * @param <T> the parsed type (Manifest, Index, ImageConfig, ...)
 */
public final class RawJson<T> {
  private final byte[] bytes;
  private final T value;
  private final Digest digest;

  private RawJson(byte[] bytes, T value) {
    this.bytes = bytes;
    this.value = value;
    this.digest = Digest.sha256Of(bytes);
  }

  /** Serialises {@code doc} canonically and keeps those bytes. */
  public static <T extends OciDocument> RawJson<T> of(T doc) {
    return new RawJson<>(doc.toBytes(), doc);
  }

  /**
   * Parses {@code bytes} with {@code parser} (e.g. {@code Manifest::parse}) and keeps the bytes.
   */
  public static <T> RawJson<T> parse(byte[] bytes, Function<byte[], T> parser) {
    byte[] copy = bytes.clone();
    return new RawJson<>(copy, parser.apply(copy));
  }

  /** A copy of the exact bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public T value() {
    return value;
  }

  /** sha256 of the exact bytes. */
  public Digest digest() {
    return digest;
  }

  public long size() {
    return bytes.length;
  }

  /** A descriptor of these bytes with {@code mediaType}. */
  public Descriptor descriptor(String mediaType) {
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJson<?> r && Arrays.equals(bytes, r.bytes);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "RawJson[" + digest + ", " + bytes.length + " bytes]";
  }
}
