package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.CommandForm;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.fs.Copy;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.pull.BlobCache;
import dev.slimbuild.core.run.ErofsMount;
import dev.slimbuild.core.run.FileStat;
import dev.slimbuild.core.run.Mount;
import dev.slimbuild.core.run.Network;
import dev.slimbuild.core.run.Overlay;
import dev.slimbuild.core.run.Rootfs;
import dev.slimbuild.core.run.RootfsWriter;
import dev.slimbuild.core.run.RunResult;
import dev.slimbuild.core.run.RunSpec;
import dev.slimbuild.core.run.SandboxSelector;
import dev.slimbuild.core.run.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs the RUN instructions of one stage. The stage's files are materialised in a work directory on
 * the first RUN and kept for the RUNs that follow it directly (another instruction that changes
 * files makes the next RUN start over); after each RUN the snapshot becomes the layer, its files
 * are copied out of the work directory (a later RUN may change them in place, and the work
 * directory is deleted when the stage ends) and the work directory's model is refreshed so the next
 * snapshot compares against the image as it is now.
 */
final class RunStep implements AutoCloseable {
  private static final int TAIL_LINES = 10;
  static final boolean BUILDER_IS_ROOT = Privileges.isRoot();

  /**
   * How a stage's (or image's) file tree, for {@code --mount=type=bind,from=} and {@code
   * type=cache,from=}, is found, and its key (what a cache seeded from it is kept under); errors
   * name {@code where}, the RUN whose mount it is.
   */
  interface SourceTrees {
    FileTree tree(String from, RunInstruction where) throws IOException;

    Digest key(String from, RunInstruction where) throws IOException;
  }

  /** What one RUN's snapshot gives the stage: the layer's entries and its history text. */
  record Outcome(List<LayerEntry> entries, String createdBy) {}

  /** The state of the stage when a RUN starts. */
  record Stage(
      FileTree tree,
      int layerCount,
      ConfigState config,
      Map<String, String> vars,
      List<String> declaredArgs,
      UnaryOperator<String> expand,
      Supplier<List<BlobCache.LayerImage>> images,
      Supplier<List<List<LayerEntry>>> ownLayers,
      List<String> proxyEnv) {}

  private final RunSupport runs;
  private final Platform platform;
  private final RunMounts runMounts;
  private final String stageName;
  private final StepLog log;

  private Rootfs rootfs;
  private int syncedLayers = -1;

  /** The overlay chain: the stage's files as the bottom lower directory, written once... */
  private Path lowerBase;

  /** ...the upper directories of the RUNs since, newest first... */
  private final List<Path> uppers = new ArrayList<>();

  /** The layer images mounted for the lower directory, bottom first, and their merged view. */
  private final List<ErofsMount> imageMounts = new ArrayList<>();

  private Overlay imageStack;

  /** What the stage added over the images, written as the topmost of them. */
  private Path addedDir;

  /** ...in step with the stage at this many layers. */
  private int overlaySynced = -1;

  /** Whether the last RUN ran on the overlay (its layer is applied next). */
  private boolean pendingOverlay;

  /** Paths the sandboxes created in the work directory (mount points, resolv.conf...). */
  private final Set<String> created = new HashSet<>();

  RunStep(
      RunSupport runs,
      Platform platform,
      BuildContext context,
      Path staging,
      SourceTrees trees,
      String stageName,
      StepLog log) {
    this.runs = runs;
    this.platform = platform;
    this.runMounts = new RunMounts(runs, context, staging, trees);
    this.stageName = stageName;
    this.log = log;
  }

  /**
   * The history text of {@code r}, as BuildKit records it (see {@link #run}), known before it runs.
   */
  static String createdBy(
      RunInstruction r,
      Platform platform,
      ConfigState config,
      List<String> declaredArgs,
      Map<String, String> vars) {
    CommandForm command =
        r.heredocs().isEmpty()
            ? r.command()
            : new CommandForm.Shell(RunHeredocs.plan(r, platform.os()).script());
    return "RUN " + commandString(argv(command, config), declaredArgs, vars) + " # buildkit";
  }

