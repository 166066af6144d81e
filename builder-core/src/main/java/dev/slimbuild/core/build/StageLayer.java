package dev.slimbuild.core.build;

import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.pull.BlobCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * A layer a stage added over its base image: its entries in memory (made by this build), or read
 * from its blob the first time they are asked for (a layer served from the cache, which a build
 * that never looks at its files never downloads).
 */
final class StageLayer {
  /** Loads a layer's entries; an unusable cached blob is a {@link CachedLayerException}. */
  @FunctionalInterface
  interface Loader {
    List<LayerEntry> load() throws IOException;
  }

  private final Loader loader;
  private final BaseImages bases;
  private final Layer ref;
  private List<LayerEntry> entries;

  private StageLayer(List<LayerEntry> entries, Loader loader, BaseImages bases, Layer ref) {
    this.entries = entries == null ? null : List.copyOf(entries);
    this.loader = loader;
    this.bases = bases;
    this.ref = ref;
  }

  /** A layer this build made. */
  static StageLayer of(List<LayerEntry> entries) {
    return new StageLayer(entries, null, null, null);
  }

  /** A layer read from {@code ref}'s blob (local, or in the repository it names) when needed. */
  static StageLayer lazy(Layer ref, BaseImages bases) {
    return new StageLayer(null, () -> bases.entries(ref), bases, ref);
  }

  /** The layer's entries, loaded on the first call. */
  synchronized List<LayerEntry> entries() {
    if (entries == null) {
      try {
        entries = List.copyOf(loader.load());
      } catch (CachedLayerException e) {
        throw e;
      } catch (IOException e) {
        throw new CachedLayerException(ref.descriptor().digest(), e);
      } catch (RuntimeException e) { // a digest or diff_id that does not match, a bad entry
        throw new CachedLayerException(
            ref.descriptor().digest(), new IOException(e.getMessage(), e));
      }
    }
    return entries;
  }

  /** The layer's mountable image, for a layer read from a blob and unpacked as one. */
  Optional<BlobCache.LayerImage> image() {
    if (ref == null) {
      return Optional.empty();
    }
    entries();
    return bases.image(ref);
  }

  /** A cached layer that could not be read: the build runs its steps again without it. */
  static final class CachedLayerException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;
    private final transient Digest blob;

    CachedLayerException(Digest blob, IOException cause) {
      super("cached layer " + blob + ": " + cause.getMessage(), cause);
      this.blob = blob;
    }

    Digest blob() {
      return blob;
    }
  }
}
