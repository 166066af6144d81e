package dev.slimbuild.core.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs RUN with bubblewrap: the rootfs bound read-write at {@code /}, fresh /proc and /dev, new
 * ipc/pid/uts (and net for {@link Network#NONE}) namespaces. As real root running uid 0 it needs no
 * user namespace (files keep real ownership); any other user runs in a user namespace that maps the
 * requested ids onto the invoking user, so files it writes belong to the invoking user on disk.
 */
public final class BwrapSandbox implements Sandbox {
  private final Path bwrap;

  public BwrapSandbox(Path bwrap) {
    this.bwrap = bwrap;
  }

  @Override
  public String name() {
    return "bwrap";
  }

  @Override
  public RunResult run(RunSpec spec, OutputSink out) throws IOException {
    Emulation.requireBinfmt(spec, name());
    List<String> created = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Path root = spec.prepareRoot();
    RootPaths.ensure(root, "/proc", true, created);
    RootPaths.ensure(root, "/dev", true, created);
    List<String> cmd =
        new ArrayList<>(List.of(bwrap.toString(), "--bind", spec.rootfs().toString(), "/"));
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
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
    if (!dev.slimbuild.core.fs.Privileges.isRoot() || spec.uid() != 0 || spec.gid() != 0) {
      cmd.addAll(
          List.of(
              "--unshare-user",
              "--uid",
              Integer.toString(spec.uid()),
              "--gid",
              Integer.toString(spec.gid())));
    }
    if (spec.uid() == 0) {
      // root in the RUN may chown, bind ports, etc. (inside a user namespace only there)
      cmd.addAll(List.of("--cap-add", "ALL"));
    }
    if (spec.network() == Network.HOST) {
      for (String f : HostFiles.NETWORK_FILES) {
        if (HostFiles.prepare(root, f, created, notes)) {
          cmd.addAll(List.of("--ro-bind", f, f));
        }
      }
    }
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
    cmd.addAll(List.of("--chdir", spec.workdir(), "--clearenv"));
    for (Map.Entry<String, String> e : Host.envMap(spec.env()).entrySet()) {
      cmd.addAll(List.of("--setenv", e.getKey(), e.getValue()));
    }
    cmd.add("--");
    cmd.addAll(spec.argv());
    ProcessRunner.Outcome o =
        ProcessRunner.run(
            spec.command(cmd), Map.of("PATH", HostFiles.HOST_PATH), spec.timeout(), out);
    return new RunResult(o.exitCode(), o.timedOut(), created, notes);
  }
}
