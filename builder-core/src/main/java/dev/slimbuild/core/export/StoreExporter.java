package dev.slimbuild.core.export;

import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.util.List;

/**
 * The local store ({@code slimbuild images} lists it): the default without other outputs, and
 * {@code type=image} without {@code push=true}. Its blobs are there already; this names them.
 */
final class StoreExporter implements Exporter {
  private final LocalStore store;
  private final List<ImageReference> names;

  StoreExporter(LocalStore store, List<ImageReference> names) {
    this.store = store;
    this.names = List.copyOf(names);
  }

  @Override
  public String describe() {
    return names.isEmpty()
        ? "the local store (no name: -t NAME names it)"
        : String.join(", ", names.stream().map(ImageReference::toString).toList())
            + " in "
            + store.root();
  }

  @Override
  public String done() {
    return names.isEmpty() ? null : "stored " + describe();
  }

  @Override
  public boolean needsLocalBlobs() {
    return true; // a stored image has every blob, base layers too
  }

  @Override
  public void export(ExportContext c) throws IOException {
    for (ImageReference t : names) {
      store.put(t, c.result().image().descriptor());
    }
  }
}
