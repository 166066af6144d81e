package dev.slimbuild.core.build;

import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.run.Overlay;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What one RUN holds until it ends: its overlay mount, cache mount locks, scratch directories. */
final class RunHold {
  Overlay mounted;
  final List<FileLock> locks = new ArrayList<>();
  final List<Path> scratch = new ArrayList<>();

  /** Unmounts the RUN's overlay, once its command ended. */
  void unmount() throws IOException {
    if (mounted != null) {
      Overlay m = mounted;
      mounted = null;
      m.close();
    }
  }

  void release() throws IOException {
    if (mounted != null) {
      mounted.close(); // before the scratch directories go: the merged one is its mount point
    }
    for (FileLock l : locks) {
      l.channel().close();
    }
    for (Path p : scratch) {
      Trees.delete(p);
    }
  }
}