  /** Runs {@code r}; errors are {@code Dockerfile:LINE:} errors. */
  Outcome run(RunInstruction r, Stage stage) throws IOException {
    Invocation inv = prepare(r, stage);
    boolean ownersOnDisk = ownersOnDisk(inv);
    boolean overlay = onOverlay(r, inv, ownersOnDisk);
    RunTiming timing = new RunTiming();
    Rootfs before = overlay ? null : workspace(stage, ownersOnDisk);
    Path upper = overlay ? overlayUpper(stage) : null;
    timing.prepared();
    Set<String> ignored = new HashSet<>(created);
    RunHold held = new RunHold();
    Deque<String> tail = new ArrayDeque<>();
    boolean ok = false;
    try {
      Root root =
          overlay ? mountOverlay(upper, held) : new Root(before.dir(), before.dir(), List.of());
      List<Mount> mounts = runMounts.mounts(r, inv, root.hostView(), ignored, held);
      mounts = withExtraHosts(mounts, inv.network());
      RunResult result = runCommand(inv, root, mounts, held, tail);
      created.addAll(result.createdPaths());
      ignored.addAll(result.createdPaths());
      for (String note : result.notes()) {
        runs.events().accept(new BuildEvent.Warning(note));
      }
      checkExit(r, inv, result, tail);
      timing.ran();
      List<LayerEntry> entries =
          snapshot(overlay, stage, before, upper, ignored, ownersOnDisk, inv.user());
      // the later RUNs see no trace of a secret or an agent, as in BuildKit (which removes its
      // mount stubs): overlay as root made them in the upper directory, else in the host view
      removeStubs(
          overlay && BUILDER_IS_ROOT ? upper : root.hostView(), result.createdPaths(), held.stubs);
      timing.snapshotted();
      // an overlay's upper directory is never written again: the layer's files stay where they are
      List<LayerEntry> kept = overlay ? entries : keep(entries);
      timing.copied();
      if (overlay) {
        uppers.add(0, upper);
        pendingOverlay = true;
      }
      runs.events()
          .accept(
              new BuildEvent.Info(
                  "  ["
                      + stageName
                      + "] RUN took: "
                      + timing.describe(overlay, !imageMounts.isEmpty(), entries.size())));
      ok = true;
      // BuildKit records the command it ran, so a heredoc RUN's history is the SHELL with its
      // script: the lone heredoc's body, "/dev/pipes/NAME" for a #! body, or the line followed by
      // the heredocs and their words (dispatchRun: runCommandString of the final arguments).
      return new Outcome(
          kept,
          "RUN " + commandString(inv.argv(), stage.declaredArgs(), stage.vars()) + " # buildkit");
    } finally {
      held.release();
      if (!ok) {
        discard(); // the work directory is in an unknown state
      }
    }
  }

  /**
   * What one RUN runs, worked out (and checked) before anything is written: the heredoc's script,
   * the network, the mounts, the command's words and how errors name it, the user, the environment,
   * the working directory and the sandbox.
   */
  record Invocation(
      Optional<RunHeredocs.Plan> heredoc,
      Network network,
      List<RunMountSpec> mounts,
      List<String> argv,
      String display,
      RunUser user,
      List<String> env,
      String workdir,
      SandboxSelector.Selection selection) {}

  /**
   * Where one RUN runs: the root directory the sandbox runs in, the directory mount points are made
   * in from the host, and what wraps the sandbox (an overlay mounted in its namespaces).
   */
  private record Root(Path dir, Path hostView, List<String> wrapper) {}

  /** Works out what {@code r} runs, in the order its errors are reported. */
  private Invocation prepare(RunInstruction r, Stage stage) throws IOException {
    Optional<RunHeredocs.Plan> heredoc =
        r.heredocs().isEmpty() ? Optional.empty() : Optional.of(RunHeredocs.plan(r, platform.os()));
    if (r.security().isPresent() && !r.security().get().equals("sandbox")) {
      throw r.location()
          .error("RUN --security=" + r.security().get() + " is not supported (only sandbox)");
    }
    Network network = network(r, stage);
    List<RunMountSpec> mountSpecs = mountSpecs(r, stage);
    CommandForm command =
        heredoc.<CommandForm>map(h -> new CommandForm.Shell(h.script())).orElse(r.command());
    List<String> argv = argv(command, stage.config());
    // how errors name the RUN: a heredoc's script may be long, its first line says enough
    String display = heredoc.map(RunHeredocs.Plan::display).orElse("RUN " + String.join(" ", argv));
    checkProgram(r, stage.tree(), argv.get(0), display);
    RunUser user = user(r, stage);
    String workdir = stage.config().workdirOrRoot();
    List<String> env = env(stage.vars(), user, stage.proxyEnv(), sshAuthSock(mountSpecs, workdir));
    SandboxSelector.Selection selection;
    try {
      selection = runs.sandbox(platform);
    } catch (SlimbuildException e) {
      throw r.location().error(e.getMessage());
    }
    return new Invocation(
        heredoc, network, mountSpecs, argv, display, user, env, workdir, selection);
  }

