package dev.slimbuild.core.build;

import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.run.Mount;
import dev.slimbuild.core.run.Rootfs;
import dev.slimbuild.core.run.RootfsWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The mounts of one RUN: its heredoc's script, its cache directories (locked as their sharing
 * says), its bind sources (copies of the context's files, or of a stage's or image's), its secrets
 * and its ssh agent sockets.
 */
final class RunMounts {
  private final RunSupport runs;
  private final BuildContext context;
  private final Path staging;
  private final RunStep.SourceTrees trees;

  RunMounts(RunSupport runs, BuildContext context, Path staging, RunStep.SourceTrees trees) {
    this.runs = runs;
    this.context = context;
    this.staging = staging;
    this.trees = trees;
  }

  /**
   * The RUN's mounts: a heredoc's script, then its {@code --mount}s. Their mount points, as the
   * sandbox makes them in {@code hostView}, are {@code ignored} by the snapshot.
   */
  List<Mount> mounts(
      RunInstruction r, RunStep.Invocation inv, Path hostView, Set<String> ignored, RunHold held)
      throws IOException {
    List<Mount> mounts = new ArrayList<>();
    Optional<RunHeredocs.Plan> heredoc = inv.heredoc();
    if (heredoc.isPresent() && heredoc.get().file().isPresent()) {
      mounts.add(
          Mount.bind(scriptDir(heredoc.get().file().get(), held.scratch), RunHeredocs.PIPES, true));
      ignoreMountPoint(hostView, RunHeredocs.PIPES, ignored);
    }
    for (RunMountSpec m : inv.mounts()) {
      Optional<Mount> mount =
          switch (m.type()) {
            case SECRET -> secret(r, m, inv.workdir(), held);
            case SSH -> ssh(r, m, "/" + TreePaths.absolute(inv.workdir(), m.target()), held);
            default ->
                Optional.of(
                    mount(
                        r,
                        m,
                        "/" + TreePaths.absolute(inv.workdir(), m.target()),
                        held.locks,
                        held.scratch));
          };
      if (mount.isPresent()) {
        mounts.add(mount.get());
        String point = ignoreMountPoint(hostView, mount.get().target(), ignored);
        if (m.type() == RunMountSpec.Type.SECRET || m.type() == RunMountSpec.Type.SSH) {
          held.stubs.add(point);
        }
      }
    }
    return mounts;
  }

  /**
   * A {@code RUN --mount=type=secret}: with a target, the secret written to a file of its own in a
   * directory only the builder may enter, with the mount's mode and (as root) owner, bound
   * read-only; with {@code env=NAME}, {@code NAME=value} for the RUN's environment in {@code held}.
   * Both are gone when the RUN ends. A secret the build was not given is skipped, unless required.
   */
  private Optional<Mount> secret(RunInstruction r, RunMountSpec m, String workdir, RunHold held)
      throws IOException {
    BuildSecrets secrets = runs.options().secrets();
    if (!secrets.has(m.id())) {
      checkGiven(r, m, runs.options());
      return Optional.empty();
    }
    if (m.env().isPresent()) {
      String value = secrets.text(m.id());
      if (value.indexOf('\0') >= 0) { // an environment ends a value there; bwrap's --args too
        throw r.location()
            .error(
                "RUN --mount=type=secret,id="
                    + m.id()
                    + ",env="
                    + m.env().get()
                    + ": the secret holds a NUL byte, which no environment variable can; mount it as a"
                    + " file");
      }
      held.env.add(m.env().get() + "=" + value);
    }
    if (m.target() == null) {
      return Optional.empty();
    }
    Path dir = runs.newPrivateDir("secret");
    held.scratch.add(dir);
    Path file = dir.resolve("secret");
    secrets.write(m.id(), file, m.mode(), RunStep.BUILDER_IS_ROOT, m.uid(), m.gid());
    return Optional.of(Mount.bind(file, "/" + TreePaths.absolute(workdir, m.target()), true));
  }

  /**
   * A {@code RUN --mount=type=ssh}: a socket of the RUN's own, with the mount's mode and (as root)
   * owner, relaying to the build's agent of that id. An agent the build was not given is skipped,
   * unless required.
   */
  private Optional<Mount> ssh(RunInstruction r, RunMountSpec m, String target, RunHold held)
      throws IOException {
    Optional<Path> agent = runs.sshSocket(m.id());
    if (agent.isEmpty()) {
      checkGiven(r, m, runs.options());
      return Optional.empty();
    }
    Path dir = runs.newPrivateDir("ssh");
    held.scratch.add(dir);
    AgentProxy proxy =
        AgentProxy.open(
            dir.resolve("agent"), agent.get(), m.mode(), RunStep.BUILDER_IS_ROOT, m.uid(), m.gid());
    held.agents.add(proxy);
    return Optional.of(Mount.bind(proxy.socket(), target, false));
  }

  /**
   * A {@code Dockerfile:LINE:} error when {@code m} is a required secret or ssh mount that the
   * build ({@code options}) was not given; nothing otherwise.
   */
  static void checkGiven(RunInstruction r, RunMountSpec m, RunOptions options) {
    if (!m.required()) {
      return;
    }
    if (m.type() == RunMountSpec.Type.SECRET && !options.secrets().has(m.id())) {
      throw r.location()
          .error(
              "RUN --mount=type=secret,id="
                  + m.id()
                  + ",required: the build"
                  + " has no secret '"
                  + m.id()
                  + "' (give --secret id="
                  + m.id()
                  + ",src=FILE or --secret"
                  + " id="
                  + m.id()
                  + ",env=VARIABLE)");
    }
    if (m.type() == RunMountSpec.Type.SSH && options.ssh().get(m.id()).isEmpty()) {
      throw r.location()
          .error(
              "RUN --mount=type=ssh,id="
                  + m.id()
                  + ",required: the build has"
                  + " no ssh agent '"
                  + m.id()
                  + "' (give --ssh "
                  + m.id()
                  + " for $SSH_AUTH_SOCK, or"
                  + " --ssh "
                  + m.id()
                  + "=SOCKET|KEYFILE)");
    }
  }

  /** Adds {@code target}'s path in {@code hostView} to {@code ignored}, and returns it. */
  private static String ignoreMountPoint(Path hostView, String target, Set<String> ignored)
      throws IOException {
    String resolved = Rootfs.resolve(hostView, target);
    if (!resolved.isEmpty()) {
      ignored.add(resolved);
    }
    return resolved;
  }

  private Mount mount(
      RunInstruction r, RunMountSpec m, String target, List<FileLock> locks, List<Path> scratch)
      throws IOException {
    switch (m.type()) {
      case TMPFS:
        return Mount.tmpfs(target);
      case CACHE:
        return Mount.bind(cacheDir(r, m, target, locks, scratch), target, m.readOnly());
      case BIND:
        return Mount.bind(bindSource(r, m, scratch), target, m.readOnly());
      default:
        throw new IllegalStateException("not a bind, cache or tmpfs mount: " + m.type());
    }
  }

  /**
   * The host directory of a cache mount: {@code CACHE/<sha256 of id (default: the target)>},
   * created with the mount's mode (and owner, as root) when new. {@code sharing=locked} holds a
   * lock for the RUN; {@code private} takes a fresh directory while another build holds it.
   *
   * <p>With {@code from=STAGE,source=PATH}, as in BuildKit, the cache starts as a copy of the
   * stage's directory PATH (its files, modes and owners) and is a cache of its own for each content
   * of the stage: {@code <sha256 of id:stage key>} (BuildKit keys it by id and the stage's
   * snapshot). {@code from=} without a source gives an empty cache, as there.
   */
  private Path cacheDir(
      RunInstruction r, RunMountSpec m, String target, List<FileLock> locks, List<Path> scratch)
      throws IOException {
    String id = m.id() != null && !m.id().isEmpty() ? m.id() : target;
    String seedSource = null;
    if (m.from().isPresent()) {
      id = id + ":" + trees.key(m.from().get(), r);
      String source = m.source() == null ? "" : TreePaths.absolute("/", m.source());
      seedSource = source.isEmpty() ? null : source;
    }
    String name = Digest.sha256Of(id.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
    Path root = runs.options().cacheDir();
    Files.createDirectories(root);
    Path dir = root.resolve(name);
    if (m.sharing() != RunMountSpec.Sharing.SHARED) {
      FileChannel ch =
          FileChannel.open(
              root.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = m.sharing() == RunMountSpec.Sharing.LOCKED ? ch.lock() : ch.tryLock();
      if (lock == null) {
        ch.close();
        Path fresh = runs.newDir("cache");
        scratch.add(fresh);
        return fresh;
      }
      locks.add(lock);
    }
    if (!Files.isDirectory(dir)) {
      Path tmp;
      if (seedSource != null) {
        tmp = seed(r, m, seedSource, root);
      } else {
        tmp = Files.createTempDirectory(root, ".new-");
        Files.setAttribute(tmp, "unix:mode", m.mode());
        if (RunStep.BUILDER_IS_ROOT) {
          Files.setAttribute(tmp, "unix:uid", m.uid());
          Files.setAttribute(tmp, "unix:gid", m.gid());
        }
      }
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        Trees.delete(tmp); // another build made it first
        if (!Files.isDirectory(dir)) {
          throw e;
        }
      }
    }
    return dir;
  }

  /**
   * A new directory in {@code root} holding what the {@code from=} stage has in directory {@code
   * source} (relative, not empty), written with its owners when the builder is root; the directory
   * itself gets the source directory's mode and owner.
   */
  private Path seed(RunInstruction r, RunMountSpec m, String source, Path root) throws IOException {
    FileTree from = trees.tree(m.from().get(), r);
    String path = TreePaths.resolve(from, source, true);
    Optional<LayerEntry> dirEntry = from.get(path);
    if (dirEntry.isEmpty() || !dirEntry.get().isDirectory()) {
      throw r.location()
          .error(
              "RUN --mount=type=cache,from="
                  + m.from().get()
                  + ": source /"
                  + source
                  + (dirEntry.isEmpty() ? " not found" : " is not a directory")
                  + " in "
                  + m.from().get());
    }
    List<LayerEntry> entries = new ArrayList<>();
    String prefix = path + "/";
    for (LayerEntry e : from.walk(path)) {
      if (!e.path().startsWith(prefix)) {
        continue;
      }
      String rel = e.path().substring(prefix.length());
      if (e.type() == EntryType.HARDLINK) {
        if (!e.linkTarget().startsWith(prefix)) {
          continue; // a link to a file outside the source: not the cache's
        }
        entries.add(
            new LayerEntry(
                rel,
                e.type(),
                e.mode(),
                e.uid(),
                e.gid(),
                e.size(),
                e.linkTarget().substring(prefix.length()),
                e.content(),
                e.xattrs()));
      } else {
        entries.add(e.withPath(rel));
      }
    }
    Path parent = Files.createTempDirectory(root, ".seed-");
    try {
      Path content = parent.resolve("c");
      FileTree tree = new FileTree();
      tree.apply(entries);
      new RootfsWriter(RunStep.BUILDER_IS_ROOT, runs.mtime()).materialise(tree, content);
      LayerEntry d = dirEntry.get();
      Files.setAttribute(content, "unix:mode", d.mode() & 07777);
      if (RunStep.BUILDER_IS_ROOT) {
        Files.setAttribute(content, "unix:uid", d.uid());
        Files.setAttribute(content, "unix:gid", d.gid());
      }
      Path tmp = Files.createTempDirectory(root, ".new-");
      Files.delete(tmp);
      Files.move(content, tmp, StandardCopyOption.ATOMIC_MOVE);
      return tmp;
    } finally {
      Trees.delete(parent);
    }
  }

  /**
   * A copy of the bind mount's source (a stage's or image's path, or the context's, with
   * .dockerignore applied) in a scratch directory: writes through an {@code rw} mount are thrown
   * away, and the user's context is never exposed to the RUN.
   */
  private Path bindSource(RunInstruction r, RunMountSpec m, List<Path> scratch) throws IOException {
    String source = m.source() == null || m.source().isEmpty() ? "/" : m.source();
    Copier.Spec spec =
        new Copier.Spec(
            r,
            List.of(source),
            List.of(),
            "/",
            Optional.empty(),
            Optional.empty(),
            List.of(),
            false,
            UnaryOperator.identity(),
            List.of());
    List<LayerEntry> entries;
    boolean directory;
    Copier copier = new Copier(new FileTree(), "/", staging);
    if (m.from().isPresent()) {
      FileTree from = trees.tree(m.from().get(), r);
      String path = TreePaths.resolve(from, TreePaths.absolute("/", source), true);
      directory = path.isEmpty() || from.get(path).map(LayerEntry::isDirectory).orElse(false);
      entries = copier.fromTree(from, spec);
    } else {
      String rel = TreePaths.absolute("/", source);
      directory = rel.isEmpty() || Files.isDirectory(context.resolve(rel.isEmpty() ? "." : rel));
      entries = copier.fromContext(context, spec);
    }
    Path dir = runs.newDir("bind");
    scratch.add(dir);
    Path content = dir.resolve("content");
    FileTree tree = new FileTree();
    tree.apply(entries);
    new RootfsWriter(false, runs.mtime()).materialise(tree, content);
    if (directory) {
      return content;
    }
    String name = TreePaths.absolute("/", source);
    name = name.substring(name.lastIndexOf('/') + 1);
    return content.resolve(name);
  }

  /**
   * A scratch directory holding {@code script} as an executable file, to be mounted read-only at
   * {@link RunHeredocs#PIPES}: the RUN runs it, and it never lands in the work directory.
   */
  private Path scriptDir(RunHeredocs.Script script, List<Path> scratch) throws IOException {
    Path dir = runs.newDir("heredoc");
    scratch.add(dir);
    Path pipes = Files.createDirectory(dir.resolve("pipes"));
    Path file = pipes.resolve(script.name());
    Files.writeString(
        file,
        script.content(),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(pipes, PosixFilePermissions.fromString("rwxr-xr-x"));
    return pipes;
  }
}
