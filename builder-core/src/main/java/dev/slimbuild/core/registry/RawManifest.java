package dev.slimbuild.core.registry;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.util.Objects;

/** A manifest or index exactly as a registry served it: bytes, media type and their digest. */
public record RawManifest(byte[] bytes, String mediaType, Digest digest) {
  public RawManifest {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
  }

  /** A manifest from its bytes and media type (the digest is computed). */
  public static RawManifest of(byte[] bytes, String mediaType) {
    return new RawManifest(bytes, mediaType, Digest.sha256Of(bytes));
  }

  /** Its descriptor. */
  public Descriptor descriptor() {
    return Descriptor.of(mediaType, digest, bytes.length);
  }
}