  private static List<RunMountSpec> mountSpecs(RunInstruction r, Stage stage) {
    List<RunMountSpec> mountSpecs = new ArrayList<>();
    for (String raw : r.mounts()) {
      try {
        mountSpecs.add(RunMountSpec.parse(raw, stage.expand()));
      } catch (SlimbuildException e) {
        throw r.location().error(e.getMessage());
      }
    }
    return RunMountSpec.withSshTargets(mountSpecs);
  }

  /**
   * The target of the RUN's first ssh mount, which BuildKit gives the RUN as {@code SSH_AUTH_SOCK}
   * (unless its environment has one), whether or not the build has the agent.
   */
  private static Optional<String> sshAuthSock(List<RunMountSpec> mounts, String workdir) {
    return mounts.stream()
        .filter(m -> m.type() == RunMountSpec.Type.SSH)
        .findFirst()
        .map(m -> "/" + TreePaths.absolute(workdir, m.target()));
  }

  /** An absolute program must be a file of the image (a shell form's SHELL, most often). */
  private static void checkProgram(
      RunInstruction r, FileTree tree, String program, String display) {
    if (program.startsWith("/")) {
      String path = TreePaths.resolve(tree, TreePaths.absolute("/", program), true);
      if (tree.get(path)
          .filter(e -> e.type() == EntryType.FILE || e.type() == EntryType.HARDLINK)
          .isEmpty()) {
        throw r.location()
            .error(
                display
                    + ": the image has no "
                    + program
                    + (r.command() instanceof CommandForm.Shell
                        ? " (shell form runs the stage's SHELL; use the exec form [\"...\"] for an"
                            + " image without a shell)"
                        : ""));
      }
    }
  }

  /** The stage's USER, resolved in its passwd and group files. */
  private static RunUser user(RunInstruction r, Stage stage) throws IOException {
    try {
      return RunUser.resolve(
          stage.config().user,
          readText(stage.tree(), "etc/passwd"),
          readText(stage.tree(), "etc/group"));
    } catch (SlimbuildException e) {
      throw r.location().error(e.getMessage());
    }
  }

  /**
   * Owners go on disk only where the sandbox keeps them: one that runs with the host's ids
   * (chroot), or root without a user namespace. Otherwise every file belongs to the builder on disk
   * (which the sandbox maps to the RUN's user) and the image's owners stay in the model.
   */
  private static boolean ownersOnDisk(Invocation inv) {
    return BUILDER_IS_ROOT
        && (inv.selection().sandbox().runsWithHostIds()
            || (inv.user().uid() == 0 && inv.user().gid() == 0));
  }

  /**
   * Whether the RUN runs on an overlay: as root where owners go on disk (a host mount); not as
   * root, in a user namespace around bwrap or proot (owners stay in the model, as on the copy
   * path); and only when overlays work here. {@code --run-rootfs overlay} for a RUN that cannot run
   * on one is an error.
   */
  private boolean onOverlay(RunInstruction r, Invocation inv, boolean ownersOnDisk) {
    boolean overlayFits =
        BUILDER_IS_ROOT ? ownersOnDisk : !inv.selection().sandbox().runsWithHostIds();
    if (!overlayFits && runs.options().rootfs() == RootfsMode.OVERLAY) {
      throw r.location()
          .error(
              "--run-rootfs overlay: this RUN cannot run on an overlay ("
                  + (BUILDER_IS_ROOT
                      ? "as root, a RUN as a non-root USER keeps its files' owners only with --sandbox"
                          + " chroot"
                      : "the "
                          + inv.selection().sandbox().name()
                          + " sandbox runs with the host's ids, and without root has no overlay")
                  + "); use --run-rootfs auto or copy");
    }
    return overlayFits && runs.overlayUnavailable() == null;
  }

