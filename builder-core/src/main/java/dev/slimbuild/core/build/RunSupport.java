package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.run.Overlay;
import dev.slimbuild.core.run.SandboxSelector;
import dev.slimbuild.core.run.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * What the RUNs of one build share: the options, one sandbox choice per platform (announced once),
 * and one temporary directory for work directories, bind-mount copies and the contents of RUN
 * layers, created on the first RUN and deleted when the build ends, whatever happened.
 */
final class RunSupport implements AutoCloseable {
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rwx------");
  private final RunOptions options;
  private final EventSink events;
  private final Map<Platform, SandboxSelector.Selection> selections = new HashMap<>();

  /** The non-isolating sandboxes this build has warned about (once each). */
  private final Set<String> warned = new HashSet<>();

  private volatile Path root;

  /** The lock that marks {@link #root} as this live build's. */
  private WorkDirs.Owned owned;

  private int counter;

  /** Why RUN cannot run on an overlay (null: it can), probed once per build. */
  private CompletableFuture<String> overlayProbe;

  private boolean overlayAnnounced;
  private boolean layerImagesFailed;
  private final Map<Platform, CompletableFuture<SandboxSelector.Selection>> selecting =
      new HashMap<>();

  private final long mtime;

  /** The build's ssh agents ({@code --ssh}), once started. */
  private volatile SshAgents sshAgents;

  /** {@code mtime}: the time the image's layers record for the files the build adds. */
  RunSupport(RunOptions options, EventSink events, long mtime) {
    this.options = options;
    this.events = events;
    this.mtime = mtime;
  }

  /** The time the image's layers record for files the build adds (what a RUN sees them with). */
  long mtime() {
    return mtime;
  }

  RunOptions options() {
    return options;
  }

  /**
   * Starts the ssh agents {@code --ssh} key files need (an {@code ssh-agent} each, its socket in
   * this build's RUN directory), before the build does any work; {@link #close} kills them.
   */
  synchronized void startSshAgents() throws IOException {
    if (sshAgents == null) {
      sshAgents = SshAgents.start(options.ssh(), () -> newPrivateDir("ssh-agent"));
    }
  }

  /** The agent socket of {@code --ssh} id {@code id}, if the build has one. */
  synchronized Optional<Path> sshSocket(String id) throws IOException {
    startSshAgents();
    return sshAgents.socket(id);
  }

  /** A new directory under this build's RUN directory that only the builder may enter. */
  Path newPrivateDir(String prefix) throws IOException {
    Path dir = newDir(prefix);
    Files.setPosixFilePermissions(dir, PRIVATE);
    return dir;
  }

  /** A new empty directory {@code PREFIX-N} under this build's RUN directory. */
  synchronized Path newDir(String prefix) throws IOException {
    if (root == null) {
      sweepLeftovers();
      owned = WorkDirs.create(options.tempDir(), "slimbuild-run-");
      root = owned.dir();
    }
    return Files.createDirectory(root.resolve(prefix + "-" + ++counter));
  }

  /**
   * Starts choosing {@code platform}'s sandbox and probing overlay mounts in the background (both
   * run small host commands), so that they overlap pulling and unpacking the base image; the first
   * RUN takes the results.
   */
  synchronized void prepare(Platform platform) {
    Platform key = platform.key();
    if (!selections.containsKey(key) && !selecting.containsKey(key)) {
      selecting.put(key, async(() -> SandboxSelector.select(options.sandbox(), platform)));
    }
    if (overlayProbe == null) {
      overlayProbe =
          options.rootfs() == RootfsMode.COPY
              ? CompletableFuture.completedFuture("--run-rootfs copy")
              : async(this::probeOverlay);
    }
  }

  private String probeOverlay() {
    try {
      Files.createDirectories(options.tempDir());
      Path scratch =
          Files.createTempDirectory(
              options.tempDir(), WorkDirs.ownPrefix("slimbuild-overlay-probe-"));
      return Privileges.isRoot()
          ? Overlay.unavailable(scratch)
          : Overlay.unavailableInUserNamespace(scratch);
    } catch (IOException e) {
      return "cannot probe overlay mounts: " + e.getMessage();
    }
  }

  private static <T> CompletableFuture<T> async(Supplier<T> work) {
    return CompletableFuture.supplyAsync(
        work,
        r -> {
          Thread t = new Thread(r, "slimbuild-run-probe");
          t.setDaemon(true);
          t.start();
        });
  }

