package dev.slimbuild.core.pull;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.oci.RawJson;
import java.util.List;
import java.util.Objects;

/**
 * One platform's image as a registry serves it: the manifest and config as exact bytes (their
 * digests are the hashes of those bytes), and where they came from.
 *
 * @param reference what the user asked for (tag or digest)
 * @param manifest the platform's manifest
 * @param manifestMediaType the manifest's media type (OCI or Docker schema 2)
 * @param config the image config
 */
public record ResolvedImage(
    ImageReference reference,
    RawJson<Manifest> manifest,
    String manifestMediaType,
    RawJson<ImageConfig> config) {
  public ResolvedImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(manifestMediaType, "manifestMediaType");
    if (!manifest.value().config().digest().equals(config.digest())) {
      throw new IllegalArgumentException("config is not the manifest's config");
    }
    if (config.value().diffIds().size() != manifest.value().layers().size()) {
      throw new IllegalArgumentException("config diff_ids do not match the manifest's layers");
    }
  }

  /** {@code host/repository}, e.g. {@code registry.example.com:5000/team/app}. */
  public String source() {
    return reference.name();
  }

  /** The manifest's digest: the image's identity, whichever tag named it. */
  public Digest digest() {
    return manifest.digest();
  }

  /** The layer descriptors, bottom first, exactly as the manifest lists them. */
  public List<Descriptor> layers() {
    return manifest.value().layers();
  }

  /** The layers' diff_ids, from the config. */
  public List<Digest> diffIds() {
    return config.value().diffIds();
  }

  /** The platform the config describes. */
  public Platform platform() {
    return config.value().platform();
  }
}
