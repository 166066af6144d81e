package dev.slimbuild.core.build;

import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The layers a stage starts from, as entry lists, loaded on first use: a stage that never looks
 * at its base image's files never downloads them.
 */
interface BaseTree {
  /** The base's layers, bottom first. */
  List<List<LayerEntry>> layers();

  /** No base layers (FROM scratch). */
  BaseTree EMPTY = List::of;

  /** Loads once, on the first call. */
  static BaseTree lazy(Loader loader) {
    return new BaseTree() {
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
