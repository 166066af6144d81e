package dev.slimbuild.core.build;

import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.ImageConfig;
import java.util.List;

/**
 * A built stage: its image config (layers' diff_ids and history included), its layers (base-image
 * layers first, marked with their source), the base image's files (loaded only when asked for),
 * and the entries of every layer the build wrote so later stages can rebuild its file tree.
 */
record StageResult(
    ImageConfig config, List<LayerRef> layers, BaseTree base,
    List<List<LayerEntry>> layerEntries) {
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
    for (List<LayerEntry> l : layerEntries) {
      t.apply(l);
    }
    return t;
  }
}
