package dev.slimbuild.core.build;

import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.pull.BlobCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The layers a stage starts from, as entry lists, loaded on first use: a stage that never looks at
 * its base image's files never downloads them.
 */
interface BaseTree {
  /** The base's layers, bottom first. */
  List<List<LayerEntry>> layers();

  /**
   * The base's layers as mountable EROFS images, bottom first, once {@link #layers} loaded them:
   * all of them, or none if any layer was unpacked into files.
   */
  default List<BlobCache.LayerImage> images() {
    return List.of();
  }

  /** No base layers (FROM scratch). */
  BaseTree EMPTY = List::of;

  /** Loads once, on the first call; {@code images} lists the layer images after that. */
  static BaseTree lazy(Loader loader, Supplier<List<BlobCache.LayerImage>> images) {
    return new BaseTree() {
      @Override
      public List<BlobCache.LayerImage> images() {
        layers();
        return images.get();
      }

      private List<List<LayerEntry>> loaded;

      @Override
      public synchronized List<List<LayerEntry>> layers() {
        if (loaded == null) {
          try {
            loaded = List.copyOf(loader.load());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return loaded;
      }
    };
  }

  /** Loads the layers. */
  @FunctionalInterface
  interface Loader {
    List<List<LayerEntry>> load() throws IOException;
  }
}