  /** The result of background work, its exception as thrown there. */
  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      if (e.getCause() instanceof Error) {
        throw (Error) e.getCause();
      }
      throw e;
    }
  }

  /** The sandbox for RUNs of {@code platform}; the first choice per platform is announced. */
  synchronized SandboxSelector.Selection sandbox(Platform platform) {
    Platform key = platform.key();
    SandboxSelector.Selection s = selections.get(key);
    if (s == null) {
      CompletableFuture<SandboxSelector.Selection> started = selecting.remove(key);
      s = started != null ? join(started) : SandboxSelector.select(options.sandbox(), platform);
      selections.put(key, s);
      StringBuilder msg =
          new StringBuilder("RUN sandbox for " + key + ": " + s.sandbox().name() + " (" + s.why());
      msg.append(')');
      for (String skipped : s.skipped()) {
        msg.append("; skipped ").append(skipped);
      }
      events.accept(new BuildEvent.Info(msg.toString()));
      if (!s.warning().isEmpty() && warned.add(s.sandbox().name())) {
        events.accept(new BuildEvent.Warning(s.warning()));
      }
    }
    return s;
  }

  /**
   * Null when RUNs run on overlay mounts, else why they copy the stage's files instead (probed once
   * per build, usually in the background by {@link #prepare}, and announced; an error when {@code
   * --run-rootfs overlay} cannot be had).
   */
  synchronized String overlayUnavailable() {
    if (overlayProbe == null) {
      overlayProbe =
          CompletableFuture.completedFuture(
              options.rootfs() == RootfsMode.COPY ? "--run-rootfs copy" : probeOverlay());
    }
    String why = join(overlayProbe);
    if (!overlayAnnounced) {
      overlayAnnounced = true;
      if (why != null && options.rootfs() == RootfsMode.OVERLAY) {
        throw new SlimbuildException(
            "--run-rootfs overlay: overlay mounts are not available (" + why + ")");
      }
      events.accept(
          new BuildEvent.Info(
              "RUN root filesystem: "
                  + (why == null
                      ? Privileges.isRoot()
                          ? "overlay over the image's files"
                          : "overlay over the image's files, in a user namespace"
                      : "copied into a work directory (" + why + ")")));
    }
    return why;
  }

  /** Whether RUNs may still mount layer images: none failed to mount in this build. */
  synchronized boolean layerImagesMountable() {
    return !layerImagesFailed;
  }

  /** Layer images did not mount ({@code why}): the build writes lower directories from now on. */
  synchronized void layerImagesFailed(String why) {
    if (!layerImagesFailed) {
      layerImagesFailed = true;
      events.accept(
          new BuildEvent.Warning(
              "layer images did not mount (" + why + "); RUNs write the base's files instead"));
    }
  }

  EventSink events() {
    return events;
  }

  /**
   * Deletes this build's RUN directory without waiting for the build: for a build stopped by a
   * signal (its overlays unmounted first).
   */
  void deleteNow() throws IOException {
    SshAgents agents = sshAgents;
    if (agents != null) {
      agents.close();
    }
    Path r = root;
    if (r != null) {
      Trees.delete(r);
    }
  }

  /**
   * Waits for the background probes a failed build never took (they mount and delete scratch
   * directories under the temporary directory), then deletes this build's RUN directory.
   */
  @Override
  public synchronized void close() throws IOException {
    List<CompletableFuture<?>> pending = new ArrayList<>(selecting.values());
    selecting.clear();
    if (overlayProbe != null) {
      pending.add(overlayProbe);
    }
    for (CompletableFuture<?> f : pending) {
      try {
        f.join();
      } catch (CompletionException | CancellationException e) {
        // its answer is no longer wanted
      }
    }
    if (sshAgents != null) {
      sshAgents.close();
    }
    if (root != null) {
      Trees.delete(root);
      root = null;
      owned.close();
    }
  }

  /**
   * Removes the work directories, mounts and processes that builds killed before they could clean
   * up left in the temporary directory (never those of a live build), and says so.
   */
  private void sweepLeftovers() {
    List<Path> removed = WorkDirs.sweep(options.tempDir());
    if (!removed.isEmpty()) {
      events.accept(
          new BuildEvent.Info(
              "removed "
                  + removed.size()
                  + " work director"
                  + (removed.size() == 1 ? "y" : "ies")
                  + " that killed builds left in "
                  + options.tempDir()));
    }
  }
}
