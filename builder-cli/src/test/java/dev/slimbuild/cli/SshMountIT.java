package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.TarFile;
import dev.slimbuild.core.fs.Privileges;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --ssh} and {@code RUN --mount=type=ssh} for real, with every sandbox this machine has: a
 * bare git repository served by an {@code sshd} on loopback (its own host key and configuration,
 * run as the test's user), a key that only an ssh-agent holds (its file deleted once added), and a
 * RUN that clones the repository over ssh with {@code git} and {@code ssh} of the image. The image
 * is Debian 12 (debootstrap, as {@link DebianRunIT}) with Debian's {@code git} and {@code
 * openssh-client} installed by a slimbuild RUN from Debian's archive and pushed to the registry on
 * loopback; no other network is used.
 */
class SshMountIT {
  private static final long START_SECONDS = 60;

  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.debian().tools("git", "ssh-agent");

  private static String gitBase;
  private static Process sshd;
  private static Process agent;
  private static Path agentSocket;
  private static Path fileKey;
  private static String fileKeyText;
  private static String url;

  @TempDir static Path shared;

  @TempDir Path dir;

  @BeforeAll
  static void startSshdAgentRegistryAndBase() throws Exception {
    Path sshdBin = Path.of("/usr/sbin/sshd"); // not on a user's PATH; sshd wants it absolute
    if (!Files.isExecutable(sshdBin)) {
      throw new IllegalStateException(
          sshdBin
              + " is not installed (Debian package openssh-server;"
              + " scripts/install-test-deps.sh installs it)");
    }
    gitBase = registry.host() + "/base/debian-git:12";
    Path baseCtx = shared.resolve("base-ctx");
    BuildFixtures.write(
        baseCtx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client"
            + " && rm -rf /var/lib/apt/lists/*\n");
    BuildFixtures.Run base =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(shared.resolve("base")),
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            "-t",
            gitBase,
            "--push",
            baseCtx.toString());
    assertThat(base.code()).as(base.err()).isZero();

    // the repository: one commit of hello.txt, bare
    Path work = shared.resolve("work");
    Files.createDirectories(work);
    Files.writeString(work.resolve("hello.txt"), "hello over ssh\n");
    BuildToolsIT.ok(work, "git", "init", "-q", "-b", "main");
    BuildToolsIT.ok(work, "git", "add", "hello.txt");
    BuildToolsIT.ok(
        work,
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "commit",
        "-q",
        "-m",
        "one");
    Path repo = shared.resolve("repo.git");
    BuildToolsIT.ok(shared, "git", "clone", "-q", "--bare", work.toString(), repo.toString());

