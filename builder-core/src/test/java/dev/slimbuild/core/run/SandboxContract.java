package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every sandbox must do, run against a real busybox rootfs. */
abstract class SandboxContract {
  static final Platform AMD64 = Platform.of("linux", "amd64", null);
  static final List<String> ENV = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin");

  @TempDir Path tmp;
  Path rootfs;

  abstract Sandbox sandbox();

  /** Whether read-only binds are enforced (proot cannot). */
  boolean enforcesReadOnly() {
    return true;
  }

  @BeforeEach
  void rootfs() throws Exception {
    rootfs = BusyboxRootfs.create("amd64", tmp.resolve("rootfs"));
  }

  /** Output lines of one run, per stream. */
  static final class Lines implements OutputSink {
    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();

    @Override
    public void line(Stream stream, String line) {
      (stream == Stream.STDOUT ? out : err).add(line);
    }
  }

  RunSpec sh(String script) {
    return RunSpec.of(rootfs, List.of("sh", "-c", script), AMD64).withEnv(ENV);
  }

  RunResult run(RunSpec spec, Lines lines) throws Exception {
    RunResult r = sandbox().run(spec, lines);
    assertThat(BusyboxRootfs.mountsUnder(rootfs)).as("mounts left under the rootfs").isEmpty();
    return r;
  }

