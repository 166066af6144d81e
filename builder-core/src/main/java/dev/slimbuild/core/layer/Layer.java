package dev.slimbuild.core.layer;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A layer of an image, as a blob: the builder's one layer type. A layer an instruction makes goes
 * through three stages, each its own record:
 *
 * <ol>
 *   <li>{@link Changes}: what the instruction changed, in memory, not written yet;
 *   <li>{@link Planned}: those entries as they will be written, after optimisation, and what
 *       optimisation left out;
 *   <li>{@code Layer}: the written blob.
 * </ol>
 *
 * A base image's layer, or one a cache record names, starts as a {@code Layer}: its blob exists, in
 * the store or in a repository it is downloaded from when its bytes are needed. Cache records keep
 * layers in this form too (cache/Records writes their JSON).
 *
 * @param descriptor the blob: media type (so its compression), digest and size, as it is stored
 * @param diffId SHA-256 of the uncompressed tar (the config's {@code rootfs.diff_ids} entry)
 * @param uncompressedSize the tar's size in bytes; empty when unknown (a base image's layer: its
 *     manifest does not say)
 * @param sourceRepository where the blob is when it is not in the build's store yet: the repository
 *     ({@code host/repository}) of the base image or imported cache it comes from, so that a push
 *     can mount it there and outputs can download it when they need its bytes (for a cache read
 *     from an OCI layout, {@code oci-layout://DIR}). Empty for a layer this build wrote, or whose
 *     blob the store already holds.
 */
public record Layer(
    Descriptor descriptor,
    Digest diffId,
    OptionalLong uncompressedSize,
    Optional<String> sourceRepository) {
  public Layer {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(uncompressedSize, "uncompressedSize");
    Objects.requireNonNull(sourceRepository, "sourceRepository");
  }

  /** A layer whose blob is in the store, its tar {@code uncompressedSize} bytes. */
  public static Layer written(Descriptor descriptor, Digest diffId, long uncompressedSize) {
    return new Layer(descriptor, diffId, OptionalLong.of(uncompressedSize), Optional.empty());
  }

  /** The same layer, its blob in {@code repository}. */
  public Layer from(String repository) {
    return new Layer(descriptor, diffId, uncompressedSize, Optional.of(repository));
  }

  /** Whether the blob is in a repository (or a cache's layout), maybe not in the store yet. */
  public boolean isRemote() {
    return sourceRepository.isPresent();
  }

  /**
   * A layer an instruction produced, not written yet.
   *
   * @param entries what the instruction changed
   * @param createdBy its history text (RUN layers start with "RUN")
   * @param home the stage user's home directory when the instruction ran (null: unknown)
   */
  public record Changes(List<LayerEntry> entries, String createdBy, String home) {
    public Changes {
      entries = List.copyOf(entries);
      Objects.requireNonNull(createdBy, "createdBy");
    }

    /** Whether RUN made the layer (the RUN-only rules apply). */
    public boolean isRun() {
      return createdBy.startsWith("RUN");
    }
  }

  /**
   * A layer's entries as they will be written, and what optimisation left out of its {@link
   * Changes}.
   */
  public record Planned(List<LayerEntry> entries, LayerSavings savings) {
    public Planned {
      entries = List.copyOf(entries);
      Objects.requireNonNull(savings, "savings");
    }

    /** Changes written as they are. */
    public static Planned unchanged(Changes c) {
      return new Planned(c.entries(), LayerSavings.NONE);
    }
  }
}
