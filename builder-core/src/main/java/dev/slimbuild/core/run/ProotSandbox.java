package dev.slimbuild.core.run;

import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs RUN with proot (ptrace, no privileges at all), through {@code qemu-ARCH-static} for a
 * foreign platform. proot only fakes user ids ({@code -0} for root, {@code -i uid:gid} otherwise:
 * files land owned by the invoking user), cannot make binds read-only and has no network isolation
 * of its own ({@link Network#NONE} needs {@code unshare -n}, i.e. root).
 */
final class ProotSandbox implements Sandbox {
  private final Path proot;

  ProotSandbox(Path proot) {
    this.proot = proot;
  }

  @Override
  public String name() {
    return "proot";
  }

  @Override
  public boolean runsWithHostIds() {
    return false;
  }

  @Override
  public String reaches() {
    return Privileges.isRoot()
        ? "proot only translates paths: a RUN runs as host root with every capability, so"
            + " system calls proot does not translate (openat2...) read and write host files, and"
            + " it can see and signal host processes, write /proc/sys and keep running after the"
            + " build"
        : "proot only translates paths: a RUN can do whatever the invoking user can do (read"
            + " and write that user's files, see and signal that user's processes), the trust"
            + " model of kaniko";
  }

  @Override
  public RunResult run(RunSpec spec, OutputSink out) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (spec.network() == Network.NONE) {
      cmd.addAll(ChrootSandbox.unshareNet());
    }
    cmd.add(proot.toString());
    if (Emulation.isForeign(spec.platform())) {
      cmd.addAll(List.of("-q", Emulation.qemuStatic(spec.platform()).toString()));
    }
    Path root = spec.prepareRoot();
    List<String> created = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<Path> tmpfsDirs = new ArrayList<>();
    Path hostname = null;
    try {
      RootPaths.ensure(root, spec.workdir(), true, created);
      cmd.addAll(List.of("-r", spec.rootfs().toString(), "-w", spec.workdir()));
      RootPaths.ensure(root, "/proc", true, created);
      RootPaths.ensure(root, "/dev", true, created);
      cmd.addAll(List.of("-b", "/proc", "-b", "/dev"));
      if (spec.uid() == 0 && spec.gid() == 0) {
        cmd.add("-0");
      } else {
        cmd.addAll(List.of("-i", spec.user()));
      }
      if (!spec.groups().isEmpty()) {
        notes.add(
            "proot cannot give a RUN supplementary groups (it fakes only the user and"
                + " group ids): groups "
                + spec.groups()
                + " of /etc/group are left out");
      }
      if (spec.network() == Network.HOST) {
        for (String f : HostFiles.NETWORK_FILES) {
          if (HostFiles.prepare(root, f, created, notes)) {
            cmd.addAll(List.of("-b", f + ":" + f));
          }
        }
      }
      hostname = HostFiles.hostname(root, created);
      if (hostname != null) {
        cmd.addAll(List.of("-b", hostname + ":" + HostFiles.HOSTNAME));
      }
      for (Mount m : spec.mounts()) {
        Path source;
        if (m.isTmpfs()) {
          source = Files.createTempDirectory("slimbuild-tmpfs-");
          tmpfsDirs.add(source);
          RootPaths.ensure(root, m.target(), true, created);
        } else {
          source = m.hostSource();
          RootPaths.ensure(root, m.target(), Files.isDirectory(source), created);
          if (m.readOnly()) {
            notes.add("proot cannot make " + m.target() + " read-only; it is bound writable");
          }
        }
        cmd.addAll(List.of("-b", source + ":" + m.target()));
      }
      cmd.addAll(spec.argv());
      ProcessRunner.Outcome o =
          ProcessRunner.run(spec.command(cmd), Host.envMap(spec.env()), spec.timeout(), out);
      return new RunResult(o.exitCode(), o.timedOut(), created, notes);
    } finally {
      for (Path d : tmpfsDirs) {
        Trees.delete(d);
      }
      if (hostname != null) {
        Files.deleteIfExists(hostname);
      }
    }
  }
}
