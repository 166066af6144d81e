package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.TarFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a RUN line can do to the machine under each sandbox, tried as an attacker would through
 * {@code slimbuild build} (as root: the suite's machines run it so), against the README's table:
 * write outside the rootfs and read a host file planted for the test (through {@code
 * /proc/PID/root} and {@code openat2(2)}, which proot does not translate), mknod and mount, open a
 * {@code /proc/sys} file for writing (never writing it), see and signal a process this test
 * started, reach a loopback listener of this test with {@code --network=none} (also through {@code
 * nsenter -n} into other processes' network namespaces), and keep running after the slimbuild
 * process this test started is killed.
 */
@EnabledIf(
    value = "dev.slimbuild.core.fs.Privileges#isRoot",
    disabledReason = "the table is for root")
class IsolationIT {
  static final List<String> MODES = List.of("bwrap", "chroot", "proot");
  static final String WRITE = "write outside the rootfs";
  static final String READ = "read a host file";
  static final String MKNOD = "mknod or mount";
  static final String PROC_SYS = "write /proc/sys";
  static final String SIGNAL = "see and signal a host process";
  static final String NETWORK = "reach a host loopback listener with --network=none";
  static final String SURVIVE = "keep running after slimbuild is killed";

  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("proot", "bwrap", "gcc");

  @TempDir Path dir;

  /** The isolation table of docs/run.md (the README points there): row -> mode -> yes/no. */
  static Map<String, Map<String, Boolean>> readmeTable() throws IOException {
    Path readme = null;
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md"))
          && Files.isDirectory(p.resolve("builder-core"))) {
        readme = p.resolve("docs/run.md");
        break;
      }
    }
    assertThat(readme).as("the project's docs/run.md").isNotNull();
    List<String> lines = Files.readAllLines(readme);
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("| a RUN can ...")) {
        header = i;
        break;
      }
    }
    assertThat(header).as("the README's isolation table").isNotNegative();
    List<String> modes = cells(lines.get(header)).subList(1, 4);
    assertThat(modes).isEqualTo(MODES);
    Map<String, Map<String, Boolean>> table = new LinkedHashMap<>();
    for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      List<String> c = cells(lines.get(i));
      Map<String, Boolean> row = new HashMap<>();
      for (int m = 0; m < MODES.size(); m++) {
        assertThat(c.get(m + 1)).isIn("yes", "no");
        row.put(MODES.get(m), c.get(m + 1).equals("yes"));
      }
      table.put(c.get(0), row);
    }
    return table;
  }

  private static List<String> cells(String line) {
    List<String> out = new ArrayList<>();
    for (String c : line.substring(1, line.length() - 1).split("\\|")) {
      out.add(c.trim());
    }
    return out;
  }

  /**
   * A static openat2(2) tool: {@code openat2 PATH r} prints PATH, {@code openat2 PATH w T} writes T
   * to it, {@code openat2 NETNS n CMD...} runs CMD in the network namespace NETNS names.
   */
  private static void compileOpenat2(Path ctx) throws Exception {
    Path src = ctx.resolve("openat2.c");
    Files.writeString(
        src,
        """
        #define _GNU_SOURCE
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        #include <sched.h>
        #include <sys/syscall.h>
        #include <linux/openat2.h>
        int main(int argc, char **argv) {
          struct open_how how; memset(&how, 0, sizeof how);
          if (argc > 3 && argv[2][0] == 'n') {
            int ns = syscall(SYS_openat2, AT_FDCWD, argv[1], &how, sizeof how);
            if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) { perror("setns"); return 1; }
            execvp(argv[3], argv + 3); perror("exec"); return 127;
          }
          int w = argc > 2 && argv[2][0] == 'w';
          how.flags = w ? (O_WRONLY | O_CREAT | O_TRUNC) : O_RDONLY; how.mode = w ? 0644 : 0;
          int fd = syscall(SYS_openat2, AT_FDCWD, argv[1], &how, sizeof how);
          if (fd < 0) { perror("openat2"); return 1; }
          if (w) { const char *t = argc > 3 ? argv[3] : "x"; return write(fd, t, strlen(t)) < 0; }
          char buf[4096]; ssize_t n;
          while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
          return 0;
        }
        """);
    Process p =
        new ProcessBuilder(
                "gcc", "-static", "-O2", "-o", ctx.resolve("openat2").toString(), src.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("gcc: " + out).isZero();
    Files.delete(src);
  }

  private BuildFixtures.Run build(Path ctx, Path tmp, String out, String... extra) {
    Map<String, String> env = BuildFixtures.isolatedEnv(dir);
    env.put("TMPDIR", tmp.toString());
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--no-cache",
                "--insecure-registry",
                registry.host(),
                "--progress",
                "plain",
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve(out)));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.run(env, args.toArray(String[]::new));
  }

  @Test
  void whatARunCanReachUnderEachSandboxIsTheReadmesTable() throws Exception {
    Map<String, Map<String, Boolean>> table = readmeTable();
    assertThat(table.keySet())
        .containsExactly(WRITE, READ, MKNOD, PROC_SYS, SIGNAL, NETWORK, SURVIVE);
    Map<String, Map<String, Boolean>> measured = new LinkedHashMap<>();
    for (String mode : MODES) {
      Map<String, Boolean> m = probes(mode);
      m.put(SURVIVE, survives(mode));
      measured.put(mode, m);
    }
    for (String row : table.keySet()) {
      for (String mode : MODES) {
        assertThat(measured.get(mode).get(row))
            .as(mode + ": a RUN can " + row + " (" + measured + ")")
            .isEqualTo(table.get(row).get(mode));
      }
    }
  }

  /** One build per mode whose RUN lines try everything but surviving. */
  private Map<String, Boolean> probes(String mode) throws Exception {
    Path hostDir = Files.createDirectories(dir.resolve("host-" + mode));
    String secret = UUID.randomUUID().toString();
    Files.writeString(hostDir.resolve("secret"), secret + "\n");
    Path ctx = Files.createDirectories(dir.resolve("ctx-" + mode));
    compileOpenat2(ctx);
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "COPY openat2 /bin/openat2\n"
            + "ARG HOSTDIR\nARG VICTIM\nARG PORT\n"
            + "RUN mkdir -p /probes; "
            + "(openat2 $HOSTDIR/secret r; for p in /proc/[0-9]*; do cat $p/root$HOSTDIR/secret; done)"
            + " > /probes/read 2>/dev/null; "
            + "openat2 $HOSTDIR/written w x 2>/dev/null; "
            + "for p in /proc/[0-9]*; do echo x 2>/dev/null > $p/root$HOSTDIR/written; done; "
            + "if mknod /probes/blk b 7 0 2>/dev/null; then echo yes; rm -f /probes/blk;"
            + " elif mkdir -p /probes/mnt && mount -t tmpfs none /probes/mnt 2>/dev/null;"
            + " then echo yes; umount /probes/mnt; else echo no; fi > /probes/mknod; "
            + "rmdir /probes/mnt 2>/dev/null; "
            // opened for appending, nothing written: no sysctl changes (in a subshell: a failed
            // redirection of a special builtin would end the shell)
            + "if (true >> /proc/sys/kernel/domainname) 2>/dev/null; then echo yes; else echo no; fi"
            + " > /probes/procsys; "
            + "if [ -e /proc/$VICTIM ] && kill -TERM $VICTIM 2>/dev/null; then echo yes; else echo no;"
            + " fi > /probes/signal\n"
            + "RUN --network=none echo none | nc -w 2 127.0.0.1 $PORT 2>/dev/null; "
            + "for p in /proc/[0-9]*; do echo nsenter | nsenter -t ${p#/proc/} -n nc -w 2 127.0.0.1"
            + " $PORT; echo setns | openat2 $p/ns/net n nc -w 2 127.0.0.1 $PORT; done 2>/dev/null;"
            + " true\n");
    Process victim = new ProcessBuilder("sleep", "600").start();
    Map<String, Boolean> got = new HashMap<>();
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // counts and closes every connection: nc returns only once its connection is closed, so a
      // RUN's connection is counted before its build ends; the loop ends when the socket closes
      Thread acceptor =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try {
                    Socket s = listener.accept();
                    connections.incrementAndGet();
                    s.close();
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "isolation-listener");
      acceptor.setDaemon(true);
      acceptor.start();
      Path tmp = Files.createDirectories(dir.resolve("tmp-" + mode));
      BuildFixtures.Run r =
          build(
              ctx,
              tmp,
              "out-" + mode,
              "--sandbox",
              mode,
              "--build-arg",
              "HOSTDIR=" + hostDir,
              "--build-arg",
              "VICTIM=" + victim.pid(),
              "--build-arg",
              "PORT=" + listener.getLocalPort());
      assertThat(r.code()).as(mode + ": " + r.err()).isZero();
      long warnings = r.err().lines().filter(l -> l.contains("does not isolate RUN")).count();
      assertThat(warnings)
          .as(mode + ": the warning about what a RUN can reach")
          .isEqualTo(mode.equals("bwrap") ? 0 : 1);
      boolean connected = connections.get() > 0;
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out-" + mode));
      Map<String, TarFile> files = new HashMap<>();
      for (int i = 0; i < image.layers().size(); i++) {
        for (TarFile f : image.layerFiles(i)) {
          files.put(f.name(), f);
        }
      }
      got.put(WRITE, Files.exists(hostDir.resolve("written")));
      got.put(READ, files.get("probes/read").text().contains(secret));
      got.put(MKNOD, files.get("probes/mknod").text().equals("yes\n"));
      got.put(PROC_SYS, files.get("probes/procsys").text().equals("yes\n"));
      got.put(SIGNAL, files.get("probes/signal").text().equals("yes\n"));
      got.put(NETWORK, connected);
      assertThat(Files.readAllLines(Path.of("/proc/self/mounts")))
          .as(mode + ": nothing of the build left mounted")
          .noneMatch(l -> l.contains(dir.toString()));
    } finally {
      victim.destroyForcibly();
      victim.waitFor();
    }
    return got;
  }

  /**
   * Whether a RUN's process outlives the slimbuild process (a child JVM this test starts and kills
   * with SIGKILL); then that the next build removes what the killed one left: its RUN's processes,
   * mounts and work directory.
   */
  private boolean survives(String mode) throws Exception {
    String marker = Integer.toString(7000 + ThreadLocalRandom.current().nextInt(2000));
    Path ctx = Files.createDirectories(dir.resolve("survive-" + mode));
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM " + registry.base() + "\nRUN echo started && sleep " + marker + "\n");
    Path tmp = Files.createDirectories(dir.resolve("survive-tmp-" + mode));
    String javaBin = ProcessHandle.current().info().command().orElseThrow();
    Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "-jar",
                jar.toString(),
                "build",
                "--no-cache",
                "--insecure-registry",
                registry.host(),
                "--sandbox",
                mode,
                "--progress",
                "plain",
                ctx.toString())
            .redirectErrorStream(true);
    pb.environment().putAll(BuildFixtures.isolatedEnv(dir));
    pb.environment().put("TMPDIR", tmp.toString());
    Process p = pb.start();
    List<ProcessHandle> left;
    try {
      List<String> seen = new ArrayList<>();
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          seen.add(line);
          if (line.endsWith("] started")) {
            break;
          }
        }
        assertThat(seen).as(mode + ": build output").anyMatch(l -> l.endsWith("] started"));
        // "started" is echoed before the shell starts the sleep: wait for it, bounded
        for (int i = 0; i < 100 && sleeps(marker).isEmpty(); i++) {
          Thread.sleep(100);
        }
        assertThat(sleeps(marker)).as(mode + ": the RUN's sleep").isNotEmpty();
        p.destroyForcibly(); // SIGKILL to the slimbuild process this test started
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      // --die-with-parent kills at once; bounded wait for the kernel to finish it
      left = sleeps(marker);
      for (int i = 0; i < 100 && !left.isEmpty(); i++) {
        Thread.sleep(100);
        left = sleeps(marker);
      }
    } finally {
      p.destroyForcibly();
    }
    boolean survived = !left.isEmpty();
    // the next build sweeps what the killed one left: processes, mounts, work directories
    Path again = Files.createDirectories(dir.resolve("again-" + mode));
    BuildFixtures.write(again.resolve("Dockerfile"), "FROM " + registry.base() + "\nRUN true\n");
    BuildFixtures.Run r = build(again, tmp, "again-out-" + mode, "--sandbox", mode);
    assertThat(r.code()).as(mode + ": " + r.err()).isZero();
    assertThat(r.err()).as(mode).contains("removed 1 work directory that killed builds left");
    // the sweep ended what the killed build left running (SIGKILL; bounded wait for the exit)
    List<ProcessHandle> still = sleeps(marker);
    for (int i = 0; i < 100 && !still.isEmpty(); i++) {
      Thread.sleep(100);
      still = sleeps(marker);
    }
    still.forEach(ProcessHandle::destroyForcibly); // this test's build's, should the next fail
    assertThat(still).as(mode + ": the killed build's RUN still running after the sweep").isEmpty();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.toList()).as(mode + ": left in " + tmp).isEmpty();
    }
    assertThat(Files.readAllLines(Path.of("/proc/self/mounts")))
        .as(mode + ": mounts left")
        .noneMatch(l -> l.contains(tmp.toString()));
    return survived;
  }

  /** The RUN's {@code sleep MARKER} processes, started by the build this test started. */
  private static List<ProcessHandle> sleeps(String marker) {
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
        .toList();
  }
}
