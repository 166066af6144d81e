package dev.slimbuild.core.push;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.registry.Registry.PushResult;
import java.util.List;
import java.util.Objects;

/**
 * What a push did: the pushed top document (manifest or index), where it went, and how each
 * distinct blob (configs and layers, in push order) was made present.
 *
 * @param descriptor the top document's descriptor; its digest is what the tags point at
 * @param repository the repository pushed to
 * @param tags the tags written (empty when the image was pushed by digest only)
 * @param blobs one entry per distinct config or layer blob
 */
public record PushReport(
    Descriptor descriptor, String repository, List<String> tags, List<BlobPush> blobs) {

  public PushReport {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(repository, "repository");
    tags = List.copyOf(tags);
    blobs = List.copyOf(blobs);
  }

  /** How one blob was made present. */
  record BlobPush(Descriptor blob, PushResult result) {
    public BlobPush {
      Objects.requireNonNull(blob, "blob");
      Objects.requireNonNull(result, "result");
    }
  }

  /** How many blobs ended with {@code result}. */
  public int count(PushResult result) {
    return (int) blobs.stream().filter(b -> b.result() == result).count();
  }

  /** The total size of the blobs that ended with {@code result}. */
  public long bytes(PushResult result) {
    return blobs.stream().filter(b -> b.result() == result).mapToLong(b -> b.blob().size()).sum();
  }
}