  /**
   * Mounts the overlay the RUN runs on: the earlier RUNs' upper directories and the lower directory
   * under {@code upper}; as root on the host, otherwise only inside the sandbox's namespaces (mount
   * points go into the lower directory, which is this build's own and never part of a layer).
   */
  private Root mountOverlay(Path upper, RunHold held) throws IOException {
    Path work = runs.newDir("overlay-work");
    held.scratch.add(work);
    Path merged = runs.newDir("merged");
    held.scratch.add(merged);
    List<Path> lowers = new ArrayList<>(uppers);
    lowers.add(lowerBase);
    if (BUILDER_IS_ROOT) {
      held.mounted = Overlay.mount(lowers, upper, work, merged);
      return new Root(merged, merged, List.of());
    }
    return new Root(merged, lowerBase, Overlay.inUserNamespace(lowers, upper, work, merged));
  }

  /**
   * Runs the command in the sandbox, its output shown and its last lines kept in {@code tail}; the
   * overlay is unmounted as soon as it ends.
   */
  private RunResult runCommand(
      Invocation inv, Root root, List<Mount> mounts, RunHold held, Deque<String> tail)
      throws IOException {
    // a secret's env= entries: for the sandbox only, never in the Invocation or an error
    List<String> env = held.env.isEmpty() ? inv.env() : withEntries(inv.env(), held.env);
    RunSpec spec =
        new RunSpec(
            root.dir(),
            inv.argv(),
            env,
            inv.workdir(),
            inv.user().uid(),
            inv.user().gid(),
            inv.network(),
            mounts,
            platform,
            Duration.ZERO,
            root.wrapper(),
            root.hostView(),
            inv.user().additionalGids());
    try {
      return inv.selection()
          .sandbox()
          .run(
              spec,
              (stream, line) -> {
                if (tail.size() == TAIL_LINES) {
                  tail.removeFirst();
                }
                tail.addLast(line);
                log.line(line);
              });
    } finally {
      held.unmount();
    }
  }

  private static void checkExit(
      RunInstruction r, Invocation inv, RunResult result, Deque<String> tail) {
    if (result.exitCode() != 0) {
      throw r.location()
          .error(
              inv.display()
                  + " failed with exit code "
                  + result.exitCode()
                  + (tail.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", tail)));
    }
  }

  /**
   * The RUN's layer: what changed in the work directory, or in the overlay's upper directory. What
   * the RUN wrote gets the time its layer records, for the RUNs that follow it here.
   */
  private List<LayerEntry> snapshot(
      boolean overlay,
      Stage stage,
      Rootfs before,
      Path upper,
      Set<String> ignored,
      boolean ownersOnDisk,
      RunUser user)
      throws IOException {
    List<LayerEntry> entries =
        overlay
            ? Snapshot.diffUpper(
                upper, stage.tree(), this::lowerPath, ignored, ownersOnDisk, user.uid(), user.gid())
            : Snapshot.diff(before, ignored, user.uid(), user.gid());
    if (overlay) {
      timeAll(upper);
    } else {
      timeEntries(before.dir(), entries);
    }
    return entries;
  }

  /** Gives everything under {@code dir} (an upper directory) the layers' time. */
  private void timeAll(Path dir) throws IOException {
    FileTime t = FileTime.from(Instant.ofEpochSecond(runs.mtime()));
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        // whiteouts (character devices) are markers, not files a RUN reads
        if (!p.equals(dir)
            && !Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther()) {
          RootfsWriter.setTime(p, t);
        }
      }
    }
  }

