package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.oci.RawJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One platform's image: its manifest and config as exact bytes (both stored in a {@link
 * BlobStore}); the layers are the manifest's layer descriptors.
 */
public record BuiltImage(Platform platform, RawJson<Manifest> manifest, RawJson<ImageConfig> config)
    implements ImageOutput {

  public BuiltImage {
    Objects.requireNonNull(platform, "platform");
    if (!manifest.value().config().digest().equals(config.digest())) {
      throw new IllegalArgumentException(
          "manifest references config "
              + manifest.value().config().digest()
              + " but the config is "
              + config.digest());
    }
  }

  /**
   * Writes {@code config} and an OCI manifest of it and {@code layers} into {@code store} (the
   * layers must already be there) and returns the image. The config's diff_ids must match the
   * layers one for one.
   */
  public static BuiltImage assemble(
      BlobStore store, ImageConfig config, List<Descriptor> layers, Map<String, String> annotations)
      throws IOException {
    return assemble(store, config, layers, annotations, Set.of());
  }

  /**
   * Like {@link #assemble(BlobStore, ImageConfig, List, Map)}, but the layers in {@code remote}
   * (base-image layers still in their registry) need not be in the store yet.
   */
  public static BuiltImage assemble(
      BlobStore store,
      ImageConfig config,
      List<Descriptor> layers,
      Map<String, String> annotations,
      Set<Digest> remote)
      throws IOException {
    if (config.diffIds().size() != layers.size()) {
      throw new IllegalArgumentException(
          "config has " + config.diffIds().size() + " diff_ids for " + layers.size() + " layers");
    }
    for (Descriptor l : layers) {
      if (!remote.contains(l.digest()) && !store.has(l.digest())) {
        throw new IllegalArgumentException("layer " + l.digest() + " is not in " + store);
      }
    }
    RawJson<ImageConfig> rawConfig = RawJson.of(config);
    Descriptor configDesc = store.putBytes(rawConfig.bytes(), MediaType.OCI_CONFIG);
    RawJson<Manifest> rawManifest =
        RawJson.of(Manifest.oci(configDesc, layers).withAnnotations(annotations));
    store.putBytes(rawManifest.bytes());
    return new BuiltImage(config.platform(), rawManifest, rawConfig);
  }

  /** The manifest descriptor, with this image's platform. */
  @Override
  public Descriptor descriptor() {
    return manifest.descriptor(manifest.value().descriptorMediaType()).withPlatform(platform);
  }

  /** The layer descriptors in order. */
  public List<Descriptor> layers() {
    return manifest.value().layers();
  }

  @Override
  public List<BuiltImage> images() {
    return List.of(this);
  }

  @Override
  public byte[] topBytes() {
    return manifest.bytes();
  }

  /** The layer descriptors' total size. */
  public long layersSize() {
    long n = 0;
    for (Descriptor d : new ArrayList<>(layers())) {
      n += d.size();
    }
    return n;
  }
}
