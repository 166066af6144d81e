package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildToolsIT.exec;
import static dev.slimbuild.cli.BuildToolsIT.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every buildx {@code --output} type, {@code --load} and the push check before the build, through
 * the CLI, each result read by a tool slimbuild does not include (skopeo, GNU tar, podman) or by
 * the registry.
 */
class ExportIT {
  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");

  @TempDir Path dir;

  /** A base file deleted, a file added and one made by RUN: what the merged files must show. */
  private Path context() throws IOException {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "COPY a.txt /app/a.txt\n"
            + "RUN rm /etc/group && mkdir -p /made && echo made > /made/file"
            + " && ln /app/a.txt /made/hard && ln -s ../app/a.txt /made/soft"
            + " && mkdir /made/shared && chmod 1777 /made/shared\n");
    BuildFixtures.write(ctx.resolve("a.txt"), "alpha\n");
    return ctx;
  }

  /** A context with {@code a.txt} ("alpha") and this Dockerfile. */
  private Path copyContext(String name, String dockerfile) throws IOException {
    Path ctx = dir.resolve(name);
    BuildFixtures.write(ctx.resolve("Dockerfile"), dockerfile);
    BuildFixtures.write(ctx.resolve("a.txt"), "alpha\n");
    return ctx;
  }

  private Run cli(String... args) {
    return BuildFixtures.run(env(), args);
  }

  private Map<String, String> env() {
    return BuildFixtures.isolatedEnv(dir.resolve("home"));
  }

  private static List<String> tarNames(Path tar) throws Exception {
    String listing =
        new String(
            ok(tar.getParent(), "tar", "-tf", tar.toString()).stdout(), StandardCharsets.UTF_8);
    return listing.lines().map(l -> l.replaceAll("/$", "")).toList();
  }

  @Test
  void everyFileAndArchiveOutputInOneBuild() throws Exception {
    Path out = dir.resolve("out");
    Run r =
        cli(
            "build",
            "--progress",
            "plain",
            "-t",
            "example.test/app:1",
            "-o",
            "type=oci,dest=" + out.resolve("image.oci.tar"),
            "-o",
            "type=oci,tar=false,dest=" + out.resolve("layout"),
            "-o",
            "type=docker,dest=" + out.resolve("image.docker.tar"),
            "-o",
            "type=tar,dest=" + out.resolve("files.tar"),
            "-o",
            "type=local,dest=" + out.resolve("files"),
            "--metadata-file",
            out.resolve("meta.json").toString(),
            context().toString());
    assertThat(r.code()).as(r.err()).isZero();
    String digest = r.digest();
    assertThat(r.err())
        .contains("wrote oci output to " + out.resolve("image.oci.tar"))
        .contains("wrote local output to " + out.resolve("files"));

    // an OCI tarball, as buildx writes it: skopeo reads the same manifest from it
    byte[] raw =
        ok(dir, "skopeo", "inspect", "--raw", "oci-archive:" + out.resolve("image.oci.tar"))
            .stdout();
    assertThat(Digest.sha256Of(raw).toString()).isEqualTo(digest);
    assertThat(tarNames(out.resolve("image.oci.tar")))
        .startsWith("oci-layout", "index.json", "blobs", "blobs/sha256");
    byte[] rawDir = ok(dir, "skopeo", "inspect", "--raw", "oci:" + out.resolve("layout")).stdout();
    assertThat(Digest.sha256Of(rawDir).toString()).isEqualTo(digest);
    String docker =
        new String(
            ok(dir, "skopeo", "inspect", "docker-archive:" + out.resolve("image.docker.tar"))
                .stdout(),
            StandardCharsets.UTF_8);
    assertThat(docker).contains("\"Architecture\": \"amd64\"");

    // the image's files: the base's, the COPY's and the RUN's, the deleted one gone, no whiteouts
    List<String> names = tarNames(out.resolve("files.tar"));
    assertThat(names)
        .contains("etc/passwd", "bin/busybox", "app/a.txt", "made/file", "made/hard", "made/soft")
        .doesNotContain("etc/group");
    assertThat(names).noneMatch(n -> n.contains(".wh."));
    Path extracted = Files.createDirectories(dir.resolve("extracted"));
    ok(dir, "tar", "-xf", out.resolve("files.tar").toString(), "-C", extracted.toString());
    Path files = out.resolve("files");
    assertThat(listTree(files)).isEqualTo(listTree(extracted));
    assertThat(Files.readString(files.resolve("app/a.txt"))).isEqualTo("alpha\n");
    assertThat(Files.getAttribute(files.resolve("made/shared"), "unix:mode"))
        .as("the sticky bit kept")
        .isEqualTo(041777);
    // files are made as any new file is (0666 less the umask), not 0600 as a temporary file
    Path probe = Files.write(out.resolve("probe"), new byte[0]);
    assertThat(Files.getPosixFilePermissions(out.resolve("image.oci.tar")))
        .isEqualTo(Files.getPosixFilePermissions(probe));
    assertThat(Files.readString(files.resolve("made/file"))).isEqualTo("made\n");
    assertThat(Files.readSymbolicLink(files.resolve("made/soft"))).hasToString("../app/a.txt");
    assertThat(Files.getAttribute(files.resolve("made/hard"), "unix:ino"))
        .isEqualTo(Files.getAttribute(files.resolve("app/a.txt"), "unix:ino"));
    assertThat(Files.exists(files.resolve("etc/group"))).isFalse();
    assertThat(Files.readString(out.resolve("meta.json"))).contains(digest);

    // the same build again: every output byte for byte the same
    Run again =
        cli(
            "build",
            "--progress",
            "quiet",
            "-t",
            "example.test/app:1",
            "-o",
            "type=oci,dest=" + dir.resolve("again.tar"),
            "-o",
            "type=tar,dest=" + dir.resolve("again-files.tar"),
            context().toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(Files.mismatch(dir.resolve("again.tar"), out.resolve("image.oci.tar")))
        .isEqualTo(-1);
    assertThat(Files.mismatch(dir.resolve("again-files.tar"), out.resolve("files.tar")))
        .isEqualTo(-1);
  }

  private static List<String> listTree(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(
          p -> {
            String rel = root.relativize(p).toString();
            String kind = Files.isSymbolicLink(p) ? "l" : Files.isDirectory(p) ? "d" : "f";
            try {
              // the mode as GNU tar (as root) extracts it: setuid, setgid and sticky bits too
              out.add(
                  rel
                      + " "
                      + kind
                      + (kind.equals("l")
                          ? ""
                          : " "
                              + Integer.toOctalString(
                                  (Integer)
                                          Files.getAttribute(
                                              p, "unix:mode", LinkOption.NOFOLLOW_LINKS)
                                      & 07777)));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    out.sort(null);
    return out;
  }

  @Test
  void shorthandsAndStandardOutput() throws Exception {
    Path ctx = copyContext("plain", "FROM scratch\nCOPY a.txt /a.txt\n");

    // -o DIR is type=local
    Run local =
        cli("build", "--progress", "quiet", "-o", dir.resolve("as-dir").toString(), ctx.toString());
    assertThat(local.code()).as(local.err()).isZero();
    assertThat(Files.readString(dir.resolve("as-dir/a.txt"))).isEqualTo("alpha\n");

    // -o - is a tar of the files on standard output, and nothing else is printed there
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new String[] {"build", "--progress", "plain", "-o", "-", ctx.toString()},
            new PrintWriter(out),
            new PrintWriter(err),
            env(),
            new Main.Stdio(new ByteArrayInputStream(new byte[0]), stdout));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEmpty();
    Map<String, String> entries = tarEntries(new ByteArrayInputStream(stdout.toByteArray()));
    assertThat(entries).containsEntry("a.txt", "alpha\n");

    // type=oci,dest=- too
    ByteArrayOutputStream oci = new ByteArrayOutputStream();
    code =
        Main.run(
            new String[] {"build", "--progress", "quiet", "-o", "type=oci,dest=-", ctx.toString()},
            new PrintWriter(out),
            new PrintWriter(err),
            env(),
            new Main.Stdio(new ByteArrayInputStream(new byte[0]), oci));
    assertThat(code).as(err.toString()).isZero();
    assertThat(tarEntries(new ByteArrayInputStream(oci.toByteArray())))
        .containsKeys("oci-layout", "index.json");
  }

  private static Map<String, String> tarEntries(InputStream in) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        out.put(
            e.getName(), e.isFile() ? new String(tar.readAllBytes(), StandardCharsets.UTF_8) : "");
      }
    }
    return out;
  }

  @Test
  void severalPlatformsGetADirectoryEach() throws Exception {
    Path ctx = copyContext("multi", "FROM " + registry.base() + "\nCOPY a.txt /a.txt\n");
    Run r =
        cli(
            "build",
            "--progress",
            "quiet",
            "--platform",
            "linux/amd64,linux/arm64",
            "-o",
            "type=local,dest=" + dir.resolve("multi-out"),
            "-o",
            "type=tar,dest=" + dir.resolve("multi.tar"),
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    for (String p : List.of("linux_amd64", "linux_arm64")) {
      assertThat(Files.readString(dir.resolve("multi-out").resolve(p).resolve("a.txt")))
          .isEqualTo("alpha\n");
      assertThat(dir.resolve("multi-out").resolve(p).resolve("bin/busybox")).exists();
    }
    String amd =
        ok(dir, "file", "-L", dir.resolve("multi-out/linux_amd64/bin/busybox").toString()).all();
    String arm =
        ok(dir, "file", "-L", dir.resolve("multi-out/linux_arm64/bin/busybox").toString()).all();
    assertThat(amd).contains("x86-64");
    assertThat(arm).contains("aarch64");
    assertThat(tarNames(dir.resolve("multi.tar")))
        .contains("linux_amd64/a.txt", "linux_arm64/a.txt");
  }

  @Test
  void registryAndImageOutputsPush() throws Exception {
    Path ctx = copyContext("push", "FROM " + registry.base() + "\nCOPY a.txt /a.txt\n");
    Run r =
        cli(
            "build",
            "--progress",
            "quiet",
            "-t",
            registry.host() + "/out/reg:1",
            "-o",
            "type=registry",
            "-o",
            "type=image,\"name="
                + registry.host()
                + "/out/img:1,"
                + registry.host()
                + "/out/img:2\",push=true",
            "-o",
            "type=image,name=local.test/kept:1",
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    try (Registry client = registry.client()) {
      for (String[] ref : new String[][] {{"out/reg", "1"}, {"out/img", "1"}, {"out/img", "2"}}) {
        RawManifest m = client.getManifest(ref[0], ref[1]);
        assertThat(m.digest().toString()).isEqualTo(r.digest());
      }
    }
    Run images = cli("images");
    assertThat(images.out()).contains("local.test/kept:1");
  }

  @Test
  void anUnreachablePushTargetFailsBeforeTheBuild() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Run r =
        cli(
            "build",
            "--progress",
            "plain",
            "-t",
            "127.0.0.1:" + closed + "/app:1",
            "--push",
            context().toString());
    BuildFixtures.assertInputError(r);
    assertThat(r.err())
        .contains("cannot push to 127.0.0.1:" + closed + "/app")
        .contains("checked before building")
        .doesNotContain("RUN rm");
    assertThat(dir.resolve("home/store/cache/steps")).doesNotExist();
  }

  @Test
  void refusedPushCredentialsFailBeforeTheBuild() throws Exception {
    try (RegistryServer tls = RegistryServer.tlsWithBasicAuth("ci", "s3cret-pass")) {
      Path config = Files.createDirectories(dir.resolve("docker"));
      String badAuth =
          Base64.getEncoder().encodeToString("ci:wrong-pass".getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          config.resolve("config.json"),
          "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + badAuth + "\"}}}");
      Map<String, String> env = env();
      env.put("DOCKER_CONFIG", config.toString());
      Run r =
          BuildFixtures.run(
              env,
              "build",
              "--progress",
              "plain",
              "-t",
              tls.host() + "/secure/app:1",
              "--push",
              "--registry-ca",
              tls.caFile().toString(),
              context().toString());
      BuildFixtures.assertInputError(r);
      assertThat(r.err())
          .contains("checked before building")
          .contains("authentication failed for " + tls.host())
          .doesNotContain("RUN rm")
          .doesNotContain("wrong-pass")
          .doesNotContain(badAuth);
      assertThat(dir.resolve("home/store/cache/steps")).doesNotExist();
    }
  }

  @Test
  void loadWithoutDockerOrPodmanSaysWhatToDoInstead() throws Exception {
    Map<String, String> env = env();
    env.put("PATH", Files.createDirectories(dir.resolve("empty-bin")).toString());
    Run r = BuildFixtures.run(env, "build", "--progress", "plain", "--load", context().toString());
    BuildFixtures.assertInputError(r);
    assertThat(r.err())
        .contains("--load needs docker or podman on PATH")
        .contains("--output type=docker,dest=FILE")
        .doesNotContain("RUN rm");
  }

  @Test
  void loadPipesTheImageIntoPodman() throws Exception {
    BusyboxBase.requireTool("podman", "podman");
    Path storage = dir.resolve("podman");
    Path conf = dir.resolve("storage.conf");
    Files.writeString(
        conf,
        "[storage]\ndriver = \"vfs\"\nrunroot = \""
            + storage.resolve("run")
            + "\"\ngraphroot = \""
            + storage.resolve("graph")
            + "\"\n");
    Map<String, String> env = env();
    env.put("PATH", System.getenv("PATH"));
    env.put("CONTAINERS_STORAGE_CONF", conf.toString());
    Files.createDirectories(Path.of(env.get("TMPDIR")));
    Path ctx = copyContext("load", "FROM " + registry.base() + "\nCOPY a.txt /a.txt\n");
    Run r =
        BuildFixtures.run(
            env, "build", "--progress", "plain", "-t", "load.test/app:1", "--load", ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("podman load:");
    BuildToolsIT.Result images =
        exec(
            dir,
            120,
            List.of(
                "env",
                "CONTAINERS_STORAGE_CONF=" + conf,
                "podman",
                "images",
                "--format",
                "{{.Repository}}:{{.Tag}}"));
    assertThat(images.code()).as(images.all()).isZero();
    assertThat(new String(images.stdout(), StandardCharsets.UTF_8)).contains("load.test/app:1");
    BuildToolsIT.Result history =
        exec(
            dir,
            120,
            List.of(
                "env",
                "CONTAINERS_STORAGE_CONF=" + conf,
                "podman",
                "image",
                "inspect",
                "--format",
                "{{.Architecture}} {{len .RootFS.Layers}}",
                "load.test/app:1"));
    assertThat(history.code()).as(history.all()).isZero();
    assertThat(new String(history.stdout(), StandardCharsets.UTF_8).trim()).isEqualTo("amd64 2");
  }

  @Test
  void aCheckoutGivesItsCommitTimeAndTheStandardAnnotations() throws Exception {
    Path repo =
        copyContext(
            "repo", "FROM " + registry.base() + " AS base\nFROM base\n" + "COPY a.txt /a.txt\n");
    Map<String, String> gitEnv =
        Map.of(
            "GIT_COMMITTER_DATE",
            "2024-03-01T12:00:00Z",
            "GIT_AUTHOR_DATE",
            "2024-03-01T12:00:00Z");
    for (String[] cmd :
        new String[][] {
          {"git", "init", "-q"},
          {"git", "remote", "add", "origin", "https://user:pw@git.example.test/team/app.git"},
          {"git", "add", "."},
          {"git", "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", "x"}
        }) {
      List<String> full = new ArrayList<>(List.of("env"));
      gitEnv.forEach((k, v) -> full.add(k + "=" + v));
      full.addAll(List.of(cmd));
      ok(repo, full.toArray(String[]::new));
    }
    String commit =
        new String(ok(repo, "git", "rev-parse", "HEAD").stdout(), StandardCharsets.UTF_8).trim();
    Run r =
        cli(
            "build",
            "--progress",
            "quiet",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("git-out"),
            repo.toString());
    assertThat(r.code()).as(r.err()).isZero();
    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("git-out"));
    assertThat(image.config().get("created").asText()).isEqualTo("2024-03-01T12:00:00Z");
    var annotations = image.manifest().get("annotations");
    assertThat(annotations.get("org.opencontainers.image.created").asText())
        .isEqualTo("2024-03-01T12:00:00Z");
    assertThat(annotations.get("org.opencontainers.image.revision").asText()).isEqualTo(commit);
    assertThat(annotations.get("org.opencontainers.image.source").asText())
        .isEqualTo("https://git.example.test/team/app.git"); // no credentials
    assertThat(annotations.get("org.opencontainers.image.base.name").asText())
        .isEqualTo(registry.base());
    assertThat(annotations.get("org.opencontainers.image.base.digest").asText())
        .startsWith("sha256:");
    // the same commit again: the same digest; --created epoch: SOURCE_DATE_EPOCH's time
    Run again =
        cli(
            "build",
            "--progress",
            "quiet",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("git-again"),
            repo.toString());
    assertThat(again.digest()).isEqualTo(r.digest());
    Run epoch =
        cli(
            "build",
            "--progress",
            "quiet",
            "--created",
            "epoch",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("epoch-out"),
            repo.toString());
    assertThat(epoch.code()).as(epoch.err()).isZero();
    assertThat(BuildFixtures.image(dir.resolve("epoch-out")).config().get("created").asText())
        .isEqualTo("1970-01-01T00:00:00Z");
    Run notACheckout =
        cli(
            "build",
            "--created",
            "git",
            copyContext("plain-git", "FROM scratch\nCOPY a.txt /a.txt\n").toString());
    BuildFixtures.assertInputError(notACheckout);
    assertThat(notACheckout.err()).contains("--created git:").contains("not in a git checkout");
    Run bad = cli("build", "--created", "yesterday", repo.toString());
    BuildFixtures.assertInputError(bad);
    assertThat(bad.err()).contains("invalid --created 'yesterday'");
  }

  @Test
  void badOutputsAreClearErrorsBeforeTheBuild() throws Exception {
    Path ctx = context();
    Files.createDirectories(dir.resolve("a-dir"));
    String[][] cases = {
      {"type=oci,dest=" + dir.resolve("a-dir"), "is a directory"},
      {"type=zip,dest=x", "unknown type 'zip'"},
      {"type=local", "needs dest=DIR"},
      {"type=registry", "needs a name"},
      {"type=oci,dest=x,colour=red", "unknown key 'colour'"},
      {"type=local,dest=-", "use type=tar,dest=- for standard output"},
    };
    for (String[] c : cases) {
      Run r = cli("build", "--progress", "plain", "-o", c[0], ctx.toString());
      BuildFixtures.assertInputError(r);
      assertThat(r.err()).as(c[0]).contains(c[1]).doesNotContain("RUN rm");
    }
    Run two = cli("build", "-o", "-", "-o", "type=oci,dest=-", ctx.toString());
    BuildFixtures.assertInputError(two);
    assertThat(two.err()).contains("only one --output can write to standard output");
  }
}
