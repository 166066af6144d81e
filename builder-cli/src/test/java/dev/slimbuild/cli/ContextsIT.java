package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.context.ContextArchive;
import dev.slimbuild.core.image.BusyboxBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every context source of {@code slimbuild build} through the CLI: {@code -f -}, a tar (plain and
 * gzip) on stdin, a git repository ({@code URL#REF:SUBDIR}, a local bare repository served by
 * {@code file://}), each {@code --build-context} form against the registry on loopback, and the
 * errors, each one line naming what was looked for. Results are read from the OCI layout each build
 * writes.
 */
class ContextsIT {
  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("git");

  @TempDir Path dir;

  private Map<String, String> env() {
    return BuildFixtures.isolatedEnv(dir.resolve("home"));
  }

  private BuildFixtures.Run cli(String... args) {
    return BuildFixtures.run(env(), args);
  }

  private BuildFixtures.Run cliWithStdin(byte[] stdin, String... args) {
    return BuildFixtures.runWithStdin(env(), stdin, args);
  }

  /** {@code build -o type=oci,dest=DIR/NAME ARGS...}. */
  private String[] build(String name, String... args) {
    List<String> all =
        new ArrayList<>(List.of("build", "--progress=quiet", "-o", "type=oci,dest=" + out(name)));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private Path out(String name) {
    return dir.resolve("out").resolve(name);
  }

  /** The files of the image built into {@code out(name)}, by path. */
  private Map<String, BuildFixtures.TarFile> files(String name) throws IOException {
    return BuildFixtures.image(layoutDir(out(name))).rootfs();
  }

  /** An OCI output as a directory (extracted if a later --output writes a tarball). */
  private Path layoutDir(Path layout) throws IOException {
    if (Files.isDirectory(layout)) {
      return layout;
    }
    Path d = Files.createDirectories(dir.resolve("unpacked-" + layout.getFileName()));
    try (InputStream in = Files.newInputStream(layout)) {
      ContextArchive.extract(in, d, layout.toString());
    }
    return d;
  }

  private static String text(Map<String, BuildFixtures.TarFile> fs, String path) {
    assertThat(fs).containsKey(path);
    return fs.get(path).text();
  }

  /** Nothing a build fetched or unpacked stays in TMPDIR. */
  private void assertNoTemporaryLeft() throws IOException {
    Path tmp = dir.resolve("home/tmp");
    if (!Files.isDirectory(tmp)) {
      return;
    }
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(
              n ->
                  n.startsWith("slimbuild-git-")
                      || n.startsWith("slimbuild-stdin-")
                      || n.startsWith("slimbuild-dockerfile-"));
    }
  }

  private static void assertOneLineError(BuildFixtures.Run r, String... parts) {
    BuildFixtures.assertInputError(r);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    for (String p : parts) {
      assertThat(r.err()).contains(p);
    }
  }

  private Path context(String name, Map<String, String> files) throws IOException {
    Path ctx = dir.resolve(name);
    for (Map.Entry<String, String> f : files.entrySet()) {
      BuildFixtures.write(ctx.resolve(f.getKey()), f.getValue());
    }
    Files.createDirectories(ctx);
    return ctx;
  }

  private static byte[] tar(Map<String, String> files) throws IOException {
    List<Archives.Entry> entries = new ArrayList<>();
    files.forEach((name, text) -> entries.add(Archives.file(name, 0644, text)));
    return Archives.tar(entries);
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  // ---- -f - and - ----

  @Test
  void dockerfileFromStdin() throws Exception {
    Path ctx = context("ctx", Map.of("a.txt", "alpha\n"));
    byte[] df = "FROM scratch\nCOPY a.txt /a.txt\n".getBytes(StandardCharsets.UTF_8);
    BuildFixtures.Run r = cliWithStdin(df, build("stdin-df", "-f", "-", ctx.toString()));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(text(files("stdin-df"), "a.txt")).isEqualTo("alpha\n");

    // a Dockerfile error names it as docker does
    BuildFixtures.Run bad =
        cliWithStdin(
            "FROM scratch\nCOPPY a b\n".getBytes(StandardCharsets.UTF_8),
            build("bad", "-f", "-", ctx.toString()));
    assertOneLineError(bad, "Dockerfile:2: unknown instruction: COPPY");
    BuildFixtures.Run both = cliWithStdin(df, build("both", "-f", "-", "-"));
    assertOneLineError(both, "cannot both come from stdin");
    assertNoTemporaryLeft();
  }

  @Test
  void tarContextOnStdinPlainAndGzip() throws Exception {
    byte[] plain =
        tar(
            Map.of(
                "Dockerfile", "FROM scratch\nCOPY . /ctx/\n",
                "a.txt", "alpha\n",
                "sub/alt.Dockerfile", "FROM scratch\nCOPY sub/b.txt /b.txt\n",
                "sub/b.txt", "beta\n"));
    BuildFixtures.Run r = cliWithStdin(plain, build("tar", "-"));
    assertThat(r.code()).as(r.err()).isZero();
    var fs = files("tar");
    assertThat(text(fs, "ctx/a.txt")).isEqualTo("alpha\n");
    assertThat(text(fs, "ctx/sub/b.txt")).isEqualTo("beta\n");

    // gzip, and -f naming a file inside the tar
    BuildFixtures.Run gz = cliWithStdin(gzip(plain), build("tgz", "-f", "sub/alt.Dockerfile", "-"));
    assertThat(gz.code()).as(gz.err()).isZero();
    assertThat(files("tgz")).containsOnlyKeys("b.txt");
    assertThat(text(files("tgz"), "b.txt")).isEqualTo("beta\n");

    // stdin that is no tar is the Dockerfile, with an empty context
    BuildFixtures.Run df =
        cliWithStdin(
            "FROM scratch\nLABEL from=stdin\n".getBytes(StandardCharsets.UTF_8),
            build("df-only", "-"));
    assertThat(df.code()).as(df.err()).isZero();
    assertThat(
            BuildFixtures.image(layoutDir(out("df-only")))
                .config()
                .get("config")
                .get("Labels")
                .get("from")
                .asText())
        .isEqualTo("stdin");

    // the tar holds no Dockerfile; -f names one too; nothing at all on stdin
    assertOneLineError(
        cliWithStdin(tar(Map.of("a.txt", "x")), build("x", "-")),
        "Dockerfile not found: no Dockerfile in the tar on stdin");
    assertOneLineError(
        cliWithStdin(plain, build("x", "-f", "sub/nope", "-")),
        "Dockerfile not found: no sub/nope in the tar on stdin");
    assertOneLineError(
        cliWithStdin(
            "FROM scratch\n".getBytes(StandardCharsets.UTF_8), build("x", "-f", "Dockerfile", "-")),
        "stdin holds a Dockerfile",
        "-f Dockerfile");
    assertOneLineError(cliWithStdin(new byte[0], build("x", "-")), "stdin is empty");
    assertOneLineError(
        cliWithStdin(tar(Map.of("../evil", "x")), build("x", "-")),
        "entry '../evil' refused: '../evil' leads out of the context");
    assertNoTemporaryLeft();
  }

  @Test
  void tarContextThroughTheLaunchersRealStdin() throws Exception {
    Path tgz = dir.resolve("ctx.tar.gz");
    Files.write(
        tgz,
        gzip(
            tar(
                Map.of(
                    "Dockerfile",
                    "FROM scratch\nCOPY a.txt /piped.txt\n",
                    "a.txt",
                    "through a pipe\n"))));
    List<String> cmd = new ArrayList<>(List.of("env"));
    env().forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.addAll(
        List.of(
            "JAVA=" + ProcessHandle.current().info().command().orElseThrow(),
            "SLIMBUILD_CDS=0",
            "sh",
            "-c",
            "cat \"$1\" | \"$2\" build -q -o type=oci,dest=\"$3\" -",
            "sh",
            tgz.toString(),
            Path.of("target/slimbuild").toAbsolutePath().toString(),
            out("piped").toString()));
    BuildToolsIT.Result r = BuildToolsIT.exec(dir, 300, cmd);
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.out()).startsWith("sha256:");
    assertThat(text(files("piped"), "piped.txt")).isEqualTo("through a pipe\n");
  }

  // ---- git ----

  /** A bare repository: main (v.txt "one", tag v1), feature (v.txt "two"); the first commit. */
  private record Repo(String url, String firstCommit) {}

  private Repo gitRepository() throws Exception {
    Path work = dir.resolve("git-work");
    Files.createDirectories(work);
    git(work, "init", "-q", "-b", "main");
    BuildFixtures.write(work.resolve("app/Dockerfile"), "FROM scratch\nCOPY . /src/\n");
    BuildFixtures.write(work.resolve("app/v.txt"), "one\n");
    BuildFixtures.write(work.resolve("README"), "root\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "one");
    git(work, "tag", "-a", "v1", "-m", "v1");
    String first = git(work, "rev-parse", "HEAD").strip();
    git(work, "checkout", "-q", "-b", "feature");
    BuildFixtures.write(work.resolve("app/v.txt"), "two\n");
    git(work, "commit", "-q", "-am", "two");
    git(work, "checkout", "-q", "main");
    Path bare = dir.resolve("repo.git");
    git(dir, "clone", "-q", "--bare", work.toString(), bare.toString());
    return new Repo("file://" + bare, first);
  }

  private static String git(Path cwd, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "git",
                "-c",
                "user.name=test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "init.defaultBranch=main"));
    cmd.addAll(List.of(args));
    BuildToolsIT.Result r = BuildToolsIT.exec(cwd, 60, cmd);
    assertThat(r.code()).as(String.join(" ", cmd) + ": " + r.all()).isZero();
    return r.out();
  }

  @Test
  void gitContextsAtABranchATagACommitAndHead() throws Exception {
    Repo repo = gitRepository();
    String[][] cases = {
      {"tag", repo.url() + "#v1:app", "one\n"},
      {"branch", repo.url() + "#feature:app", "two\n"},
      {"commit", repo.url() + "#" + repo.firstCommit() + ":app", "one\n"},
      {"short-commit", repo.url() + "#" + repo.firstCommit().substring(0, 10) + ":app", "one\n"},
    };
    for (String[] c : cases) {
      BuildFixtures.Run r = cli(build(c[0], c[1]));
      assertThat(r.code()).as(c[0] + ": " + r.err()).isZero();
      var fs = files(c[0]);
      assertThat(text(fs, "src/v.txt")).as(c[0]).isEqualTo(c[2]);
      assertThat(fs).as(c[0]).doesNotContainKey("src/README").doesNotContainKey("src/.git");
    }
    // no fragment: the remote's HEAD, its root the context; -f relative is inside it
    BuildFixtures.Run head = cli(build("head", "-f", "app/Dockerfile", repo.url()));
    assertThat(head.code()).as(head.err()).isZero();
    assertThat(text(files("head"), "src/app/v.txt")).isEqualTo("one\n");
    assertThat(text(files("head"), "src/README")).isEqualTo("root\n");
    // the same commit gives the same image
    BuildFixtures.Run again = cli(build("tag-again", repo.url() + "#v1:app"));
    assertThat(again.digest()).isEqualTo(cli(build("tag-3", repo.url() + "#v1:app")).digest());
    assertNoTemporaryLeft();
  }

  @Test
  void gitErrorsAreOneLineNamingTheUrl() throws Exception {
    Repo repo = gitRepository();
    String unknown = repo.url() + "#nope:app";
    assertOneLineError(
        cli(build("x", unknown)),
        "git context " + unknown + ":",
        "no branch, tag or commit 'nope'");
    String noDir = repo.url() + "#v1:missing";
    assertOneLineError(
        cli(build("x", noDir)), "git context " + noDir + ":", "no directory missing in v1");
    String gone = "file://" + dir.resolve("no-such-repo.git");
    assertOneLineError(
        cli(build("x", gone)), "git context " + gone + ":", "cannot read the repository");
    assertOneLineError(
        cli(build("x", "-f", "nope/Dockerfile", repo.url())),
        "Dockerfile not found: no nope/Dockerfile in the git context " + repo.url());
    Map<String, String> noGit = env();
    noGit.put("PATH", Files.createDirectories(dir.resolve("empty-bin")).toString());
    BuildFixtures.Run missing = BuildFixtures.run(noGit, build("x", repo.url()));
    assertOneLineError(missing, "a git context needs the 'git' command");
    assertOneLineError(
        cli(build("x", "https://example.com/context.tar.gz")),
        "build context https://example.com/context.tar.gz: not supported");
    assertNoTemporaryLeft();
  }

  // ---- --build-context ----

  @Test
  void aDirectoryForCopyFromKeyedOnItsContent() throws Exception {
    Path ctx =
        context(
            "ctx",
            Map.of(
                "Dockerfile",
                "FROM scratch AS assets\nCOPY never-read /x\n"
                    + "FROM scratch\nCOPY --from=assets a.txt /a.txt\nCOPY --from=assets sub /sub\n"));
    Path assets =
        context(
            "assets",
            Map.of(
                "a.txt",
                "one\n",
                "sub/b.txt",
                "bee\n",
                ".dockerignore",
                "sub/ignored\n",
                "sub/ignored",
                "no\n"));
    BuildFixtures.Run r =
        cli(build("copy1", "--build-context", "assets=" + assets, ctx.toString()));
    assertThat(r.code()).as(r.err()).isZero();
    var fs = files("copy1");
    // the stage of that name is replaced (its COPY of a missing file never runs)
    assertThat(text(fs, "a.txt")).isEqualTo("one\n");
    assertThat(text(fs, "sub/b.txt")).isEqualTo("bee\n");
    assertThat(fs).doesNotContainKey("sub/ignored"); // the context's own .dockerignore
    // a changed file changes the key: the COPY runs again, without --no-cache
    BuildFixtures.write(assets.resolve("a.txt"), "two\n");
    BuildFixtures.Run r2 =
        cli(build("copy2", "--build-context", "assets=" + assets, ctx.toString()));
    assertThat(r2.code()).as(r2.err()).isZero();
    assertThat(text(files("copy2"), "a.txt")).isEqualTo("two\n");
    assertThat(r2.digest()).isNotEqualTo(r.digest());
  }

  @Test
  void aDirectoryAsFromAndAsRunMount() throws Exception {
    BusyboxBase.requireTool("bwrap", "bubblewrap");
    Path assets = context("assets", Map.of("a.txt", "alpha\n"));
    Path ctx =
        context(
            "ctx",
            Map.of(
                "b.txt",
                "beta\n",
                "Dockerfile",
                "FROM assets AS files\nCOPY b.txt /b.txt\n"
                    + "FROM "
                    + registry.base()
                    + "\n"
                    + "RUN --mount=from=assets,target=/m cat /m/a.txt > /mounted.txt\n"
                    + "COPY --from=files / /files/\n"));
    BuildFixtures.Run r =
        cli(build("from-dir", "--build-context", "assets=" + assets, ctx.toString()));
    assertThat(r.code()).as(r.err()).isZero();
    var fs = files("from-dir");
    assertThat(text(fs, "mounted.txt")).isEqualTo("alpha\n");
    assertThat(text(fs, "files/a.txt")).isEqualTo("alpha\n");
    assertThat(text(fs, "files/b.txt")).isEqualTo("beta\n");
  }

  @Test
  void aDockerImageReplacesTheImageOfItsName() throws Exception {
    Path ctx =
        context(
            "ctx",
            Map.of(
                "a.txt",
                "alpha\n",
                "Dockerfile",
                "FROM alpine AS app\nCOPY a.txt /a.txt\n"
                    + "FROM scratch\nCOPY --from=alpine /bin/busybox /\n"));
    BuildFixtures.Run r =
        cli(
            build(
                "image",
                "--platform",
                "linux/arm64",
                "--build-context",
                "alpine=docker-image://" + registry.base(),
                "--target",
                "app",
                ctx.toString()));
    assertThat(r.code()).as(r.err()).isZero();
    BuildFixtures.Image img = BuildFixtures.image(layoutDir(out("image")));
    assertThat(img.config().get("architecture").asText()).isEqualTo("arm64");
    // the base's layers, as the registry holds them for arm64, then the COPY's
    List<String> base = layers(registryManifest("linux/arm64"));
    assertThat(layers(img.manifest()).subList(0, base.size())).isEqualTo(base);
    assertThat(img.rootfs()).containsKey("bin/busybox");
    assertThat(text(img.rootfs(), "a.txt")).isEqualTo("alpha\n");
    // COPY --from=alpine reads the same image
    BuildFixtures.Run last =
        cli(
            build(
                "image-copy",
                "--platform",
                "linux/arm64",
                "--build-context",
                "docker.io/library/alpine:latest=docker-image://" + registry.base(),
                ctx.toString()));
    assertThat(last.code()).as(last.err()).isZero();
    assertThat(files("image-copy")).containsKey("busybox");
  }

  private JsonNode registryManifest(String platform) throws IOException {
    try (var r = registry.client()) {
      JsonNode index = BuildFixtures.JSON.readTree(r.getManifest("base/busybox", "1").bytes());
      for (JsonNode m : index.get("manifests")) {
        JsonNode p = m.get("platform");
        if ((p.get("os").asText() + "/" + p.get("architecture").asText()).equals(platform)) {
          return BuildFixtures.JSON.readTree(
              r.getManifest("base/busybox", m.get("digest").asText()).bytes());
        }
      }
    }
    throw new AssertionError("no " + platform + " in the base");
  }

  private static List<String> layers(JsonNode manifest) {
    List<String> out = new ArrayList<>();
    manifest.get("layers").forEach(l -> out.add(l.get("digest").asText()));
    return out;
  }

  @Test
  void anOciLayoutFromAnEarlierBuildPicksThePlatform() throws Exception {
    Path first =
        context(
            "first",
            Map.of(
                "a.txt",
                "from the layout\n",
                "Dockerfile",
                "FROM " + registry.base() + "\nCOPY a.txt /layout-a.txt\n"));
    BuildFixtures.Run r =
        cli(
            build(
                "layout",
                "--platform",
                "linux/amd64,linux/arm64",
                "-t",
                "app:1",
                first.toString()));
    assertThat(r.code()).as(r.err()).isZero();
    Path layout = layoutDir(out("layout"));
    Path second =
        context(
            "second", Map.of("b.txt", "beta\n", "Dockerfile", "FROM base\nCOPY b.txt /b.txt\n"));
    for (String spec : List.of(":1", "", "@" + r.digest())) {
      String name = "from-layout" + spec.replaceAll("[^a-z0-9]", "");
      BuildFixtures.Run b =
          cli(
              build(
                  name,
                  "--platform",
                  "linux/arm64",
                  "--build-context",
                  "base=oci-layout://" + layout + spec,
                  second.toString()));
      assertThat(b.code()).as(spec + ": " + b.err()).isZero();
      BuildFixtures.Image img = BuildFixtures.image(layoutDir(out(name)));
      assertThat(img.config().get("architecture").asText()).isEqualTo("arm64");
      var fs = img.rootfs();
      assertThat(text(fs, "layout-a.txt")).isEqualTo("from the layout\n");
      assertThat(text(fs, "b.txt")).isEqualTo("beta\n");
      assertThat(fs).containsKey("bin/busybox");
      // the arm64 base layers under the COPY of the first build
      List<String> base = layers(registryManifest("linux/arm64"));
      assertThat(layers(img.manifest()).subList(0, base.size())).isEqualTo(base);
    }
    assertOneLineError(
        cli(build("x", "--build-context", "base=oci-layout://" + layout + ":2", second.toString())),
        "no image tagged '2' in " + layout + " (it has: 1)");
  }

  @Test
  void badBuildContextsAreClearErrors() throws Exception {
    Path ctx = context("ctx", Map.of("Dockerfile", "FROM scratch\nCOPY --from=assets a /a\n"));
    String missing = dir.resolve("nope").toString();
    assertOneLineError(
        cli(build("x", "--build-context", "assets=" + missing, ctx.toString())),
        "--build-context assets=" + missing + ": no such directory (looked for " + missing + ")");
    assertOneLineError(
        cli(build("x", "--build-context", "assets", ctx.toString())), "expected NAME=VALUE");
    assertOneLineError(
        cli(
            build(
                "x",
                "--build-context",
                "assets=" + ctx,
                "--build-context",
                "assets=" + ctx,
                ctx.toString())),
        "the name is given twice");
    // COPY --from a file the named directory does not have
    assertOneLineError(
        cli(build("x", "--build-context", "assets=" + ctx, ctx.toString())),
        "Dockerfile:2:",
        "\"a\": not found");
    // docker-image:// of an image the registry does not have
    Path from = context("from", Map.of("Dockerfile", "FROM base\n"));
    assertOneLineError(
        cli(
            build(
                "x",
                "--build-context",
                "base=docker-image://" + registry.host() + "/no/such:1",
                from.toString())),
        "Dockerfile:1:",
        "--build-context base=docker-image://" + registry.host() + "/no/such:1");
  }

  // ---- missing context or Dockerfile ----

  @Test
  void aMissingContextOrDockerfileNamesThePathLookedFor() throws Exception {
    Path missing = dir.resolve("no-such-dir");
    assertOneLineError(
        cli(build("x", missing.toString())),
        "build context " + missing + ": no such directory (looked for " + missing + ")");
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertOneLineError(cli(build("x", file.toString())), "not a directory");
    Path empty = context("empty", Map.of());
    assertOneLineError(
        cli(build("x", empty.toString())),
        "Dockerfile not found: Dockerfile (looked for " + empty.resolve("Dockerfile") + ")");
    assertOneLineError(
        cli(build("x", "-f", "nope", empty.toString())),
        "Dockerfile not found: nope (looked for " + Path.of("nope").toAbsolutePath() + ")");
    // docker's fallback: a lower-case dockerfile when there is no Dockerfile
    BuildFixtures.write(empty.resolve("dockerfile"), "FROM scratch\nLABEL lower=1\n");
    BuildFixtures.Run lower = cli(build("lower", empty.toString()));
    assertThat(lower.code()).as(lower.err()).isZero();
  }
}
