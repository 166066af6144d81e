package dev.slimbuild.core.build;

import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.pull.ResolvedImage;
import java.util.List;
import java.util.Optional;

/**
 * A built stage: its image config (layers' diff_ids and history included), its layers (base-image
 * layers first, marked with their source), the base image's files (loaded only when asked for), the
 * layers the stages wrote over it (read from their blobs only when a later stage needs their
 * files), and the stage's cache key: what a later stage's COPY --from or FROM keys on.
 */
record StageResult(
    ImageConfig config,
    List<Layer> layers,
    BaseTree base,
    List<StageLayer> layerEntries,
    Digest key,
    Optional<ResolvedImage> baseImage) {
  StageResult {
    layers = List.copyOf(layers);
    layerEntries = List.copyOf(layerEntries);
  }

  /** The stage's merged file system (metadata; contents are read only when written). */
  FileTree tree() {
    FileTree t = new FileTree();
    for (List<LayerEntry> l : base.layers()) {
      t.apply(l);
    }
    for (StageLayer l : layerEntries) {
      t.apply(l.entries());
    }
    return t;
  }
}
