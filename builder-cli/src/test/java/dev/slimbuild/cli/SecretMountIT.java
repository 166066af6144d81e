package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.TarFile;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Build secrets through the CLI ({@code --secret}, {@code RUN --mount=type=secret}) with every
 * sandbox this machine has, from the busybox base in a real registry: a RUN reads a secret from a
 * file and one from the environment (as a file and as an environment variable), and the secrets'
 * values are then looked for, and not found, in every file the build left: the image's blobs
 * (layers decompressed), the store with its cache records, the run cache, the metadata file, the
 * temporary directory, and the build's output.
 */
class SecretMountIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.busybox();

  @TempDir Path dir;

  /** Each sandbox with each way RUN gets its root filesystem (an overlay, a copy). */
  static List<Arguments> sandboxesAndRootfs() {
    List<Arguments> out = new ArrayList<>();
    for (String sandbox : sandboxes()) {
      out.add(Arguments.of(sandbox, "auto"));
      out.add(Arguments.of(sandbox, "copy"));
    }
    return out;
  }

  /** The sandboxes this machine has: bwrap and proot when installed, chroot as root. */
  static List<String> sandboxes() {
    List<String> out = new ArrayList<>();
    if (onPath("bwrap")) {
      out.add("bwrap");
    }
    if (Privileges.isRoot()) {
      out.add("chroot");
    }
    if (onPath("proot")) {
      out.add("proot");
    }
    assertThat(out).as("no sandbox on this machine").isNotEmpty();
    return out;
  }

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private BuildFixtures.Run build(Map<String, String> extraEnv, Path ctx, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--insecure-registry",
                registry.host(),
                "--progress",
                "plain",
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve("out"),
                "--metadata-file",
                dir.resolve("metadata.json").toString()));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.runIn(dir, extraEnv, args.toArray(String[]::new));
  }

  private Path context(String dockerfile) throws IOException {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\n" + dockerfile);
    return ctx;
  }

  private static String sha256(String s) {
    return Digest.sha256Of(s.getBytes(StandardCharsets.UTF_8)).hex();
  }

  /** The files of the layers above the base's one, by name, the later layer's entry winning. */
  private static Map<String, TarFile> files(BuildFixtures.Image image) throws IOException {
    return files(image, 1);
  }

  /** The files of layers {@code from} and up, by name, the later layer's entry winning. */
  static Map<String, TarFile> files(BuildFixtures.Image image, int from) throws IOException {
    Map<String, TarFile> m = new HashMap<>();
    for (int i = from; i < image.layers().size(); i++) {
      for (TarFile f : image.layerFiles(i)) {
        m.put(f.name(), f);
      }
    }
    return m;
  }

  /** Nothing is left in {@code tmp}, a build's TMPDIR: its secret files went with their RUNs. */
  static void assertEmpty(Path tmp) throws IOException {
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.toList()).as("left in " + tmp).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("sandboxesAndRootfs")
  void aSecretReachesItsRunAndNothingElse(String sandbox, String rootfs) throws Exception {
    String fromFile = "file-secret-" + UUID.randomUUID();
    String fromEnv = "env-secret-" + UUID.randomUUID();
    Path secretFile = dir.resolve("token.txt");
    Files.writeString(secretFile, fromFile);
    Path ctx =
        context(
            "RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | cut -c1-64 > /tok.sha"
                + " && stat -c '%a %u' /run/secrets/tok > /tok.stat\n"
                + "RUN --mount=type=secret,id=api,env=API_TOKEN,target=/tmp/api"
                + " printf %s \"$API_TOKEN\" | sha256sum | cut -c1-64 > /api.sha"
                + " && sha256sum /tmp/api | cut -c1-64 >> /api.sha\n"
                + "RUN --mount=type=secret,id=api,env=ONLY_ENV,uid=1000,mode=0440"
                + " printf %s \"$ONLY_ENV\" | sha256sum | cut -c1-64 > /env.sha"
                + " && test ! -e /run/secrets/api\n"
                + "RUN --mount=type=secret,id=absent,env=ABSENT test ! -e /run/secrets/absent"
                + " && test -z \"$ABSENT\" && echo skipped > /skipped\n"
                + "RUN --mount=type=secret,id=tok,target=/etc/tok,mode=0444,uid=1000,gid=1000"
                + " stat -c '%a %u %g' /etc/tok > /tok2.stat && cat /etc/tok | sha256sum | cut -c1-64"
                + " >> /tok2.stat\n"
                + "RUN test ! -e /run/secrets/tok && test -z \"$API_TOKEN$ONLY_ENV\""
                + " && test ! -s /tmp/api && echo gone > /gone\n");
    BuildFixtures.Run r =
        build(
            Map.of("MY_API", fromEnv),
            ctx,
            "--no-cache",
            "--sandbox",
            sandbox,
            "--run-rootfs",
            rootfs,
            "--secret",
            "id=tok,src=" + secretFile,
            "--secret",
            "id=api,env=MY_API");
    assertThat(r.code()).as(r.err()).isZero();

    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    Map<String, TarFile> files = files(image);
    assertThat(files.get("tok.sha").text().trim()).isEqualTo(sha256(fromFile));
    assertThat(files.get("tok.stat").text().trim()).isEqualTo("400 0");
    assertThat(files.get("api.sha").text().trim().split("\n"))
        .containsExactly(sha256(fromEnv), sha256(fromEnv));
    assertThat(files.get("env.sha").text().trim()).isEqualTo(sha256(fromEnv));
    assertThat(files).containsKeys("skipped", "gone");
    if (!sandbox.equals("proot")) { // proot fakes only the RUN's own ids: files show as its user's
      assertThat(files.get("tok2.stat").text().trim().split("\n"))
          .containsExactly("444 1000 1000", sha256(fromFile));
    }
    // no mount point is left in a layer (not /run/secrets, not the file bound over /tmp/api, not
    // /tmp or /etc they were made in): each RUN's layer holds what it wrote, and nothing else
    List<List<String>> written =
        List.of(
            List.of("tok.sha", "tok.stat"),
            List.of("api.sha"),
            List.of("env.sha"),
            List.of("skipped"),
            List.of("tok2.stat"),
            List.of("gone"));
    assertThat(image.layers().size()).isEqualTo(1 + written.size());
    for (int i = 0; i < written.size(); i++) {
      assertThat(image.layerFiles(i + 1))
          .extracting(TarFile::name)
          .containsExactlyInAnyOrderElementsOf(written.get(i));
    }

    // the values are nowhere: not in the output, its config and history, the store and its cache
    // records, the run cache, the metadata file, what the build printed
    assertThat(Files.readString(dir.resolve("metadata.json"))).isNotEmpty();
    // the scan finds what is there: the secret's own file, a hash inside a compressed layer
    assertThat(SecretScan.filesHolding(dir, fromFile.getBytes(StandardCharsets.UTF_8), Set.of()))
        .containsExactly(secretFile);
    assertThat(
            SecretScan.filesHolding(
                dir.resolve("out"), sha256(fromFile).getBytes(StandardCharsets.UTF_8), Set.of()))
        .isNotEmpty();
    for (String secret : List.of(fromFile, fromEnv)) {
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      assertThat(SecretScan.filesHolding(dir, bytes, Set.of(secretFile))).isEmpty();
      assertThat(r.out() + r.err()).doesNotContain(secret);
    }
    // the config with its history (also searched above, as its blob)
    assertThat(image.config().toString()).doesNotContain(fromFile).doesNotContain(fromEnv);
    // the files the secrets were written to went with the RUNs
    assertEmpty(dir.resolve("tmp"));
  }

  @Test
  void aBuildWithoutPrivilegesMountsSecretsToo() throws Exception {
    String fromFile = "nobody-file-" + UUID.randomUUID();
    String fromEnv = "nobody-env-" + UUID.randomUUID();
    Path shared = nobodysDir();
    try {
      Path secretFile = shared.resolve("token.txt");
      Files.writeString(secretFile, fromFile);
      Files.setAttribute(secretFile, "unix:uid", NOBODY);
      Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
      Path ctx = shared.resolve("ctx");
      BuildFixtures.write(
          ctx.resolve("Dockerfile"),
          "FROM "
              + registry.base()
              + "\n"
              + "RUN --mount=type=secret,id=tok --mount=type=secret,id=api,env=API"
              + " sha256sum /run/secrets/tok | cut -c1-64 > /tok.sha"
              + " && printf %s \"$API\" | sha256sum | cut -c1-64 > /api.sha\n");
      for (String sandbox : List.of("bwrap", "proot")) {
        Path out = shared.resolve("out-" + sandbox);
        BuildToolsIT.Result r =
            asNobody(
                shared,
                Map.of("MY_API", fromEnv),
                "build",
                "--no-cache",
                "--insecure-registry",
                registry.host(),
                "--sandbox",
                sandbox,
                "--progress",
                "plain",
                "--secret",
                "id=tok,src=" + secretFile,
                "--secret",
                "id=api,env=MY_API",
                "-o",
                "type=oci,tar=false,dest=" + out,
                ctx.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.all())
            .contains("in a user namespace")
            .doesNotContain(fromFile)
            .doesNotContain(fromEnv);
        Map<String, TarFile> files = files(BuildFixtures.image(out));
        assertThat(files.get("tok.sha").text().trim()).isEqualTo(sha256(fromFile));
        assertThat(files.get("api.sha").text().trim()).isEqualTo(sha256(fromEnv));
      }
      assertEmpty(shared.resolve("tmp"));
      for (String secret : List.of(fromFile, fromEnv)) {
        assertThat(
                SecretScan.filesHolding(
                    shared, secret.getBytes(StandardCharsets.UTF_8), Set.of(secretFile)))
            .isEmpty();
      }
    } finally {
      BuildToolsIT.exec(Path.of("/tmp"), "rm", "-rf", shared.toString());
    }
  }

  static final int NOBODY = 65534;

  /** A directory nobody (65534) can use: not under the test's 0700 temporary directory. */
  static Path nobodysDir() throws IOException {
    Path shared = Files.createTempDirectory(Path.of("/tmp"), "slimbuild-nobody-");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    return shared;
  }

  /**
   * The CLI's jar run as nobody with {@code shared}'s store, home and temporary directory and
   * {@code extraEnv}, nothing else of this process's environment.
   */
  static BuildToolsIT.Result asNobody(Path shared, Map<String, String> extraEnv, String... args)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
    assertThat(jar).isRegularFile();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "env",
                "-i",
                "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME=" + shared.resolve("home"),
                "TMPDIR=" + shared.resolve("tmp"),
                "SLIMBUILD_STORE=" + shared.resolve("store")));
    extraEnv.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.addAll(
        List.of(
            "setpriv",
            "--reuid=" + NOBODY,
            "--regid=" + NOBODY,
            "--clear-groups",
            java,
            "-jar",
            jar.toString()));
    cmd.addAll(List.of(args));
    return BuildToolsIT.exec(shared, 600, cmd);
  }

  @Test
  void aSecretIsNotInTheCacheKeyByValueAsInBuildKit() throws Exception {
    Path secretFile = dir.resolve("token.txt");
    Files.writeString(secretFile, "first value");
    Path ctx =
        context(
            "RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | cut -c1-64 > /tok.sha\n");
    BuildFixtures.Run first = build(Map.of(), ctx, "--secret", "id=tok,src=" + secretFile);
    assertThat(first.code()).as(first.err()).isZero();
    Files.writeString(secretFile, "second value");
    BuildFixtures.Run second = build(Map.of(), ctx, "--secret", "id=tok,src=" + secretFile);
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.err()).contains("CACHED");
    assertThat(files(BuildFixtures.image(dir.resolve("out"))).get("tok.sha").text().trim())
        .isEqualTo(sha256("first value"));
  }

  @Test
  void buildxBuildTakesTheSameFlagsAndTheIdAloneFindsTheVariable() throws Exception {
    String value = "buildx-secret-" + UUID.randomUUID();
    Path ctx =
        context(
            "RUN --mount=type=secret,id=GH_TOKEN,required sha256sum /run/secrets/GH_TOKEN"
                + " | cut -c1-64 > /gh.sha\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "buildx",
                "build",
                "--insecure-registry",
                registry.host(),
                "--progress",
                "plain",
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve("out"),
                "--secret",
                "id=GH_TOKEN",
                ctx.toString()));
    BuildFixtures.Run r =
        BuildFixtures.runIn(dir, Map.of("GH_TOKEN", value), args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(files(BuildFixtures.image(dir.resolve("out"))).get("gh.sha").text().trim())
        .isEqualTo(sha256(value));
    assertThat(SecretScan.filesHolding(dir, value.getBytes(StandardCharsets.UTF_8), Set.of()))
        .isEmpty();
  }

  @Test
  void aRequiredSecretTheBuildLacksIsAnErrorNamingItsLine() throws Exception {
    Path ctx = context("RUN echo first\nRUN --mount=type=secret,id=npmrc,required=true true\n");
    BuildFixtures.Run r = build(Map.of(), ctx);
    BuildFixtures.assertInputError(r);
    assertThat(r.err())
        .contains(
            "Dockerfile:3: RUN --mount=type=secret,id=npmrc,required: the"
                + " build has no secret 'npmrc' (give --secret id=npmrc,src=FILE");
    // before the stage ran anything
    assertThat(r.err()).doesNotContain("first");
  }

  @Test
  void badSecretFlagsAreErrorsNamingThemBeforeAnyWork() throws Exception {
    Path ctx = dir.resolve("scratch");
    BuildFixtures.write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY Dockerfile /\n");
    Path missing = dir.resolve("missing.txt");
    Map<String, String> cases =
        Map.of(
            "id=a,src=" + missing,
            "invalid --secret 'id=a,src=" + missing + "': " + missing + " does not exist",
            "id=a,env=NOT_SET_ANYWHERE",
            "invalid --secret 'id=a,env=NOT_SET_ANYWHERE': the"
                + " environment variable NOT_SET_ANYWHERE is not set",
            "id=a,path=x",
            "invalid --secret 'id=a,path=x': unexpected key 'path'",
            "type=ssh,id=a",
            "invalid --secret 'type=ssh,id=a': unsupported type 'ssh'",
            "id=" + dir,
            "invalid --secret 'id=" + dir + "': " + dir + " is not a regular file");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      BuildFixtures.Run r = build(Map.of(), ctx, "--secret", c.getKey());
      BuildFixtures.assertInputError(r);
      assertThat(r.err()).contains(c.getValue());
    }
    BuildFixtures.Run r = build(Map.of(), ctx, "--ssh", "default");
    BuildFixtures.assertInputError(r);
    assertThat(r.err()).contains("invalid --ssh 'default': SSH_AUTH_SOCK is not set");
    r = build(Map.of(), ctx, "--ssh", "key=" + missing);
    BuildFixtures.assertInputError(r);
    assertThat(r.err())
        .contains("invalid --ssh 'key=" + missing + "': " + missing + " does not exist");
  }

  @Test
  void mountFlagsForSecretsAreCheckedWithTheirLine() throws Exception {
    Path ctx = context("RUN --mount=type=secret true\n");
    BuildFixtures.Run r = build(Map.of(), ctx);
    BuildFixtures.assertInputError(r);
    assertThat(r.err())
        .contains("Dockerfile:2: RUN --mount=type=secret: a secret needs an id or a" + " target");
  }
}