  @Test
  void exitCodeIsPropagated() throws Exception {
    Lines lines = new Lines();
    RunResult r = run(sh("exit 3"), lines);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.timedOut()).isFalse();
    assertThat(run(sh("true"), lines).exitCode()).isZero();
  }

  @Test
  void stdoutAndStderrLinesArriveInOrder() throws Exception {
    Lines lines = new Lines();
    RunResult r =
        run(
            sh("for i in 1 2 3 4 5 6 7 8 9; do echo out$i; echo err$i >&2; done; printf tail"),
            lines);
    assertThat(r.exitCode()).isZero();
    assertThat(lines.out)
        .containsExactly(
            "out1", "out2", "out3", "out4", "out5", "out6", "out7", "out8", "out9", "tail");
    assertThat(lines.err)
        .containsExactly("err1", "err2", "err3", "err4", "err5", "err6", "err7", "err8", "err9");
  }

  @Test
  void envAndWorkdirAreApplied() throws Exception {
    Lines lines = new Lines();
    List<String> env = new ArrayList<>(ENV);
    env.add("FOO=bar baz");
    RunResult r =
        run(sh("pwd; echo \"$FOO\"; env | sort").withEnv(env).withWorkdir("/work/dir"), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out.subList(0, 2)).containsExactly("/work/dir", "bar baz");
    assertThat(lines.out).contains("FOO=bar baz").noneMatch(l -> l.startsWith("JAVA_HOME="));
    assertThat(r.createdPaths()).contains("work", "work/dir");
    assertThat(rootfs.resolve("work/dir")).isDirectory();
  }

  @Test
  void userIsApplied() throws Exception {
    Lines lines = new Lines();
    RunResult r = run(sh("id -u; id -g").withUser(1000, 1001), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).containsExactly("1000", "1001");
    Lines root = new Lines();
    run(sh("id -u; id -g"), root);
    assertThat(root.out).containsExactly("0", "0");
  }

  @Test
  void filesWrittenLandInTheRootfs() throws Exception {
    Lines lines = new Lines();
    RunResult r = run(sh("mkdir -p /opt/app && echo hello > /opt/app/file"), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(Files.readString(rootfs.resolve("opt/app/file"))).isEqualTo("hello\n");
  }

  @Test
  void hostNameResolutionFilesAreBoundAndReported() throws Exception {
    Lines lines = new Lines();
    RunResult r = run(sh("cat /etc/hosts"), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).isEqualTo(Files.readAllLines(Path.of("/etc/hosts")));
    assertThat(r.createdPaths()).contains("etc", "etc/hosts");
    assertThat(rootfs.resolve("etc/hosts")).isEmptyFile();
  }

  @Test
  void anImageWithoutEtcHostnameGetsOneNamingTheHostTheRunSees() throws Exception {
    Files.deleteIfExists(rootfs.resolve("etc/hostname"));
    Lines lines = new Lines();
    RunResult r = run(sh("cat /etc/hostname; hostname; echo changed > /etc/hostname"), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).hasSize(2);
    assertThat(lines.out.get(0)).isNotBlank().isEqualTo(lines.out.get(1));
    assertThat(r.createdPaths()).contains("etc/hostname");
    // the bound file took the write: the image's mount point stays empty
    assertThat(rootfs.resolve("etc/hostname")).isEmptyFile();
  }

  @Test
  void networkNoneHasOnlyLoopback() throws Exception {
    Lines lines = new Lines();
    RunResult r = run(sh("cat /proc/net/dev").withNetwork(Network.NONE), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    List<String> interfaces = lines.out.stream().skip(2).map(l -> l.trim().split(":")[0]).toList();
    assertThat(interfaces).containsExactly("lo");
  }

  @Test
  void bindMountsAreVisibleAndReadOnlyWhenAsked() throws Exception {
    Path ro = Files.createDirectories(tmp.resolve("ro"));
    Files.writeString(ro.resolve("data"), "from host\n");
    Path rw = Files.createDirectories(tmp.resolve("rw"));
    Lines lines = new Lines();
    RunSpec spec =
        sh("cat /mnt/ro/data; echo new > /cache/out; if touch /mnt/ro/x 2>/dev/null; then echo"
                + " writable; else echo refused; fi")
            .withMounts(List.of(Mount.bind(ro, "/mnt/ro", true), Mount.bind(rw, "/cache", false)));
    RunResult r = run(spec, lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(Files.readString(rw.resolve("out"))).isEqualTo("new\n");
    assertThat(rootfs.resolve("cache")).isEmptyDirectory();
    assertThat(r.createdPaths()).contains("mnt", "mnt/ro", "cache");
    if (enforcesReadOnly()) {
      assertThat(lines.out).containsExactly("from host", "refused");
      assertThat(ro.resolve("x")).doesNotExist();
    } else {
      assertThat(lines.out).startsWith("from host");
      assertThat(r.notes()).anyMatch(n -> n.contains("/mnt/ro") && n.contains("read-only"));
    }
  }

  /**
   * What a RUN's secrets need: an environment value on no command line of the machine (any user may
   * read those; bwrap gets the environment through a pipe), and an agent's socket bound as a
   * socket. The RUN waits on a FIFO while the test looks at every process's command line.
   */
  @Test
  void anEnvironmentValueIsOnNoCommandLineAndASocketBindsAsOne() throws Exception {
    String value = "env-value-" + UUID.randomUUID();
    Path ready = fifo("ready");
    Path go = fifo("go");
    Path socket = tmp.resolve("agent.sock");
    try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      agent.bind(UnixDomainSocketAddress.of(socket));
      List<String> env = new ArrayList<>(ENV);
      env.add("SECRET_VALUE=" + value);
      RunSpec spec =
          sh("echo ready > /run/ready; read x < /run/go; test -S /run/agent.sock"
                  + " && echo socket; echo ${#SECRET_VALUE}")
              .withEnv(env)
              .withMounts(
                  List.of(
                      Mount.bind(ready, "/run/ready", false),
                      Mount.bind(go, "/run/go", false),
                      Mount.bind(socket, "/run/agent.sock", false)));
      Lines lines = new Lines();
      CompletableFuture<RunResult> result =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return run(spec, lines);
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              });
      // a RUN that ends before it wrote: a writer of our own (opened read-write, which never
      // waits for a reader) ends the read below, which then finds nothing
      var unused =
          result.whenComplete(
              (r, e) -> {
                try (FileChannel unblock =
                    FileChannel.open(ready, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                  unblock.force(false);
                } catch (IOException ignored) {
                  // nothing to unblock
                }
              });
      assertThat(Files.readAllLines(ready)).containsExactly("ready");
      assertThat(
              ProcessHandle.allProcesses()
                  .map(h -> h.info().commandLine().orElse(""))
                  .filter(c -> c.contains(value))
                  .toList())
          .isEmpty();
      Files.writeString(go, "go\n");
      RunResult r = result.join();
      assertThat(r.exitCode()).as(lines.err.toString()).isZero();
      assertThat(lines.out).containsExactly("socket", Integer.toString(value.length()));
    }
  }

  private Path fifo(String name) throws Exception {
    Path f = tmp.resolve(name);
    Process p = new ProcessBuilder("mkfifo", f.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor()).isZero();
    return f;
  }

  @Test
  void tmpfsMountStartsEmptyAndIsGoneAfter() throws Exception {
    Files.createDirectories(rootfs.resolve("scratch"));
    Files.writeString(rootfs.resolve("scratch/hidden"), "x");
    Lines lines = new Lines();
    RunResult r =
        run(
            sh("ls -A /scratch | wc -l; echo t > /scratch/f; cat /scratch/f")
                .withMounts(List.of(Mount.tmpfs("/scratch"))),
            lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).containsExactly("0", "t");
    assertThat(rootfs.resolve("scratch")).isDirectoryContaining(p -> p.endsWith("hidden"));
    assertThat(rootfs.resolve("scratch/f")).doesNotExist();
  }

  @Test
  void timeoutKillsTheWholeTree() throws Exception {
    String marker = Integer.toString(3000 + ThreadLocalRandom.current().nextInt(500));
    Lines lines = new Lines();
    RunResult r =
        run(
            sh("sleep " + marker + " & echo started; sleep " + marker)
                .withTimeout(Duration.ofSeconds(2)),
            lines);
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(lines.out).containsExactly("started");
    assertThat(
            ProcessHandle.allProcesses()
                .filter(
                    h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .toList())
        .as("sleeps left running")
        .isEmpty();
  }
}
