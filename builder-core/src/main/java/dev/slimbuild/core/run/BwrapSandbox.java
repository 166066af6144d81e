package dev.slimbuild.core.run;

import dev.slimbuild.core.fs.Privileges;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs RUN with bubblewrap, isolated like a default Docker container: the rootfs bound read-write
 * at {@code /}, a fresh /proc with {@code /proc/sys} and {@code /proc/sysrq-trigger} read-only and
 * {@code /proc/kcore}, {@code /proc/keys}, {@code /proc/timer_list}... masked, a minimal /dev (no
 * host devices), no /sys, new pid, mount, ipc, uts, cgroup (and net for {@link Network#NONE})
 * namespaces, always a user namespace, Docker's default capabilities for root and none for another
 * user, the {@link Seccomp} filter, and {@code --die-with-parent}: the RUN ends with the build.
 *
 * <p>The user namespace: as real root running uid 0:0, an identity-mapped one ({@link
 * UserNamespace}): files keep their real owners on disk and root may chown, but it holds no
 * capability over the host. Any other user, and every user when the builder is not root, runs in a
 * user namespace bwrap makes, which maps the requested ids onto the invoking user (files it writes
 * belong to the invoking user on disk; the image's owners stay in the model). A RUN with
 * supplementary groups gets them only when the builder is root (see Groups below).
 */
final class BwrapSandbox implements Sandbox {
  /** Docker's default capability set (moby oci/caps/defaults.go). */
  static final List<String> DOCKER_CAPS =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FSETID",
          "CAP_FOWNER",
          "CAP_MKNOD",
          "CAP_NET_RAW",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETFCAP",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT",
          "CAP_KILL",
          "CAP_AUDIT_WRITE");

  /** Read-only in a Docker container (those /proc has here). */
  static final List<String> READ_ONLY_PROC = List.of("/proc/sys", "/proc/sysrq-trigger");

  /** Files Docker masks with /dev/null. */
  static final List<String> MASKED_PROC_FILES =
      List.of(
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug");

  /** Directories Docker masks with an empty read-only tmpfs. */
  static final List<String> MASKED_PROC_DIRS = List.of("/proc/acpi", "/proc/scsi");

  private static final int USERNS_FD = 3;
  private static final int SECCOMP_FD = 4;
  private static final int ARGS_FD = 5;

  /** Opens the seccomp program and the user namespace as fds 4 and 3, then execs the rest. */
  private static final String OPEN_FDS =
      "exec "
          + SECCOMP_FD
          + "<\"$1\" || exit 125; if [ -n \"$2\" ]; then exec "
          + USERNS_FD
          + "<\"$2\" || exit 125; fi; shift 2; exec \"$@\"";

  /**
   * {@link #OPEN_FDS}, with standard input (bwrap's {@code --args}: the RUN's environment, which
   * may hold secrets, never on a command line) as fd 5 and {@code /dev/null} as standard input.
   */
  private static final String OPEN_FDS_ARGS =
      "exec " + ARGS_FD + "<&0 </dev/null || exit 125; " + OPEN_FDS;

  private final Path bwrap;

  BwrapSandbox(Path bwrap) {
    this.bwrap = bwrap;
  }

  @Override
  public String name() {
    return "bwrap";
  }

  @Override
  public boolean runsWithHostIds() {
    return false;
  }

  @Override
  public boolean isolates() {
    return true;
  }

  /**
   * Whether RUN as {@code uid:gid} enters an identity-mapped user namespace (real root running
   * root, with no wrapper: the rootfs is a host mount or directory).
   */
  static boolean identityMapped(RunSpec spec) {
    return Privileges.isRoot() && spec.uid() == 0 && spec.gid() == 0 && spec.wrapper().isEmpty();
  }

  /*
   * Groups. bwrap has no option for them, so the bwrap process is started with the RUN's groups
   * (runc's additionalGids: the primary group and those of /etc/group) by setpriv --groups, when
   * the builder is root: as root 0:0 in the identity-mapped namespace, the same ids; as another
   * user with only its primary group, in the namespace bwrap makes (its gid onto real root), real
   * root's group; as another user with more groups, in a namespace made for it: the uid and gid
   * onto real root, as bwrap's would (the RUN owns the work directory's files), and each other
   * group onto a host group ({@link #outsideGid}). The RUN starts with them and no capability.
   * Without root the namespace maps one group only, and setgroups is denied in it.
   */

  /**
   * The host gid that supplementary group {@code g} is outside the namespace when the primary group
   * {@code gid} is real root's: root's for the primary group itself, else the same id ({@code
   * gid}'s own, free outside, for group 0).
   */
  static int outsideGid(int g, int gid) {
    return g == gid ? 0 : g != 0 ? g : gid;
  }

  /** The gid_map for a non-root RUN with more groups: the primary group onto root, each other. */
  static String gidMap(RunSpec spec) {
    StringBuilder b = new StringBuilder(spec.gid() + " 0 1\n");
    Set<Integer> seen = new HashSet<>(List.of(spec.gid()));
    for (int g : spec.groups()) {
      if (seen.add(g)) {
        b.append(g).append(' ').append(outsideGid(g, spec.gid())).append(" 1\n");
      }
    }
    return b.toString();
  }

  @Override
  public RunResult run(RunSpec spec, OutputSink out) throws IOException {
    Emulation.requireBinfmt(spec, name());
    List<String> created = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Path root = spec.prepareRoot();
    RootPaths.ensure(root, "/proc", true, created);
    RootPaths.ensure(root, "/dev", true, created);
    boolean identity = identityMapped(spec);
    boolean extra = spec.groups().stream().anyMatch(g -> g != spec.gid());
    boolean rootHere = Privileges.isRoot() && spec.wrapper().isEmpty();
    Optional<Path> setpriv =
        spec.groups().isEmpty() || !rootHere ? Optional.empty() : Host.which("setpriv");
    boolean mapped = !identity && extra && setpriv.isPresent();
    List<String> cmd = new ArrayList<>();
    if (setpriv.isPresent()) {
      // the groups bwrap's process holds are the RUN's: as the namespace maps them
      cmd.addAll(
          List.of(
              setpriv.get().toString(),
              "--groups="
                  + String.join(
                      ",",
                      spec.groups().stream()
                          .map(
                              g ->
                                  Integer.toString(
                                      identity ? g : mapped ? outsideGid(g, spec.gid()) : 0))
                          .distinct()
                          .toList()),
              "--"));
    } else if (extra) {
      notes.add(
          "bwrap cannot give this RUN its supplementary groups "
              + spec.groups()
              + (rootHere
                  ? " (no setpriv(1) on this machine)"
                  : " (without root, the user namespace maps only the RUN's own group)"));
    }
    cmd.addAll(List.of(bwrap.toString(), "--bind", spec.rootfs().toString(), "/"));
    cmd.addAll(List.of("--proc", "/proc"));
    cmd.addAll(procProtection());
    cmd.addAll(List.of("--dev", "/dev"));
    cmd.addAll(
        List.of(
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session"));
    if (spec.network() == Network.NONE) {
      cmd.add("--unshare-net");
    }
    if (identity || mapped) {
      cmd.addAll(
          List.of(
              "--userns",
              Integer.toString(USERNS_FD),
              "--uid",
              Integer.toString(spec.uid()),
              "--gid",
              Integer.toString(spec.gid())));
    } else {
      cmd.addAll(
          List.of(
              "--unshare-user",
              "--disable-userns",
              "--uid",
              Integer.toString(spec.uid()),
              "--gid",
              Integer.toString(spec.gid())));
    }
    cmd.addAll(List.of("--cap-drop", "ALL"));
    if (spec.uid() == 0) {
      for (String cap : DOCKER_CAPS) {
        cmd.addAll(List.of("--cap-add", cap));
      }
    }
    cmd.addAll(List.of("--seccomp", Integer.toString(SECCOMP_FD)));
    if (spec.network() == Network.HOST) {
      for (String f : HostFiles.NETWORK_FILES) {
        if (HostFiles.prepare(root, f, created, notes)) {
          cmd.addAll(List.of("--ro-bind", f, f));
        }
      }
    }
    Path hostname = HostFiles.hostname(root, created);
    try {
      if (hostname != null) {
        cmd.addAll(List.of("--bind", hostname.toString(), HostFiles.HOSTNAME));
      }
      return run(spec, out, root, cmd, identity, mapped, created, notes);
    } finally {
      if (hostname != null) {
        Files.deleteIfExists(hostname);
      }
    }
  }

  private RunResult run(
      RunSpec spec,
      OutputSink out,
      Path root,
      List<String> cmd,
      boolean identity,
      boolean mapped,
      List<String> created,
      List<String> notes)
      throws IOException {
    for (Mount m : spec.mounts()) {
      if (m.isTmpfs()) {
        RootPaths.ensure(root, m.target(), true, created);
        cmd.addAll(List.of("--tmpfs", m.target()));
      } else {
        RootPaths.ensure(root, m.target(), Files.isDirectory(m.hostSource()), created);
        cmd.addAll(
            List.of(m.readOnly() ? "--ro-bind" : "--bind", m.hostSource().toString(), m.target()));
      }
    }
    RootPaths.ensure(root, spec.workdir(), true, created);
    cmd.addAll(
        List.of("--chdir", spec.workdir(), "--clearenv", "--args", Integer.toString(ARGS_FD)));
    ByteArrayOutputStream envArgs = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : Host.envMap(spec.env()).entrySet()) {
      for (String word : List.of("--setenv", e.getKey(), e.getValue())) {
        envArgs.writeBytes(word.getBytes(StandardCharsets.UTF_8));
        envArgs.write(0);
      }
    }
    cmd.add("--");
    cmd.addAll(spec.argv());
    Path filter = Files.createTempFile("slimbuild-seccomp-", ".bpf");
    try (UserNamespace ns =
        identity
            ? UserNamespace.identity()
            : mapped ? UserNamespace.mapped(spec.uid() + " 0 1\n", gidMap(spec)) : null) {
      Files.write(filter, Seccomp.bpf());
      List<String> full =
          new ArrayList<>(
              List.of(
                  "/bin/sh",
                  "-c",
                  OPEN_FDS_ARGS,
                  "sh",
                  filter.toString(),
                  ns == null ? "" : ns.file().toString()));
      full.addAll(spec.command(cmd));
      ProcessRunner.Outcome o =
          ProcessRunner.run(
              full,
              Map.of("PATH", HostFiles.HOST_PATH),
              spec.timeout(),
              out,
              envArgs.toByteArray());
      return new RunResult(o.exitCode(), o.timedOut(), created, notes);
    } finally {
      Files.deleteIfExists(filter);
    }
  }

  /**
   * Null when bwrap can run RUNs here as {@link #run} would (the same user namespace, seccomp
   * filter and namespaces), else why not. The probe's root is a tmpfs with the host's /usr (and
   * /bin, /lib, /lib64) bound read-only: never the host's whole root, whose other mounts (overlay
   * probes of concurrent builds, this build's own) may come and go while bwrap binds them.
   */
  static String probe(Path bwrap) {
    List<String> cmd = new ArrayList<>(List.of(bwrap.toString(), "--ro-bind", "/usr", "/usr"));
    for (String d : List.of("/bin", "/lib", "/lib64")) {
      cmd.addAll(List.of("--ro-bind-try", d, d));
    }
    cmd.addAll(List.of("--proc", "/proc"));
    cmd.addAll(procProtection());
    cmd.addAll(
        List.of(
            "--dev",
            "/dev",
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-uts",
            "--unshare-net",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session"));
    boolean identity = Privileges.isRoot();
    cmd.addAll(
        identity
            ? List.of("--userns", Integer.toString(USERNS_FD), "--uid", "0", "--gid", "0")
            : List.of("--unshare-user", "--disable-userns", "--uid", "0", "--gid", "0"));
    cmd.addAll(
        List.of(
            "--cap-drop",
            "ALL",
            "--cap-add",
            DOCKER_CAPS.get(0),
            "--seccomp",
            Integer.toString(SECCOMP_FD),
            "--",
            "true"));
    Path filter = null;
    try (UserNamespace ns = identity ? UserNamespace.identity() : null) {
      filter = Files.createTempFile("slimbuild-seccomp-", ".bpf");
      Files.write(filter, Seccomp.bpf());
      List<String> full =
          new ArrayList<>(
              List.of(
                  "/bin/sh",
                  "-c",
                  OPEN_FDS,
                  "sh",
                  filter.toString(),
                  ns == null ? "" : ns.file().toString()));
      full.addAll(cmd);
      return Host.probe(full);
    } catch (IOException e) {
      return e.getMessage();
    } finally {
      if (filter != null) {
        try {
          Files.deleteIfExists(filter);
        } catch (IOException e) {
          // a temporary file of 1 KiB
        }
      }
    }
  }

  /**
   * What Docker makes read-only or masks in /proc (and exists here): bound from the host's /proc
   * over the sandbox's, which has the same files (sysctls are global or follow the reader's
   * namespaces).
   */
  static List<String> procProtection() {
    List<String> args = new ArrayList<>();
    for (String p : READ_ONLY_PROC) {
      if (Files.exists(Path.of(p))) {
        args.addAll(List.of("--ro-bind", p, p));
      }
    }
    for (String p : MASKED_PROC_FILES) {
      if (Files.exists(Path.of(p))) {
        args.addAll(List.of("--ro-bind", "/dev/null", p));
      }
    }
    for (String p : MASKED_PROC_DIRS) {
      if (Files.isDirectory(Path.of(p))) {
        args.addAll(List.of("--tmpfs", p, "--remount-ro", p));
      }
    }
    return args;
  }
}
