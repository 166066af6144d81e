package dev.slimbuild.core.build;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * One layer of a built image: its blob descriptor (media type and compression as they are), its
 * diff_id, and for a base-image layer the repository it came from ({@code host/repository}), so
 * that a push can mount it there instead of uploading it, and outputs can download it when they
 * need its bytes. Layers this build wrote have no source: their blobs are in the build's store.
 */
public record LayerRef(Descriptor descriptor, Digest diffId, Optional<String> sourceRepository) {
  public LayerRef {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(sourceRepository, "sourceRepository");
  }

  /** Whether the layer comes from a base image (its blob may not be local yet). */
  public boolean isBase() {
    return sourceRepository.isPresent();
  }
}