    // keys: the host's, one only the agent will hold, one given to the build as a file
    Path agentKey = shared.resolve("agent_key");
    fileKey = shared.resolve("file_key");
    for (String[] key :
        new String[][] {
          {"host_key", "host"}, {"agent_key", "agent-only"}, {"file_key", "file-key"}
        }) {
      BuildToolsIT.ok(
          shared,
          "ssh-keygen",
          "-q",
          "-t",
          "ed25519",
          "-N",
          "",
          "-C",
          key[1],
          "-f",
          shared.resolve(key[0]).toString());
    }
    fileKeyText = Files.readString(fileKey);
    Files.writeString(
        shared.resolve("authorized_keys"),
        Files.readString(shared.resolve("agent_key.pub"))
            + Files.readString(shared.resolve("file_key.pub")));

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config = shared.resolve("sshd_config");
    Files.writeString(
        config,
        "ListenAddress 127.0.0.1:"
            + port
            + "\n"
            + "HostKey "
            + shared.resolve("host_key")
            + "\n"
            + "AuthorizedKeysFile "
            + shared.resolve("authorized_keys")
            + "\n"
            + "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            + "UsePAM no\nPidFile none\nPermitRootLogin prohibit-password\n");
    if (Privileges.isRoot()) {
      // sshd as root needs its privilege separation directory (the package makes it at boot)
      Files.createDirectories(Path.of("/run/sshd"));
    }
    sshd =
        new ProcessBuilder(sshdBin.toString(), "-D", "-e", "-f", config.toString())
            .redirectErrorStream(true)
            .start();
    awaitLine(sshd, "Server listening on 127.0.0.1 port " + port, shared.resolve("sshd.log"));

    agentSocket = shared.resolve("agent.sock");
    agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", agentSocket.toString())
            .redirectErrorStream(true)
            .start();
    awaitLine(agent, "SSH_AUTH_SOCK=", shared.resolve("agent.log"));
    ProcessBuilder add =
        new ProcessBuilder("ssh-add", "-q", agentKey.toString())
            .directory(shared.toFile())
            .redirectErrorStream(true);
    add.environment().put("SSH_AUTH_SOCK", agentSocket.toString());
    Process p = add.start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(said).isZero();
    Files.delete(agentKey); // from now on only the agent holds it

    String user = System.getProperty("user.name");
    url = "ssh://" + user + "@127.0.0.1:" + port + repo;
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : new Process[] {agent, sshd}) {
      if (p != null) {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Waits for {@code p} to print a line starting with {@code start} (sshd once it listens, the
   * agent once its socket does), its output kept draining into {@code log} after that.
   */
  private static void awaitLine(Process p, String start, Path log) throws Exception {
    CountDownLatch seen = new CountDownLatch(1);
    Thread drain =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  Files.writeString(
                      log,
                      line + "\n",
                      StandardCharsets.UTF_8,
                      StandardOpenOption.CREATE,
                      StandardOpenOption.APPEND);
                  if (line.startsWith(start)) {
                    seen.countDown();
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              seen.countDown();
            },
            "ssh-test-drain");
    drain.setDaemon(true);
    drain.start();
    assertThat(seen.await(START_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(p.isAlive()).as(() -> log + ": " + read(log)).isTrue();
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  static List<String> sandboxes() {
    return SecretMountIT.sandboxes();
  }

  /** The ssh command git uses in the RUNs: the sshd's port, no known hosts, never a prompt. */
  private static String gitSsh() {
    return "GIT_SSH_COMMAND='ssh -o BatchMode=yes -o StrictHostKeyChecking=no"
        + " -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'";
  }

  private BuildFixtures.Run build(Map<String, String> env, String dockerfile, String... extra)
      throws IOException {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(ctx.resolve("Dockerfile"), "FROM " + gitBase + "\n" + dockerfile);
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
                "type=oci,tar=false,dest=" + dir.resolve("out")));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.runIn(dir, env, args.toArray(String[]::new));
  }

  /** The files the build's own layers hold (Debian's and the git base's left out), by name. */
  private static Map<String, TarFile> ownFiles(BuildFixtures.Image image) throws IOException {
    return SecretMountIT.files(image, 2);
  }

  @ParameterizedTest
  @MethodSource("sandboxes")
  void aRunClonesOverSshWithTheAgentsKeyAndKeepsNoTraceOfIt(String sandbox) throws Exception {
    BuildFixtures.Run r =
        build(
            Map.of("SSH_AUTH_SOCK", agentSocket.toString()),
            "RUN --mount=type=ssh "
                + gitSsh()
                + " git clone -q "
                + url
                + " /src"
                + " && ssh-add -l | cut -d' ' -f3- > /src/agent.txt"
                + " && find \"$SSH_AUTH_SOCK\" -maxdepth 0 -printf '%m %U %y\\n' > /src/sock.txt"
                + " && echo \"$SSH_AUTH_SOCK\" >> /src/sock.txt && rm -rf /src/.git\n"
                + "RUN test -z \"$SSH_AUTH_SOCK\" && test ! -e /run/buildkit/ssh_agent.0"
                + " && ("
                + gitSsh()
                + " git clone -q "
                + url
                + " /again 2>/dev/null"
                + " && echo cloned || echo refused) > /second.txt\n",
            "--sandbox",
            sandbox,
            "--ssh",
            "default");
    assertThat(r.code()).as(r.err()).isZero();

    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    Map<String, TarFile> files = ownFiles(image);
    assertThat(files.get("src/hello.txt").text()).isEqualTo("hello over ssh\n");
    assertThat(files.get("src/agent.txt").text()).isEqualTo("agent-only (ED25519)\n");
    // BuildKit's socket: the first ssh mount's default target, 0600, root's
    assertThat(files.get("src/sock.txt").text()).isEqualTo("600 0 s\n/run/buildkit/ssh_agent.0\n");
    // without the mount, the RUN has no agent and the server refuses it
    assertThat(files.get("second.txt").text()).isEqualTo("refused\n");
    assertThat(files.keySet()).noneMatch(n -> n.equals("run") || n.startsWith("run/"));
    assertThat(BuildFixtures.texts(image.config().get("config").get("Env")))
        .noneMatch(e -> e.startsWith("SSH_AUTH_SOCK="));
    assertThat(r.out() + r.err() + image.config()).doesNotContain(agentSocket.toString());
    SecretMountIT.assertEmpty(dir.resolve("tmp"));
  }

  @ParameterizedTest
  @MethodSource("sandboxes")
  void aKeyFileIsHeldByAnAgentOfTheBuildKilledWhenItEnds(String sandbox) throws Exception {
    BuildFixtures.Run r =
        build(
            Map.of(),
            "RUN --mount=type=ssh,id=deploy,target=/tmp/agent.sock,mode=0666 "
                + gitSsh()
                + " git clone -q "
                + url
                + " /src && ssh-add -l | cut -d' ' -f3- > /src/agent.txt"
                + " && find \"$SSH_AUTH_SOCK\" -maxdepth 0 -printf '%m %y\\n' > /src/sock.txt"
                + " && echo \"$SSH_AUTH_SOCK\" >> /src/sock.txt && rm -rf /src/.git\n",
            "--sandbox",
            sandbox,
            "--ssh",
            "deploy=" + fileKey);
    assertThat(r.code()).as(r.err()).isZero();

    Map<String, TarFile> files = ownFiles(BuildFixtures.image(dir.resolve("out")));
    assertThat(files.get("src/hello.txt").text()).isEqualTo("hello over ssh\n");
    assertThat(files.get("src/agent.txt").text()).isEqualTo("file-key (ED25519)\n");
    assertThat(files.get("src/sock.txt").text()).isEqualTo("666 s\n/tmp/agent.sock\n");
    assertThat(files.keySet()).doesNotContain("tmp/agent.sock");
    // the build's agent is gone (it ran with a socket under the build's TMPDIR)
    String tmp = dir.resolve("tmp").toString();
    assertThat(
            ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(tmp))
                .map(h -> h.info().commandLine().orElse(""))
                .toList())
        .isEmpty();
    // and the key is nowhere but in its own file
    assertThat(SecretScan.filesHolding(dir, fileKeyText.getBytes(StandardCharsets.UTF_8), Set.of()))
        .isEmpty();
    assertThat(r.out() + r.err()).doesNotContain(fileKeyText);
  }

  @Test
  void aBuildWithoutPrivilegesForwardsAnAgentToo() throws Exception {
    Path shared = SecretMountIT.nobodysDir();
    try {
      Path key = shared.resolve("deploy_key"); // nobody's own copy: ssh-add wants it private
      Files.copy(fileKey, key);
      Files.setAttribute(key, "unix:uid", SecretMountIT.NOBODY);
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      Path ctx = shared.resolve("ctx");
      BuildFixtures.write(
          ctx.resolve("Dockerfile"),
          "FROM "
              + gitBase
              + "\n"
              + "RUN --mount=type=ssh,id=deploy "
              + gitSsh()
              + " git clone -q "
              + url
              + " /src"
              + " && rm -rf /src/.git\n");
      for (String sandbox : List.of("bwrap", "proot")) {
        Path out = shared.resolve("out-" + sandbox);
        BuildToolsIT.Result r =
            SecretMountIT.asNobody(
                shared,
                Map.of(),
                "build",
                "--no-cache",
                "--insecure-registry",
                registry.host(),
                "--sandbox",
                sandbox,
                "--progress",
                "plain",
                "--ssh",
                "deploy=" + key,
                "-o",
                "type=oci,tar=false,dest=" + out,
                ctx.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.all()).contains("in a user namespace");
        assertThat(ownFiles(BuildFixtures.image(out)).get("src/hello.txt").text())
            .isEqualTo("hello over ssh\n");
      }
      SecretMountIT.assertEmpty(shared.resolve("tmp"));
    } finally {
      BuildToolsIT.exec(Path.of("/tmp"), "rm", "-rf", shared.toString());
    }
  }

  @Test
  void anAgentTheBuildLacksIsSkippedUnlessRequired() throws Exception {
    BuildFixtures.Run r =
        build(
            Map.of(),
            "RUN --mount=type=ssh,id=absent test ! -e /run/buildkit/ssh_agent.0"
                + " && echo \"$SSH_AUTH_SOCK\" > /sock.txt\n");
    assertThat(r.code()).as(r.err()).isZero();
    // as in BuildKit, SSH_AUTH_SOCK names the mount's target whether or not it is there
    assertThat(ownFiles(BuildFixtures.image(dir.resolve("out"))).get("sock.txt").text())
        .isEqualTo("/run/buildkit/ssh_agent.0\n");

    r = build(Map.of(), "RUN --mount=type=ssh,id=absent,required true\n");
    BuildFixtures.assertInputError(r);
    assertThat(r.err())
        .contains(
            "Dockerfile:2: RUN --mount=type=ssh,id=absent,required: the build"
                + " has no ssh agent 'absent' (give --ssh absent for $SSH_AUTH_SOCK, or --ssh"
                + " absent=SOCKET|KEYFILE)");
  }

  @Test
  void aKeyTheAgentRefusesIsAnErrorBeforeAnyWork() throws Exception {
    Path notAKey = dir.resolve("not-a-key");
    Files.writeString(notAKey, "this is not a private key\n");
    Files.setPosixFilePermissions(notAKey, PosixFilePermissions.fromString("rw-------"));
    BuildFixtures.Run r = build(Map.of(), "RUN echo never\n", "--ssh", "deploy=" + notAKey);
    BuildFixtures.assertInputError(r);
    // ssh-add's own words (which depend on its version) follow on the same line
    assertThat(r.err())
        .contains(
            "--ssh deploy="
                + notAKey
                + ": ssh-add could not load the key ("
                + "Error loading key \""
                + notAKey
                + "\"");
    assertThat(r.err()).doesNotContain("never");
  }
}