  /**
   * Gives the paths of {@code entries} in the work directory {@code root}, and the directories
   * above them (their times changed when entries were made or deleted), the layers' time.
   */
  private void timeEntries(Path root, List<LayerEntry> entries) throws IOException {
    FileTime t = FileTime.from(Instant.ofEpochSecond(runs.mtime()));
    Set<String> done = new HashSet<>();
    for (LayerEntry e : entries) {
      String p = e.isMarker() ? LayerPaths.parent(e.path()) : e.path();
      for (; !p.isEmpty() && done.add(p); p = LayerPaths.parent(p)) {
        Path f = root.resolve(p);
        if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
          RootfsWriter.setTime(f, t);
        }
      }
    }
  }

  /**
   * Deletes, deepest first, what the sandbox created ({@code createdNow}) in {@code where} for the
   * mount points {@code stubs}: each of them and the directories made above it (unless a RUN put
   * something else there), and forgets them as created.
   */
  private void removeStubs(Path where, List<String> createdNow, List<String> stubs)
      throws IOException {
    List<String> made = new ArrayList<>();
    for (String p : createdNow) {
      for (String stub : stubs) {
        if (stub.equals(p) || stub.startsWith(p + "/")) {
          made.add(p);
          break;
        }
      }
    }
    made.sort((a, b) -> b.length() - a.length());
    for (String p : made) {
      try {
        Files.deleteIfExists(where.resolve(p));
        created.remove(p);
      } catch (DirectoryNotEmptyException e) {
        // the RUN wrote beside a secret: the directory stays, as its layer has it
      }
    }
  }

  /** Refreshes the work directory's model after the stage applied {@code layer}. */
  void applied(List<LayerEntry> layer, int layerCount) throws IOException {
    if (pendingOverlay) {
      pendingOverlay = false;
      overlaySynced = layerCount;
      return;
    }
    if (rootfs != null) {
      rootfs = rootfs.after(layer);
      syncedLayers = layerCount;
    }
  }

  @Override
  public void close() throws IOException {
    discard();
  }

  private void discard() throws IOException {
    discardOverlay();
    if (rootfs != null) {
      Path dir = rootfs.dir();
      rootfs = null;
      syncedLayers = -1;
      created.clear();
      Trees.delete(dir);
    }
  }

  /**
   * A new upper directory for a RUN on an overlay over the stage's files: the earlier RUNs' upper
   * directories (when nothing but RUNs changed the stage since) over the stage's files as a lower
   * directory that hard-links the image's unpacked files instead of copying them.
   */
  private Path overlayUpper(Stage stage) throws IOException {
    if (lowerBase != null && overlaySynced == stage.layerCount()) {
      Path upper = runs.newDir("upper");
      List<Path> lowers = new ArrayList<>(uppers);
      lowers.add(lowerBase);
      if (Overlay.fits(lowers, upper, upper)) {
        return upper;
      }
      Trees.delete(upper); // too many lower directories: start over
    }
    discardOverlay();
    lowerBase = BUILDER_IS_ROOT && runs.layerImagesMountable() ? mountImagesOrNot(stage) : null;
    if (lowerBase == null) {
      lowerBase = runs.newDir("lower");
      new RootfsWriter(BUILDER_IS_ROOT, runs.mtime()).writeLower(stage.tree(), lowerBase);
    }
    overlaySynced = stage.layerCount();
    return runs.newDir("upper");
  }

  /**
   * {@link #mountImages}, or null (what was mounted undone, and said once per build) when the
   * images do not mount: a kernel or container that refuses a mount the probe got, no loop device
   * left, an image damaged since it was written. The lower directory is written instead.
   */
  private Path mountImagesOrNot(Stage stage) throws IOException {
    try {
      return mountImages(stage);
    } catch (IOException e) {
      try {
        discardOverlay();
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
        throw e; // a mount that cannot be undone is not something to build on
      }
      runs.layerImagesFailed(e.getMessage());
      return null;
    }
  }

  /**
   * The stage's files as the base image's layer images mounted read-only (one of them, or an
   * overlay of them all) under a directory written with what the stage added over them, if
   * anything; null when the images cannot be used: a layer unpacked into files, an image that made
   * up directories (they would hide a lower layer's), or added layers that delete or hard-link (the
   * written directory is not an overlay layer of its own).
   */
  private Path mountImages(Stage stage) throws IOException {
    List<BlobCache.LayerImage> images = stage.images().get();
    if (images.isEmpty()) {
      return null;
    }
    for (int i = 1; i < images.size(); i++) {
      if (!images.get(i).stackable()) {
        return null;
      }
    }
    FileTree added = new FileTree();
    for (List<LayerEntry> layer : stage.ownLayers().get()) {
      for (LayerEntry e : layer) {
        if (e.isMarker() || e.type() == EntryType.HARDLINK) {
          return null;
        }
      }
      added.apply(layer);
    }
    List<Path> dirs = new ArrayList<>();
    if (added.size() > 0) {
      // each directory as the stage has it, not as a layer made it up: in an overlay, the
      // topmost layer's directory decides the mode and owner
      List<LayerEntry> entries = new ArrayList<>();
      for (LayerEntry e : added.walk("")) {
        entries.add(e.type() == EntryType.DIRECTORY ? stage.tree().get(e.path()).orElse(e) : e);
      }
      Path dir = runs.newDir("added");
      new RootfsWriter(true, runs.mtime()).writeLower(new FileTree().apply(entries), dir);
      dirs.add(dir);
      addedDir = dir;
    }
    List<Path> layers = new ArrayList<>();
    for (BlobCache.LayerImage image : images) {
      ErofsMount m = ErofsMount.mount(image.file(), runs.newDir("layer"));
      imageMounts.add(m);
      layers.add(0, m.dir()); // topmost first
    }
    dirs.addAll(layers);
    if (dirs.size() == 1) {
      return dirs.get(0);
    }
    Path merged = runs.newDir("base");
    imageStack = Overlay.mountReadOnly(dirs, merged);
    return merged;
  }

  /**
   * Where the stage's {@code path} is on disk below the current RUN's upper directory: in the
   * newest earlier upper directory that has it, else in the lower directory; null if deleted.
   */
  private Path lowerPath(String path) {
    for (Path u : uppers) {
      Path p = u.resolve(path);
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        try {
          return FileStat.isWhiteout(p) ? null : p;
        } catch (IOException e) {
          return null;
        }
      }
    }
    Path p = lowerBase.resolve(path);
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
  }

  /**
   * Forgets the overlay chain. The lower directory goes (it only links or copies the stage's
   * files); the upper directories stay until the build ends: their files are the RUN layers'.
   */
  private void discardOverlay() throws IOException {
    uppers.clear();
    overlaySynced = -1;
    pendingOverlay = false;
    Path dir = lowerBase;
    lowerBase = null;
    // every mount is unmounted and every directory deleted even if one of them fails: a mount
    // left behind would keep the build's work directory from being deleted
    List<IoStep> steps = new ArrayList<>();
    if (imageStack != null) {
      Overlay stack = imageStack;
      imageStack = null;
      steps.add(stack::close);
      steps.add(() -> Trees.delete(stack.merged()));
    }
    boolean images = !imageMounts.isEmpty();
    for (ErofsMount m : imageMounts) {
      steps.add(m::close);
      steps.add(() -> Trees.delete(m.dir()));
    }
    imageMounts.clear();
    if (addedDir != null) {
      Path added = addedDir;
      addedDir = null;
      steps.add(() -> Trees.delete(added));
    }
    if (dir != null && !images) { // with images, the lower directory was one of the above
      steps.add(() -> Trees.delete(dir));
    }
    IoStep.runAll(steps);
  }

  /** The work directory in step with the stage's files: reused, or written anew. */
  private Rootfs workspace(Stage stage, boolean ownersOnDisk) throws IOException {
    if (rootfs != null
        && syncedLayers == stage.layerCount()
        && rootfs.ownersApplied() == ownersOnDisk) {
      return rootfs;
    }
    discard();
    Path dir = runs.newDir("rootfs");
    rootfs = new RootfsWriter(ownersOnDisk, runs.mtime()).materialise(stage.tree(), dir);
    syncedLayers = stage.layerCount();
    return rootfs;
  }

  private Network network(RunInstruction r, Stage stage) {
    String n = r.network().map(stage.expand()).orElse(runs.options().network());
    return switch (n) {
      case "default", "host" -> Network.HOST;
      case "none" -> Network.NONE;
      default ->
          throw r.location()
              .error("unsupported RUN --network=" + n + " (choose default, none or host)");
    };
  }

  /**
   * {@code --add-host}: the RUN's {@code /etc/hosts} is bound read-only over the one the sandbox
   * gives it: the host's (host network) or a loopback-only one (no network), with the extra {@code
   * IP HOST} lines after it. Bound last, so it wins over the sandbox's own.
   */
  private List<Mount> withExtraHosts(List<Mount> mounts, Network network) throws IOException {
    List<String> extra = runs.options().extraHosts();
    if (extra.isEmpty()) {
      return mounts;
    }
    StringBuilder hosts = new StringBuilder();
    Path host = Path.of("/etc/hosts");
    if (network == Network.HOST && Files.isRegularFile(host)) {
      hosts.append(Files.readString(host));
      if (hosts.length() > 0 && hosts.charAt(hosts.length() - 1) != '\n') {
        hosts.append('\n');
      }
    } else {
      hosts.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    }
    for (String h : extra) {
      int colon = h.indexOf(':');
      hosts.append(h.substring(colon + 1)).append('\t').append(h, 0, colon).append('\n');
    }
    Path file = runs.newDir("hosts").resolve("hosts");
    Files.writeString(file, hosts);
    List<Mount> out = new ArrayList<>(mounts);
    out.add(Mount.bind(file, "/etc/hosts", true));
    return out;
  }

  private static List<String> argv(CommandForm form, ConfigState config) {
    if (form instanceof CommandForm.Exec e) {
      return e.args();
    }
    List<String> sh =
        new ArrayList<>(config.shell.isEmpty() ? List.of("/bin/sh", "-c") : config.shell);
    sh.add(((CommandForm.Shell) form).script());
    return sh;
  }

  /**
   * The stage's variables (base ENV, ARGs, ENV) plus PATH and HOME when unset, as Docker does, then
   * the proxy build args as BuildKit appends them (they win).
   */
  private static List<String> env(
      Map<String, String> vars, RunUser user, List<String> proxy, Optional<String> sshAuthSock) {
    Map<String, String> env = new LinkedHashMap<>(vars);
    env.putIfAbsent("PATH", StageExecutor.DEFAULT_PATH);
    env.putIfAbsent("HOME", user.home());
    sshAuthSock.ifPresent(sock -> env.putIfAbsent("SSH_AUTH_SOCK", sock));
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return withEntries(out, proxy);
  }

  /** The {@code K=V} entries {@code env}, then {@code added} in order (an added K replaces K). */
  private static List<String> withEntries(List<String> env, List<String> added) {
    Map<String, String> all = new LinkedHashMap<>();
    for (String kv : env) {
      int eq = kv.indexOf('=');
      all.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    for (String kv : added) {
      int eq = kv.indexOf('=');
      all.remove(kv.substring(0, eq));
      all.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    List<String> out = new ArrayList<>();
    all.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /**
   * BuildKit's history text for RUN: the command's words, preceded by {@code |N K=V...} for the N
   * ARGs declared in the stage so far (a variable's current value wins over the ARG's).
   */
  static String commandString(
      List<String> argv, List<String> declaredArgs, Map<String, String> vars) {
    List<String> words = new ArrayList<>();
    if (!declaredArgs.isEmpty()) {
      words.add("|" + declaredArgs.size());
      for (String a : declaredArgs) {
        words.add(a + "=" + vars.getOrDefault(a, ""));
      }
    }
    words.addAll(argv);
    return String.join(" ", words);
  }

  /**
   * The snapshot's entries with their files copied out of the work directory into this build's RUN
   * directory, so they stay as they are now whatever later RUNs do there.
   */
  private List<LayerEntry> keep(List<LayerEntry> entries) throws IOException {
    if (entries.stream().noneMatch(e -> e.type() == EntryType.FILE)) {
      return entries;
    }
    Path dir = runs.newDir("layer");
    List<LayerEntry> out = new ArrayList<>(entries.size());
    Set<Path> parents = new HashSet<>();
    for (LayerEntry e : entries) {
      if (e.type() != EntryType.FILE) {
        out.add(e);
        continue;
      }
      Path from = rootfs.dir().resolve(e.path());
      Path to = dir.resolve(e.path());
      Path parent = to.getParent();
      if (parents.add(parent)) {
        Files.createDirectories(parent);
      }
      if (Copy.range(from, 0, e.size(), to) != e.size()) {
        throw new IOException("'/" + e.path() + "' changed while its layer was written");
      }
      out.add(e.withContent(ContentSource.ofPath(to)));
    }
    return out;
  }

  /** A small text file of the tree (passwd, group), or null if absent. */
  private static String readText(FileTree tree, String path) throws IOException {
    Optional<LayerEntry> e = tree.get(TreePaths.resolve(tree, path, true));
    if (e.isEmpty() || e.get().type() != EntryType.FILE || e.get().size() > (1 << 20)) {
      return null;
    }
    try (var in = e.get().content().open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
