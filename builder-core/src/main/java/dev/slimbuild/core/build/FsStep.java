package dev.slimbuild.core.build;

import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.util.List;

/**
 * A step that changes files, planned: its cache key (from its inputs, before it runs), its history
 * text and entry, the user it runs as (for the strip rules' home), and what it does.
 */
record FsStep(Digest key, String createdBy, int history, String user, Action action) {

  /** What a file-changing step does when it is not served from the cache. */
  @FunctionalInterface
  interface Action {
    List<LayerEntry> run() throws IOException;
  }
}
