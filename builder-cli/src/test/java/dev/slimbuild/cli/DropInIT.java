package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * slimbuild as a drop-in for CI: buildx's common flags on {@code build}, the command lines that
 * docker/build-push-action and GitLab's kaniko template generate (run through the launcher scripts,
 * unchanged but for the binary), {@code executor} with kaniko's flags, against the real registry
 * (plain on loopback, and TLS with basic auth).
 */
class DropInIT {
  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");

  @TempDir Path dir;

  private Path context(String name, String dockerfile) throws IOException {
    Path ctx = dir.resolve(name);
    BuildFixtures.write(ctx.resolve("Dockerfile"), dockerfile);
    BuildFixtures.write(ctx.resolve("a.txt"), "alpha\n");
    return ctx;
  }

  private BuildFixtures.Run cli(String... args) {
    return BuildFixtures.run(BuildFixtures.isolatedEnv(dir.resolve("home")), args);
  }

  private static RawManifest manifest(String repo, String ref) throws IOException {
    try (Registry r = registry.client()) {
      return r.getManifest(repo, ref);
    }
  }

  @Test
  void buildxFlagsWork() throws Exception {
    Path ctx =
        context(
            "ctx",
            "FROM "
                + registry.base()
                + "\n"
                + "COPY a.txt /a.txt\n"
                + "RUN cat /etc/hosts > /hosts && cat /proc/net/dev > /netdev\n"
                + "RUN --network=host cat /proc/net/dev > /netdev-host\n");
    Path iid = dir.resolve("out/iid.txt");
    Path meta = dir.resolve("out/meta.json");
    String tag = registry.host() + "/app/buildx:1";
    BuildFixtures.Run r =
        cli(
            "build",
            "-q",
            "--iidfile",
            iid.toString(),
            "--metadata-file",
            meta.toString(),
            "--pull",
            "--network",
            "none",
            "--add-host",
            "db.internal:10.1.2.3",
            "--add-host",
            "v6.internal=::1",
            "--shm-size",
            "2g",
            "--ulimit",
            "nofile=1024:2048",
            "--allow",
            "network.host",
            "--platform=local",
            "--annotation",
            "org.example.a=1",
            "--annotation",
            "manifest:org.example.b=2",
            "--provenance",
            "false",
            "--sbom=false",
            "-t",
            tag,
            "--push",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("oci"),
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // -q: stdout is the digest alone, stderr has no progress
    assertThat(r.out()).matches("sha256:[0-9a-f]{64}\\R");
    assertThat(r.err()).doesNotContain("RUN").doesNotContain("pushed");

    JsonNode m = BuildFixtures.JSON.readTree(Files.readAllBytes(meta));
    assertThat(m.get("containerimage.digest").asText()).isEqualTo(r.digest());
    assertThat(m.get("image.name").asText()).isEqualTo(tag);
    assertThat(m.get("containerimage.descriptor").get("digest").asText()).isEqualTo(r.digest());
    String config = m.get("containerimage.config.digest").asText();
    assertThat(Files.readString(iid)).isEqualTo(config); // buildx: the image ID
    assertThat(m.has("slimbuild.platforms")).isTrue(); // the keys slimbuild wrote before stay

    RawManifest pushed = manifest("app/buildx", "1");
    assertThat(pushed.digest().toString()).isEqualTo(r.digest());
    JsonNode annotations = BuildFixtures.JSON.readTree(pushed.bytes()).get("annotations");
    assertThat(annotations.get("org.example.a").asText()).isEqualTo("1");
    assertThat(annotations.get("org.example.b").asText()).isEqualTo("2");

    var fs = BuildFixtures.image(dir.resolve("oci")).rootfs();
    assertThat(fs.get("hosts").text())
        .contains("10.1.2.3\tdb.internal")
        .contains("::1\tv6.internal")
        .contains("localhost");
    // --network none: only the loopback interface (two header lines, then lo)
    assertThat(fs.get("netdev").text().lines().skip(2).toList())
        .singleElement()
        .asString()
        .contains("lo:");
    // a RUN's own --network=host wins over the build's default
    assertThat(fs.get("netdev-host").text().lines().count()).isGreaterThan(3);
  }

  @Test
  void rawjsonProgressIsOneJsonEventALine() throws Exception {
    Path ctx = context("ctx", "FROM scratch\nCOPY a.txt /a.txt\n");
    BuildFixtures.Run r =
        cli(
            "build",
            "--progress=rawjson",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("oci"),
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.err().lines().toList();
    assertThat(lines).isNotEmpty();
    List<String> types = new ArrayList<>();
    for (String l : lines) {
      types.add(BuildFixtures.JSON.readTree(l).get("type").asText());
    }
    assertThat(types)
        .contains("step.started", "step.finished", "layer.written", "size.report", "info");
  }

  @Test
  void indexAnnotationsNeedSeveralPlatformsAndGoWhereBuildxPutsThem() throws Exception {
    Path ctx = context("ctx", "FROM scratch\nCOPY a.txt /a.txt\n");
    BuildFixtures.Run one = cli("build", "--annotation", "index:org.example.i=1", ctx.toString());
    assertThat(one.code()).isEqualTo(1);
    assertThat(one.err()).contains("need an index").doesNotContain("at dev.");
    BuildFixtures.Run bad = cli("build", "--annotation", "layer:x=1", ctx.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("unknown type 'layer'");

    BuildFixtures.Run r =
        cli(
            "build",
            "--platform",
            "linux/amd64,linux/arm64",
            "--annotation",
            "index:org.example.i=1",
            "--annotation",
            "manifest-descriptor:org.example.d=2",
            "--annotation",
            "org.example.m=3",
            "-t",
            registry.host() + "/app/multi:1",
            "--push",
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode index = BuildFixtures.JSON.readTree(manifest("app/multi", "1").bytes());
    assertThat(index.get("annotations").get("org.example.i").asText()).isEqualTo("1");
    List<JsonNode> images = new ArrayList<>();
    index
        .get("manifests")
        .forEach(
            d -> {
              if (!d.get("platform").get("os").asText().equals("unknown")) { // not an attestation
                images.add(d);
              }
            });
    assertThat(images).hasSize(2);
    for (JsonNode d : images) {
      assertThat(d.get("annotations").get("org.example.d").asText()).isEqualTo("2");
      JsonNode m =
          BuildFixtures.JSON.readTree(manifest("app/multi", d.get("digest").asText()).bytes());
      assertThat(m.get("annotations").get("org.example.m").asText()).isEqualTo("3");
    }
  }

  @Test
  void badBuildxValuesAreClearErrors() throws Exception {
    Path ctx = context("ctx", "FROM scratch\nCOPY a.txt /a.txt\n");
    String[][] cases = {
      {"--network", "bridge", "invalid --network 'bridge'"},
      {"--add-host", "nohost", "invalid --add-host 'nohost'"},
      {"--add-host", "x:host-gateway", "host-gateway"},
      {"--add-host", "x:999.1.1.1", "is not an IP address"},
      {"--ulimit", "bogus=1", "invalid --ulimit"},
      {"--shm-size", "lots", "invalid --shm-size"},
      {"--allow", "device", "invalid --allow"},
      {"--progress", "fancy", "invalid --progress"},
    };
    for (String[] c : cases) {
      BuildFixtures.Run r = cli("build", c[0], c[1], ctx.toString());
      assertThat(r.code()).as(String.join(" ", c)).isEqualTo(1);
      assertThat(r.err()).as(String.join(" ", c)).contains(c[2]).doesNotContain("\tat ");
    }
    BuildFixtures.Run bx = cli("buildx", "imagetools", "inspect", "x");
    assertThat(bx.code()).isEqualTo(2);
    assertThat(bx.err()).contains("only 'buildx build'");
  }

  @Test
  void aTypoInCopyFromIsAnErrorBeforeAnyPull() throws Exception {
    // the base is unreachable: the error must come before anything is fetched
    Path ctx =
        context(
            "ctx",
            "FROM 127.0.0.1:9/nothing:1 AS builder\n"
                + "RUN echo hi > /x\n"
                + "FROM 127.0.0.1:9/nothing:1\n"
                + "COPY --from=buidler /x /x\n");
    BuildFixtures.Run r = cli("build", ctx.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("Dockerfile:4:")
        .contains("did you mean builder?")
        .doesNotContain("cannot reach");
    // the same through RUN --mount from=
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM 127.0.0.1:9/nothing:1 AS builder\n"
            + "FROM 127.0.0.1:9/nothing:1\n"
            + "RUN --mount=from=bulder,target=/b ls /b\n");
    BuildFixtures.Run run = cli("build", ctx.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("Dockerfile:3:").contains("did you mean builder?");
  }

  // ---- the CI command lines, through the launcher scripts ----

  /** Runs {@code script} with sh in {@code cwd}, the launchers in target/ on PATH. */
  private BuildToolsIT.Result sh(Path cwd, Map<String, String> extra, String script)
      throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(BuildFixtures.launcherEnv(dir.resolve("home")));
    env.putAll(extra);
    return BuildToolsIT.exec(cwd, env, 300, List.of("sh", "-c", script));
  }

  @Test
  void gitlabsKanikoJobLineWorksWithOnlyTheBinaryChanged() throws Exception {
    Path project =
        context(
            "project",
            "FROM " + registry.base() + "\n" + "COPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n");
    // GitLab's documented line, /kaniko/executor replaced by the launcher in target/
    String line =
        Path.of("target/executor").toAbsolutePath()
            + " --context \"${CI_PROJECT_DIR}\" --dockerfile \"${CI_PROJECT_DIR}/Dockerfile\""
            + " --destination \"${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}\"";
    BuildToolsIT.Result r =
        sh(
            dir,
            Map.of(
                "CI_PROJECT_DIR",
                project.toString(),
                "CI_REGISTRY_IMAGE",
                registry.host() + "/kaniko/project",
                "CI_COMMIT_TAG",
                "v1.0.0",
                "DOCKER_CONFIG",
                Files.createDirectories(dir.resolve("kaniko/.docker")).toString()),
            line);
    assertThat(r.code()).as(r.stderr()).isZero();
    String digest = r.out().trim();
    assertThat(digest).startsWith("sha256:");
    assertThat(manifest("kaniko/project", "v1.0.0").digest().toString()).isEqualTo(digest);
  }

  @Test
  void buildPushActionsLineWithRegistryCacheWorksWithOnlyTheBinaryChanged() throws Exception {
    Path repo =
        context(
            "repo",
            "FROM "
                + registry.base()
                + "\n"
                + "ARG VERSION\nCOPY a.txt /a.txt\nRUN echo $VERSION > /version\n");
    Path temp = Files.createDirectories(dir.resolve("_temp/docker-actions-toolkit-Ab12Cd"));
    String cache = registry.host() + "/org/web/cache:main";
    // as docker/build-push-action@v6 runs it (its log's line), `docker` replaced by `slimbuild`
    String line =
        "slimbuild buildx build --build-arg VERSION=1.2.3"
            + " --cache-from type=registry,ref="
            + cache
            + " --cache-to type=registry,ref="
            + cache
            + ",mode=max"
            + " --file Dockerfile"
            + " --iidfile "
            + temp
            + "/build-iidfile-0a1b2c3d4e.txt"
            + " --label org.opencontainers.image.source=https://github.com/org/web"
            + " --label org.opencontainers.image.revision=0123456789abcdef"
            + " --platform linux/amd64"
            + " --attest type=provenance,mode=min,inline-only=true,"
            + "builder-id=https://github.com/org/web/actions/runs/123456789/attempts/1"
            + " --tag "
            + registry.host()
            + "/org/web:latest --tag "
            + registry.host()
            + "/org/web:sha-0123456"
            + " --metadata-file "
            + temp
            + "/build-metadata-5f6e7d8c9b.json"
            + " --push .";
    BuildToolsIT.Result r = sh(repo, Map.of(), line);
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("exported cache to " + cache);
    JsonNode meta =
        BuildFixtures.JSON.readTree(
            Files.readAllBytes(temp.resolve("build-metadata-5f6e7d8c9b.json")));
    String digest = meta.get("containerimage.digest").asText();
    assertThat(manifest("org/web", "latest").digest().toString()).isEqualTo(digest);
    assertThat(manifest("org/web", "sha-0123456").digest().toString()).isEqualTo(digest);
    // --attest type=provenance: the image and its provenance, in an index as buildx pushes it
    assertThat(new String(manifest("org/web", "latest").bytes(), StandardCharsets.UTF_8))
        .contains("\"vnd.docker.reference.type\":\"attestation-manifest\"");
    assertThat(Files.readString(temp.resolve("build-iidfile-0a1b2c3d4e.txt")))
        .isEqualTo(meta.get("containerimage.config.digest").asText());

    // the next run on a fresh runner (an empty store) is served from the registry cache
    BuildToolsIT.Result again =
        sh(repo, Map.of("SLIMBUILD_STORE", dir.resolve("other-store").toString()), line);
    assertThat(again.code()).as(again.stderr()).isZero();
    assertThat(again.stderr()).contains("CACHED (" + cache + ")").doesNotContain("RUN took:");
  }

  // ---- executor with kaniko's flags, in process ----

  @Test
  void executorTakesKanikosFlags() throws Exception {
    Path ctx =
        context(
            "ctx",
            "FROM "
                + registry.base()
                + " AS base\n"
                + "ARG GREETING\nLABEL from=dockerfile\nCOPY a.txt /a.txt\n"
                + "RUN echo $GREETING > /greeting\nRUN echo two > /two\n"
                + "FROM base AS unused\nRUN exit 1\n");
    Path tar = dir.resolve("context.tar.gz");
    tarGz(ctx, tar);
    Path out = dir.resolve("out");
    String d1 = registry.host() + "/kaniko/app:1";
    String d2 = registry.host() + "/kaniko/app:latest";
    BuildFixtures.Run r =
        cli(
            "executor",
            "--context",
            "tar://" + tar,
            "--dockerfile",
            "Dockerfile",
            "--destination",
            d1,
            "--destination=" + d2,
            "--build-arg",
            "GREETING=hello",
            "--target",
            "base",
            "--label",
            "from=flag",
            "--custom-platform",
            "linux/amd64",
            "--cache=true",
            "--cache-repo",
            registry.host() + "/kaniko/cache",
            "--cache-ttl=24h",
            "--insecure-registry",
            registry.host(),
            "--reproducible",
            "--single-snapshot",
            "--snapshot-mode=redo",
            "--use-new-run",
            "--cleanup",
            "--verbosity=warn",
            "--tar-path",
            out.resolve("image.tar").toString(),
            "--digest-file",
            out.resolve("digest").toString(),
            "--image-name-with-digest-file",
            out.resolve("name-digest").toString(),
            "--image-name-tag-with-digest-file",
            out.resolve("name-tag-digest").toString());
    assertThat(r.code()).as(r.err()).isZero();
    String digest = r.digest();
    assertThat(Files.readString(out.resolve("digest"))).isEqualTo(digest);
    assertThat(Files.readString(out.resolve("name-digest")))
        .isEqualTo(
            registry.host()
                + "/kaniko/app@"
                + digest
                + "\n"
                + registry.host()
                + "/kaniko/app@"
                + digest
                + "\n");
    assertThat(Files.readString(out.resolve("name-tag-digest")))
        .isEqualTo(d1 + "@" + digest + "\n" + d2 + "@" + digest + "\n");
    assertThat(Files.size(out.resolve("image.tar"))).isPositive();
    assertThat(manifest("kaniko/app", "1").digest().toString()).isEqualTo(digest);
    assertThat(manifest("kaniko/app", "latest").digest().toString()).isEqualTo(digest);
    assertThat(manifest("kaniko/cache", "buildcache").bytes()).isNotEmpty();
    JsonNode m = BuildFixtures.JSON.readTree(manifest("kaniko/app", "1").bytes());
    if (m.has("manifests")) { // the image and its attestations: the image's manifest
      m =
          BuildFixtures.JSON.readTree(
              manifest("kaniko/app", m.get("manifests").get(0).get("digest").asText()).bytes());
    }
    JsonNode base = BuildFixtures.JSON.readTree(manifest("base/busybox", "1").bytes());
    // --single-snapshot: the busybox layer(s), then one layer for COPY and both RUNs
    String baseManifest =
        base.has("manifests") ? base.get("manifests").get(0).get("digest").asText() : null;
    int baseLayers =
        baseManifest == null
            ? base.get("layers").size()
            : BuildFixtures.JSON
                .readTree(manifest("base/busybox", baseManifest).bytes())
                .get("layers")
                .size();
    assertThat(m.get("layers")).hasSize(baseLayers + 1);
    assertThat(r.err()).doesNotContain("RUN took"); // --verbosity=warn
  }

  @Test
  void executorPushesWithKanikosCredentialsAndCertificate() throws Exception {
    try (RegistryServer tls = RegistryServer.tlsWithBasicAuth("ci", "s3cret")) {
      Path ctx = context("ctx", "FROM scratch\nCOPY a.txt /a.txt\n");
      Path dockerConfig = Files.createDirectories(dir.resolve("kaniko/.docker"));
      String auth =
          Base64.getEncoder().encodeToString("ci:s3cret".getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          dockerConfig.resolve("config.json"),
          "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + auth + "\"}}}");
      Map<String, String> env = BuildFixtures.isolatedEnv(dir.resolve("home"));
      env.put("DOCKER_CONFIG", dockerConfig.toString());
      BuildFixtures.Run r =
          BuildFixtures.run(
              env,
              "executor",
              "--context",
              "dir://" + ctx,
              "--destination",
              tls.host() + "/secure/app:1",
              "--registry-certificate",
              tls.host() + "=" + tls.caFile());
      assertThat(r.code()).as(r.err()).isZero();
      BuildFixtures.Run skip =
          BuildFixtures.run(
              env,
              "executor",
              "--context",
              ctx.toString(),
              "--destination",
              tls.host() + "/secure/app:2",
              "--skip-tls-verify");
      assertThat(skip.code()).as(skip.err()).isZero();
      assertThat(skip.digest()).isEqualTo(r.digest());
      // without the certificate the push fails naming TLS, never the password
      BuildFixtures.Run untrusted =
          BuildFixtures.run(
              env,
              "executor",
              "--context",
              ctx.toString(),
              "--destination",
              tls.host() + "/secure/app:3");
      assertThat(untrusted.code()).isEqualTo(1);
      assertThat(untrusted.err()).contains("TLS verification failed").doesNotContain("s3cret");
    }
  }

  @Test
  void executorErrorsAreClear() throws Exception {
    Path ctx = context("ctx", "FROM scratch\nCOPY a.txt /a.txt\n");
    BuildFixtures.Run none = cli("executor", "--context", ctx.toString());
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("--no-push");
    BuildFixtures.Run gs = cli("executor", "--context", "gs://bucket/ctx.tar.gz", "--no-push");
    assertThat(gs.code()).isEqualTo(1);
    assertThat(gs.err()).contains("not supported");
    BuildFixtures.Run missing =
        cli("executor", "--context", ctx.toString(), "--dockerfile", "Nope", "--no-push");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .contains("--dockerfile Nope: no such file")
        .contains(ctx.resolve("Nope").toString());
    BuildFixtures.Run mode =
        cli("executor", "--context", ctx.toString(), "--no-push", "--snapshot-mode", "fast");
    assertThat(mode.code()).isEqualTo(1);
    assertThat(mode.err()).contains("invalid --snapshot-mode");
    BuildFixtures.Run ok = cli("executor", "--context", ctx.toString(), "--no-push");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).startsWith("sha256:");
  }

  private static void tarGz(Path dir, Path tar) throws IOException {
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(tar));
        TarArchiveOutputStream t = new TarArchiveOutputStream(o)) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
          TarArchiveEntry e = new TarArchiveEntry(p.toFile(), dir.relativize(p).toString());
          t.putArchiveEntry(e);
          Files.copy(p, t);
          t.closeArchiveEntry();
        }
      }
    }
  }
}
