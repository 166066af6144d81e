package dev.slimbuild.core.build;

import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.run.Overlay;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one RUN holds until it ends: its overlay mount, cache mount locks, the ssh agent sockets it
 * is served, scratch directories (secret files among them), and the {@code K=V} entries its secrets
 * add to its environment.
 */
final class RunHold {
  Overlay mounted;
  final List<FileLock> locks = new ArrayList<>();
  final List<AgentProxy> agents = new ArrayList<>();
  final List<Path> scratch = new ArrayList<>();
  final List<String> env = new ArrayList<>();

  /** The mount points (relative paths) of its secrets and ssh sockets, removed after it. */
  final List<String> stubs = new ArrayList<>();

  /** Unmounts the RUN's overlay, once its command ended. */
  void unmount() throws IOException {
    if (mounted != null) {
      Overlay m = mounted;
      mounted = null;
      m.close();
    }
  }

  void release() throws IOException {
    env.clear();
    List<IoStep> steps = new ArrayList<>();
    if (mounted != null) {
      // before the scratch directories go: the merged one is its mount point
      steps.add(mounted::close);
    }
    for (AgentProxy a : agents) {
      steps.add(a::close);
    }
    for (FileLock l : locks) {
      steps.add(() -> l.channel().close());
    }
    for (Path p : scratch) {
      steps.add(() -> Trees.delete(p));
    }
    IoStep.runAll(steps);
  }
}
