package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Runs RUN with {@code chroot} as root (CAP_SYS_CHROOT), for machines without user namespaces. It
 * mounts /proc, a minimal /dev and the requested mounts under the rootfs when mounting is
 * permitted, and always unmounts them (lazily) afterwards. There is no pid or ipc isolation; {@link
 * Network#NONE} needs {@code unshare -n}.
 */
final class ChrootSandbox implements Sandbox {
  static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

  private final Path chroot;

  ChrootSandbox(Path chroot) {
    this.chroot = chroot;
  }

  @Override
  public String name() {
    return "chroot";
  }

  @Override
  public boolean runsWithHostIds() {
    return true; // no user namespace: the RUN runs as the ids it names
  }

  @Override
  public String reaches() {
    return "a RUN runs as host root with every capability and no user, pid or ipc namespace:"
        + " it can leave the chroot, read and write any host file, create device nodes, mount,"
        + " write /proc/sys, see and signal host processes, enter the host's namespaces (also its"
        + " network, whatever --network says) and keep running after the build";
  }

  @Override
  @SuppressWarnings("Finally") // an unmount failure after a RUN that ended well is its result
  public RunResult run(RunSpec spec, OutputSink out) throws IOException {
    Emulation.requireBinfmt(spec, name());
    if (!spec.wrapper().isEmpty()) {
      throw new IllegalArgumentException("the chroot sandbox runs as root, never wrapped");
    }
    List<String> prefix = new ArrayList<>();
    if (spec.network() == Network.NONE) {
      prefix.addAll(unshareNet());
    }
    Path root = spec.rootfs();
    List<String> created = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Deque<Path> mounted = new ArrayDeque<>();
    IOException failure = null;
    boolean done = false;
    Path hostname = null;
    try {
      Path proc = RootPaths.ensure(root, "/proc", true, created);
      String refused = tryMount(List.of("mount", "-t", "proc", "proc", proc.toString()));
      if (refused == null) {
        mounted.push(proc);
        RootPaths.ensure(root, "/dev", true, created);
        for (String d : DEVICES) {
          Path host = Path.of("/dev", d);
          if (Files.exists(host)) {
            Path target = RootPaths.ensure(root, "/dev/" + d, false, created);
            bind(host, target, false, mounted);
          }
        }
        if (spec.network() == Network.HOST) {
          for (String f : HostFiles.NETWORK_FILES) {
            if (HostFiles.prepare(root, f, created, notes)) {
              bind(Path.of(f), root.resolve(f.substring(1)), true, mounted);
            }
          }
        }
        hostname = HostFiles.hostname(root, created);
        if (hostname != null) {
          bind(hostname, root.resolve(HostFiles.HOSTNAME.substring(1)), false, mounted);
        }
      } else {
        notes.add("chroot: /proc, /dev and /etc/resolv.conf not mounted (" + refused + ")");
        if (!spec.mounts().isEmpty()) {
          throw new SlimbuildException(
              "RUN --mount with the chroot sandbox needs permission to mount (" + refused + ")");
        }
      }
      for (Mount m : spec.mounts()) {
        if (m.isTmpfs()) {
          Path target = RootPaths.ensure(root, m.target(), true, created);
          Host.mustRun(List.of("mount", "-t", "tmpfs", "tmpfs", target.toString()));
          mounted.push(target);
        } else {
          boolean dir = Files.isDirectory(m.hostSource());
          Path target = RootPaths.ensure(root, m.target(), dir, created);
          bind(m.hostSource(), target, m.readOnly(), mounted);
        }
      }
      RootPaths.ensure(root, spec.workdir(), true, created);
      List<String> cmd = new ArrayList<>(prefix);
      cmd.addAll(
          List.of(
              chroot.toString(),
              "--userspec=" + spec.user(),
              "--groups=" + groupList(spec),
              root.toString()));
      if (!spec.workdir().equals("/")) {
        // chroot(1) always starts in /; a shell inside the image changes to the working directory
        if (!Files.isRegularFile(root.resolve(RootPaths.resolve(root, "/bin/sh")))) {
          throw new SlimbuildException(
              "RUN with the chroot sandbox needs /bin/sh in the image to use WORKDIR "
                  + spec.workdir());
        }
        cmd.addAll(List.of("/bin/sh", "-c", "cd \"$0\" || exit 125; exec \"$@\"", spec.workdir()));
      }
      cmd.addAll(spec.argv());
      ProcessRunner.Outcome o =
          ProcessRunner.run(cmd, Host.envMap(spec.env()), spec.timeout(), out);
      done = true;
      return new RunResult(o.exitCode(), o.timedOut(), created, notes);
    } finally {
      killRootedIn(root);
      while (!mounted.isEmpty()) {
        Path m = mounted.pop();
        String refused = tryMount(List.of("umount", "-l", m.toString()));
        if (refused != null) {
          if (failure == null) {
            failure = new IOException("cannot unmount " + m + ": " + refused);
          }
        }
      }
      if (hostname != null) {
        Files.deleteIfExists(hostname);
      }
      // an unmount failure is reported unless another error is already on its way
      if (failure != null && done) {
        throw failure;
      }
    }
  }

  /**
   * The process's supplementary groups as {@code chroot --groups} takes them: the spec's, or only
   * the primary group when there are none (chroot(1) needs a list; {@code id} shows the primary
   * group either way).
   */
  static String groupList(RunSpec spec) {
    if (spec.groups().isEmpty()) {
      return Integer.toString(spec.gid());
    }
    return String.join(",", spec.groups().stream().map(String::valueOf).toList());
  }

  private static void bind(Path source, Path target, boolean readOnly, Deque<Path> mounted)
      throws IOException {
    Host.mustRun(List.of("mount", "--bind", source.toString(), target.toString()));
    mounted.push(target);
    if (readOnly) {
      Host.mustRun(List.of("mount", "-o", "remount,bind,ro", target.toString()));
    }
  }

  private static String tryMount(List<String> command) {
    return Host.probe(command);
  }

  /** {@code unshare -n}, or an error when this machine does not allow it. */
  static List<String> unshareNet() {
    Path unshare =
        Host.which("unshare")
            .orElseThrow(() -> new SlimbuildException("RUN --network=none needs bwrap or unshare"));
    String problem = Host.probe(List.of(unshare.toString(), "-n", "true"));
    if (problem != null) {
      throw new SlimbuildException(
          "RUN --network=none needs bwrap or unshare (unshare -n failed: " + problem + ")");
    }
    return List.of(unshare.toString(), "-n");
  }

  /**
   * Kills what a RUN left running inside the rootfs (background processes reparented away from the
   * process tree): every process whose root directory is this rootfs was started by us.
   */
  static void killRootedIn(Path rootfs) {
    Path root;
    try {
      root = rootfs.toRealPath();
    } catch (IOException e) {
      return;
    }
    ProcessHandle.allProcesses()
        .filter(
            h -> {
              try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "root"))
                    .equals(root);
              } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
              }
            })
        .forEach(ProcessRunner::killTree);
  }
}
