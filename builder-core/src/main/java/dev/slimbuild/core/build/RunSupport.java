package dev.slimbuild.core.build;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.run.SandboxSelector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the RUNs of one build share: the options, one sandbox choice per platform (announced once),
 * and one temporary directory for work directories, bind-mount copies and the contents of RUN
 * layers, created on the first RUN and deleted when the build ends, whatever happened.
 */
final class RunSupport implements AutoCloseable {
  private final RunOptions options;
  private final EventSink events;
  private final Map<String, SandboxSelector.Selection> selections = new HashMap<>();
  private Path root;
  private int counter;

  RunSupport(RunOptions options, EventSink events) {
    this.options = options;
    this.events = events;
  }

  RunOptions options() {
    return options;
  }

  /** A new empty directory {@code PREFIX-N} under this build's RUN directory. */
  synchronized Path newDir(String prefix) throws IOException {
    if (root == null) {
      Files.createDirectories(options.tempDir());
      root = Files.createTempDirectory(options.tempDir(), "slimbuild-run-");
    }
    return Files.createDirectory(root.resolve(prefix + "-" + ++counter));
  }

  /** The sandbox for RUNs of {@code platform}; the first choice per platform is announced. */
  synchronized SandboxSelector.Selection sandbox(Platform platform) {
    String key = platform.normalize().toString();
    SandboxSelector.Selection s = selections.get(key);
    if (s == null) {
      s = SandboxSelector.select(options.sandbox(), platform);
      selections.put(key, s);
      StringBuilder msg =
          new StringBuilder("RUN sandbox for " + key + ": " + s.sandbox().name() + " (" + s.why());
      msg.append(')');
      for (String skipped : s.skipped()) {
        msg.append("; skipped ").append(skipped);
      }
      events.accept(new BuildEvent.Info(msg.toString()));
    }
    return s;
  }

  EventSink events() {
    return events;
  }

  @Override
  public synchronized void close() throws IOException {
    if (root != null) {
      dev.slimbuild.core.fs.Trees.delete(root);
      root = null;
    }
  }
}
