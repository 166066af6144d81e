package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.cache.LocalCache;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.pull.BlobCache;
import dev.slimbuild.core.pull.ImageResolver;
import dev.slimbuild.core.pull.ResolvedImage;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The base images of one build: each reference resolved once per platform, each layer unpacked
 * once, and only when a step needs the base's files.
 */
final class BaseImages {
  /**
   * The most layers a base image may have. A RUN mounts one lower directory per layer, and
   * overlayfs stacks at most about 500 (its mount options must fit in one page); a base with
   * thousands of layers would also take minutes to mount. Checked before anything is downloaded.
   */
  static final int MAX_BASE_LAYERS = 500;

  private final RegistryProvider registries;
  private final BlobCache cache;
  private final Map<String, Registry> byHost = new HashMap<>();
  private final Map<Key, ResolvedImage> resolved = new LinkedHashMap<>();
  private final Map<Digest, List<LayerEntry>> layers = new HashMap<>();

  /** Base layers used by the build, by blob digest. */
  private final Map<Digest, Layer> used = new HashMap<>();

  /** Images whose layers were copied into the store (from an OCI layout), by manifest digest. */
  private final Set<Digest> inStore = new HashSet<>();

  BaseImages(RegistryProvider registries, BlobCache cache) {
    this.registries = registries;
    this.cache = cache;
  }

  /**
   * Where base images' manifests and configs are kept by digest: {@code cache/documents} beside the
   * blob cache's blobs, apart from them, so that they are neither an image's blobs nor "unused"
   * ones in {@code df}; {@code prune} empties it with the rest of the cache.
   */
  private BlobStore documents() {
    return new BlobStore(LocalCache.documents(cache.blobs()));
  }

  /** {@code ref}'s image for {@code platform}. */
  ResolvedImage resolve(ImageReference ref, Platform platform) throws IOException {
    Key key = new Key(ref, platform.key());
    ResolvedImage image = resolved.get(key);
    if (image == null) {
      image = ImageResolver.caching(registry(ref.registry()), documents()).resolve(ref, platform);
      if (image.layers().size() > MAX_BASE_LAYERS) {
        throw new SlimbuildException(
            ref
                + ": the image has "
                + image.layers().size()
                + " layers; slimbuild takes base images of at most "
                + MAX_BASE_LAYERS
                + " layers (overlayfs stacks at most about 500 lower directories,"
                + " one per layer): squash the image first");
      }
      resolved.put(key, image);
    }
    return image;
  }

  /**
   * Marks {@code image} as one whose layers are in the store already (copied from an OCI layout):
   * they have no repository to come from, as the layers a build writes.
   */
  void inStore(ResolvedImage image) {
    inStore.add(image.digest());
  }

  /**
   * The image's layers as the built (OCI) image lists them: the same blobs, digests, sizes and
   * compression; a Docker layer type is named by its OCI equivalent, because an OCI manifest may
   * not list Docker media types (the bytes are identical, so a push still mounts the blob).
   */
  List<Layer> imageLayers(ResolvedImage image) {
    List<Layer> out = new ArrayList<>();
    for (int i = 0; i < image.layers().size(); i++) {
      Descriptor d = image.layers().get(i);
      Layer r =
          new Layer(
              d.withMediaType(ociLayerType(d.mediaType())),
              image.diffIds().get(i),
              OptionalLong.empty(), // a manifest does not say
              inStore.contains(image.digest()) ? Optional.empty() : Optional.of(image.source()));
      out.add(r);
    }
    return out;
  }

  static String ociLayerType(String mediaType) {
    return switch (mediaType) {
      case MediaType.DOCKER_LAYER_TAR_GZIP -> MediaType.OCI_LAYER_TAR_GZIP;
      case "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" ->
          "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
      default -> mediaType;
    };
  }

  /** Records that the built image contains {@code refs} (for fetching them before outputs). */
  void use(List<Layer> refs) {
    for (Layer r : refs) {
      if (r.isRemote()) {
        used.putIfAbsent(r.descriptor().digest(), r);
      }
    }
  }

  /** Every base image the build resolved, in the order it first needed them. */
  List<ResolvedImage> resolvedImages() {
    return List.copyOf(resolved.values());
  }

  Map<Digest, Layer> used() {
    return Map.copyOf(used);
  }

  /** A lazy view of the image's files: nothing is downloaded until it is asked for. */
  BaseTree tree(ResolvedImage image) {
    List<Layer> refs = imageLayers(image);
    return BaseTree.lazy(
        () -> {
          List<List<LayerEntry>> out = new ArrayList<>();
          for (Layer r : refs) {
            out.add(entries(r));
          }
          return out;
        },
        () -> {
          List<BlobCache.LayerImage> out = new ArrayList<>();
          for (Layer r : refs) {
            Optional<BlobCache.LayerImage> i = cache.image(r.diffId());
            if (i.isEmpty()) {
              return List.of();
            }
            out.add(i.get());
          }
          return out;
        });
  }

  /**
   * The entries of layer {@code r}: downloaded from its source repository and unpacked the first
   * time, or unpacked from the local store for a layer without a source (one a build wrote).
   */
  synchronized List<LayerEntry> entries(Layer r) throws IOException {
    List<LayerEntry> e = layers.get(r.diffId());
    if (e == null) {
      if (r.sourceRepository().isEmpty()) {
        e = cache.layer(null, null, r.descriptor(), r.diffId()); // in the store: no download
      } else {
        ImageReference where =
            ImageReference.parse(r.sourceRepository().get() + "@" + r.descriptor().digest());
        e = cache.layer(registry(where.registry()), where.repository(), r.descriptor(), r.diffId());
      }
      layers.put(r.diffId(), e);
    }
    return e;
  }

  /** The mountable image of layer {@code r}, once {@link #entries} unpacked it as one. */
  Optional<BlobCache.LayerImage> image(Layer r) {
    return cache.image(r.diffId());
  }

  /** Downloads a base layer's blob into the cache. */
  void fetch(Layer r) throws IOException {
    String source = r.sourceRepository().orElseThrow();
    ImageReference where = ImageReference.parse(source + "@" + r.descriptor().digest());
    Descriptor d = r.descriptor();
    cache.fetch(registry(where.registry()), where.repository(), d);
  }

  private Registry registry(String host) throws IOException {
    Registry r = byHost.get(host);
    if (r == null) {
      r = registries.forHost(host);
      byHost.put(host, r);
    }
    return r;
  }

  /** A resolved base image: the reference as written and the {@link Platform#key()}. */
  private record Key(ImageReference ref, Platform platform) {}
}
