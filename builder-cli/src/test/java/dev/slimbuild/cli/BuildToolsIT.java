package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.Image;
import dev.slimbuild.cli.BuildFixtures.Run;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slimbuild build} output read by real tools (skopeo, umoci, tar, sha256sum; installed by
 * scripts/install-test-deps.sh), and a large build in a child JVM with a small heap.
 */
class BuildToolsIT {
  @TempDir Path dir;

  record Result(int code, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    String all() {
      return out() + stderr;
    }
  }

  /** Runs a command with a timeout; stdout kept as bytes, stderr as text. */
  static Result exec(Path cwd, long timeoutSeconds, List<String> cmd)
      throws IOException, InterruptedException {
    return exec(cwd, null, timeoutSeconds, cmd);
  }

  /**
   * As {@link #exec(Path, long, List)} with exactly {@code env} as the environment (null: this
   * JVM's).
   */
  static Result exec(Path cwd, Map<String, String> env, long timeoutSeconds, List<String> cmd)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("tool-", ".out");
    Path err = Files.createTempFile("tool-", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(cwd.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      if (env != null) {
        pb.environment().clear();
        pb.environment().putAll(env);
      }
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            String.join(" ", cmd)
                + " did not finish in "
                + timeoutSeconds
                + "s: "
                + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static Result exec(Path cwd, String... cmd) throws IOException, InterruptedException {
    return exec(cwd, 60, List.of(cmd));
  }

  static Result ok(Path cwd, String... cmd) throws IOException, InterruptedException {
    Result r = exec(cwd, cmd);
    assertThat(r.code()).as(String.join(" ", cmd) + ": " + r.all()).isZero();
    return r;
  }

  private static boolean onPath(String tool) throws IOException, InterruptedException {
    return exec(Path.of("."), "sh", "-c", "command -v " + tool).code() == 0;
  }

  @BeforeAll
  static void tools() throws Exception {
    List<String> tools = List.of("skopeo", "umoci", "zstd", "tar", "sha256sum", "git");
    boolean missing = false;
    for (String t : tools) {
      missing |= !onPath(t);
    }
    if (missing) {
      Path script = null;
      for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("scripts/install-test-deps.sh"))) {
          script = p.resolve("scripts/install-test-deps.sh");
          break;
        }
      }
      assertThat(script).as("scripts/install-test-deps.sh").isNotNull();
      Result r = exec(Path.of("."), 600, List.of("bash", script.toString()));
      assertThat(r.code()).as(r.all()).isZero();
    }
    for (String t : tools) {
      assertThat(onPath(t)).as(t + " on PATH").isTrue();
    }
  }

  private Run build(Path context, String... args) {
    List<String> all = new ArrayList<>(List.of("build", "--progress", "quiet"));
    all.addAll(List.of(args));
    all.add(context.toString());
    Run r =
        BuildFixtures.run(
            Map.of("SLIMBUILD_STORE", dir.resolve("store").toString()), all.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    return r;
  }

  /** A context with a file tree of known modes and a Dockerfile setting owners and modes. */
  private Path context() throws IOException {
    Path ctx = dir.resolve("ctx");
    write(
        ctx.resolve("Dockerfile"),
        """
        FROM scratch
        COPY hello.txt /hello.txt
        COPY --chown=1000:2000 --chmod=0750 tool.sh /usr/local/bin/tool
        COPY conf/ /etc/app/
        WORKDIR /var/lib/app
        CMD ["/usr/local/bin/tool"]
        """);
    write(ctx.resolve("hello.txt"), "hello from slimbuild\n");
    write(ctx.resolve("tool.sh"), "#!/bin/sh\necho tool\n");
    write(ctx.resolve("conf/app.conf"), "key=value\n");
    write(ctx.resolve("conf/secret.conf"), "s\n");
    Files.setPosixFilePermissions(
        ctx.resolve("conf/secret.conf"), PosixFilePermissions.fromString("rw-------"));
    Files.createSymbolicLink(ctx.resolve("conf/link.conf"), Path.of("app.conf"));
    return ctx;
  }

  @Test
  void zstdOciLayoutReadAndCopiedBySkopeo() throws Exception {
    Path layout = dir.resolve("oci");
    Run r =
        build(
            context(),
            "-t",
            "app:1",
            "--platform",
            "linux/amd64",
            "-o",
            "type=oci,tar=false,dest=" + layout);
    BuildCommandTest.validate(layout);
    Image img = BuildFixtures.image(layout);
    assertThat(img.layers().get(0).get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");

    JsonNode inspect =
        BuildFixtures.JSON.readTree(ok(dir, "skopeo", "inspect", "oci:" + layout + ":1").stdout());
    assertThat(inspect.get("Digest").asText()).isEqualTo(r.digest());
    assertThat(inspect.get("Architecture").asText()).isEqualTo("amd64");
    assertThat(inspect.get("Layers")).hasSize(img.layers().size());

    // skopeo copy reads every blob and checks its digest
    Path other = dir.resolve("copy");
    ok(dir, "skopeo", "copy", "--quiet", "oci:" + layout + ":1", "oci:" + other + ":1");
    Result raw = ok(dir, "skopeo", "inspect", "--raw", "oci:" + other + ":1");
    assertThat(raw.stdout()).isEqualTo(BuildFixtures.bytes(layout, r.digest()));
  }

  @Test
  void gzipOciLayoutUnpackedByUmoci() throws Exception {
    // umoci 0.4.7 (the Debian package) cannot read zstd layers: gzip for this one
    Path layout = dir.resolve("oci");
    build(
        context(),
        "-t",
        "app:gz",
        "--compression",
        "gzip",
        "-o",
        "type=oci,tar=false,dest=" + layout);
    BuildCommandTest.validate(layout);
    assertThat(BuildFixtures.image(layout).layers().get(0).get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
    Path bundle = dir.resolve("bundle");
    List<String> cmd = new ArrayList<>(List.of("umoci", "unpack", "--image", layout + ":gz"));
    if (!"root".equals(System.getProperty("user.name"))) {
      cmd.add("--rootless");
    }
    cmd.add(bundle.toString());
    Result u = exec(dir, 60, cmd);
    assertThat(u.code()).as(u.all()).isZero();
    Path root = bundle.resolve("rootfs");
    assertThat(root.resolve("hello.txt")).hasContent("hello from slimbuild\n");
    assertThat(mode(root.resolve("hello.txt"))).isEqualTo("rw-r--r--");
    Path tool = root.resolve("usr/local/bin/tool");
    assertThat(mode(tool)).isEqualTo("rwxr-x---");
    assertThat(mode(root.resolve("etc/app/secret.conf"))).isEqualTo("rw-------");
    assertThat(Files.readSymbolicLink(root.resolve("etc/app/link.conf")))
        .isEqualTo(Path.of("app.conf"));
    assertThat(root.resolve("etc/app/app.conf")).hasContent("key=value\n");
    assertThat(root.resolve("var/lib/app")).isDirectory();
    assertThat(root.resolve("conf")).doesNotExist();
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(Files.getAttribute(tool, "unix:uid")).isEqualTo(1000);
      assertThat(Files.getAttribute(tool, "unix:gid")).isEqualTo(2000);
      assertThat(Files.getAttribute(root.resolve("hello.txt"), "unix:uid")).isEqualTo(0);
    }
    String runtime = Files.readString(bundle.resolve("config.json"));
    assertThat(runtime).contains("/usr/local/bin/tool").contains("/var/lib/app");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void multiPlatformIndexIsByteIdenticalThroughSkopeoAndSharesLayers() throws Exception {
    Path layout = dir.resolve("oci");
    Run r =
        build(
            context(),
            "-t",
            "multi:1",
            "--platform",
            "linux/amd64,linux/arm64",
            "-o",
            "type=oci,tar=false,dest=" + layout);
    BuildCommandTest.validate(layout);
    JsonNode index = BuildFixtures.json(layout, r.digest());
    assertThat(index.get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.index.v1+json");
    JsonNode manifests = index.get("manifests");
    assertThat(manifests).hasSize(2);
    assertThat(manifests.get(0).get("platform").get("architecture").asText()).isEqualTo("amd64");
    assertThat(manifests.get(1).get("platform").get("architecture").asText()).isEqualTo("arm64");

    Result raw = ok(dir, "skopeo", "inspect", "--raw", "oci:" + layout + ":1");
    assertThat(raw.stdout()).isEqualTo(BuildFixtures.bytes(layout, r.digest()));

    JsonNode amd = BuildFixtures.json(layout, manifests.get(0).get("digest").asText());
    JsonNode arm = BuildFixtures.json(layout, manifests.get(1).get("digest").asText());
    assertThat(amd.get("layers")).hasSize(4);
    assertThat(amd.get("layers")).isEqualTo(arm.get("layers"));
    assertThat(amd.get("config").get("digest")).isNotEqualTo(arm.get("config").get("digest"));
    for (String arch : List.of("amd64", "arm64")) {
      Result inspect =
          ok(dir, "skopeo", "--override-arch", arch, "inspect", "oci:" + layout + ":1");
      assertThat(BuildFixtures.JSON.readTree(inspect.stdout()).get("Architecture").asText())
          .isEqualTo(arch);
    }
  }

  @Test
  void dockerArchiveListedByTarWithDiffIdsMatchingSha256sum() throws Exception {
    Path archive = dir.resolve("image.tar");
    build(
        context(), "-t", "app:1", "--platform", "linux/amd64", "-o", "type=docker,dest=" + archive);
    List<String> names = ok(dir, "tar", "-tf", archive.toString()).out().lines().toList();
    assertThat(names).contains("manifest.json");
    Path x = dir.resolve("x");
    Files.createDirectories(x);
    ok(dir, "tar", "-xf", archive.toString(), "-C", x.toString());
    JsonNode manifest = BuildFixtures.JSON.readTree(Files.readAllBytes(x.resolve("manifest.json")));
    assertThat(manifest).hasSize(1);
    JsonNode entry = manifest.get(0);
    assertThat(BuildFixtures.texts(entry.get("RepoTags"))).containsExactly("app:1");
    String configName = entry.get("Config").asText();
    assertThat(names).contains(configName);
    JsonNode config = BuildFixtures.JSON.readTree(Files.readAllBytes(x.resolve(configName)));
    List<String> layers = BuildFixtures.texts(entry.get("Layers"));
    List<String> diffIds = BuildFixtures.texts(config.get("rootfs").get("diff_ids"));
    assertThat(layers).hasSize(4).hasSameSizeAs(diffIds);
    assertThat(names).containsAll(layers);
    for (int i = 0; i < layers.size(); i++) {
      String sum = ok(x, "sha256sum", layers.get(i)).out().split("\\s+")[0];
      assertThat("sha256:" + sum).as(layers.get(i)).isEqualTo(diffIds.get(i));
      // uncompressed: the layer is a plain tar that tar lists
      ok(x, "tar", "-tf", layers.get(i));
    }
    String configSum = ok(x, "sha256sum", configName).out().split("\\s+")[0];
    assertThat(configName).contains(configSum);
    assertThat(ok(x, "tar", "-xOf", layers.get(0), "hello.txt").out())
        .isEqualTo("hello from slimbuild\n");
    // the loader of docker archives skopeo shares with podman reads it, layer sizes included
    JsonNode inspected =
        BuildFixtures.JSON.readTree(
            ok(dir, "skopeo", "inspect", "docker-archive:" + archive).out());
    assertThat(BuildFixtures.texts(inspected.get("Layers"))).hasSize(4);
    Path copied = dir.resolve("copied");
    ok(dir, "skopeo", "copy", "docker-archive:" + archive, "oci:" + copied + ":app");
    assertThat(copied.resolve("index.json")).exists();
  }

  /**
   * About 300 MiB of context (three 90 MiB files of seeded random bytes, written streaming, plus
   * 2000 small files) built by the shaded jar in a child JVM with a 256 MiB heap: a build that held
   * a layer or a file in memory would fail with OutOfMemoryError.
   */
  @Test
  void largeContextBuildsWithASmallHeap() throws Exception {
    Path ctx = dir.resolve("big");
    Files.createDirectories(ctx.resolve("small"));
    Random random = new Random(20240601L);
    byte[] chunk = new byte[1 << 20];
    for (int f = 0; f < 3; f++) {
      try (OutputStream out = Files.newOutputStream(ctx.resolve("large-" + f + ".bin"))) {
        for (int i = 0; i < 90; i++) {
          random.nextBytes(chunk);
          out.write(chunk);
        }
      }
    }
    Set<String> small = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      String name = "small/f" + i + ".txt";
      write(ctx.resolve(name), "file " + i + " " + random.nextLong() + "\n");
      small.add(name);
    }
    write(
        ctx.resolve("Dockerfile"),
        """
        FROM scratch
        COPY large-0.bin large-1.bin /big/
        COPY small/ /small/
        COPY . /all/
        """);

    Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
    assertThat(jar).as("run in verify: package builds the shaded jar").isRegularFile();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path layout = dir.resolve("big-oci");
    Result r =
        exec(
            dir,
            240,
            List.of(
                java,
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "build",
                "--progress",
                "plain",
                "--store",
                dir.resolve("big-store").toString(),
                "--platform",
                "linux/amd64",
                "-o",
                "type=oci,tar=false,dest=" + layout,
                ctx.toString()));
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.out().trim()).startsWith("sha256:");
    Image img = BuildFixtures.image(layout);
    assertThat(img.layers()).hasSize(3);
    long total = 0;
    for (JsonNode l : img.layers()) {
      total += l.get("size").asLong();
    }
    // random bytes do not compress: two copies of 270 MiB plus the 180 MiB layer
    assertThat(total).isGreaterThan(440L << 20);
    assertThat(small).hasSize(2000);
  }
}
