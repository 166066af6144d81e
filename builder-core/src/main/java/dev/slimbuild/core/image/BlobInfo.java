package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.util.Objects;

/** The digest and size of a committed blob. */
public record BlobInfo(Digest digest, long size) {
  public BlobInfo {
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }

  /** A descriptor of this blob with {@code mediaType}. */
  public Descriptor descriptor(String mediaType) {
    return Descriptor.of(mediaType, digest, size);
  }
}
