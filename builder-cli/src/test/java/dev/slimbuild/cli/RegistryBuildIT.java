package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildToolsIT.exec;
import static dev.slimbuild.cli.BuildToolsIT.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.registry.FaultProxy;
import dev.slimbuild.core.registry.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry path end to end through the CLI, against a real docker-registry on loopback: a
 * two-platform busybox base made from Debian's packages is pushed, a Dockerfile FROM it is built
 * for amd64 and arm64 and pushed, and skopeo and proot (with qemu for arm64) check the result.
 */
class RegistryBuildIT {
  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("proot", "qemu-aarch64-static");

  @TempDir Path dir;

  private Run cli(Map<String, String> env, String... args) {
    return BuildFixtures.runIn(dir, env, args);
  }

  private Path context() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "ARG TARGETARCH\n"
            + "ENV ARCH=$TARGETARCH\n"
            + "COPY app.txt /app/\n"
            + "COPY --chown=app:app --chmod=0755 hello.sh /usr/local/bin/hello\n"
            + "CMD [\"/usr/local/bin/hello\"]\n");
    Files.writeString(ctx.resolve("app.txt"), "application data\n");
    Files.writeString(ctx.resolve("hello.sh"), "#!/bin/sh\necho \"hello from $(uname -m)\"\n");
    return ctx;
  }

  @Test
  void buildsBothPlatformsFromARegistryBaseAndPushesWithoutUploadingTheBase() throws Exception {
    Path ctx = context();
    Run r =
        cli(
            Map.of(),
            "build",
            "--platform",
            "linux/amd64,linux/arm64",
            "-t",
            registry.host() + "/app/demo:1",
            "--push",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Digest digest = Digest.parse(r.out().trim());
    // the base's layers were mounted from base/busybox (or existed), never uploaded again
    assertThat(r.err()).contains("mounted").contains("pushed " + registry.host() + "/app/demo:1");

    // skopeo reads the index byte for byte and copies everything, verifying every digest
    String img = "docker://" + registry.host() + "/app/demo:1";
    byte[] raw = ok(dir, "skopeo", "inspect", "--tls-verify=false", "--raw", img).stdout();
    assertThat(Digest.sha256Of(raw)).isEqualTo(digest);
    String rawText = new String(raw, StandardCharsets.UTF_8);
    assertThat(rawText)
        .contains("\"architecture\":\"amd64\"")
        .contains("\"architecture\":\"arm64\"");
    ok(
        dir,
        "skopeo",
        "copy",
        "--all",
        "--src-tls-verify=false",
        img,
        "oci:" + dir.resolve("copy") + ":1");

    // run each platform: amd64 with proot, arm64 with proot + qemu-aarch64-static
    assertThat(runPlatform(img, "amd64", List.of("proot", "-r")))
        .contains("hello from x86_64")
        .contains("application data");
    assertThat(runPlatform(img, "arm64", List.of("proot", "-q", "qemu-aarch64-static", "-r")))
        .contains("hello from aarch64")
        .contains("application data");
    // TARGETARCH was set per platform (the image config, as skopeo reads it)
    for (String arch : List.of("amd64", "arm64")) {
      assertThat(
              ok(
                      dir,
                      "skopeo",
                      "inspect",
                      "--tls-verify=false",
                      "--config",
                      "--override-arch",
                      arch,
                      img)
                  .out())
          .contains("ARCH=" + arch);
    }

    // slimbuild inspect reads it from the registry
    Run inspect =
        cli(
            Map.of(),
            "inspect",
            "--insecure-registry",
            registry.host(),
            registry.host() + "/app/demo:1");
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out())
        .contains("linux/amd64")
        .contains("linux/arm64")
        .contains(digest.toString());
  }

  /** Copies one platform out with skopeo, unpacks its layers in order and runs it. */
  private String runPlatform(String image, String arch, List<String> runner) throws Exception {
    Path d = dir.resolve("dir-" + arch);
    ok(dir, "skopeo", "copy", "--src-tls-verify=false", "--override-arch", arch, image, "dir:" + d);
    Path rootfs = Files.createDirectories(dir.resolve("rootfs-" + arch));
    String manifest = Files.readString(d.resolve("manifest.json"));
    var m = BuildFixtures.JSON.readTree(manifest);
    for (var layer : m.get("layers")) {
      Path blob = d.resolve(Digest.parse(layer.get("digest").asText()).hex());
      String mt = layer.get("mediaType").asText();
      String decompress =
          mt.endsWith("zstd") ? "zstd -dc " : mt.endsWith("gzip") ? "gzip -dc " : "cat ";
      ok(dir, "sh", "-c", decompress + "'" + blob + "' | tar -x -C '" + rootfs + "'");
    }
    List<String> cmd = new ArrayList<>(runner);
    cmd.add(rootfs.toString());
    cmd.addAll(List.of("/bin/sh", "-c", "/usr/local/bin/hello; cat /app/app.txt"));
    BuildToolsIT.Result res = exec(dir, 120, cmd);
    assertThat(res.code()).as(res.all()).isZero();
    return res.out();
  }

  @Test
  void pushFromTheLocalStoreAndThroughAFaultyNetworkGivesTheSameDigest() throws Exception {
    Path ctx = context();
    Run built =
        cli(
            Map.of(),
            "build",
            "--platform",
            "linux/amd64,linux/arm64",
            "-t",
            "local/demo:2",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "quiet",
            ctx.toString());
    assertThat(built.code()).as(built.err()).isZero();
    Digest digest = Digest.parse(built.out().trim());

    Run pushed =
        cli(
            Map.of(),
            "push",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "quiet",
            "local/demo:2",
            registry.host() + "/app/pushed:2");
    assertThat(pushed.code()).as(pushed.err()).isZero();
    assertThat(pushed.out().trim()).isEqualTo(registry.host() + "/app/pushed:2@" + digest);

    int port = Integer.parseInt(registry.host().substring(registry.host().lastIndexOf(':') + 1));
    try (FaultProxy proxy = FaultProxy.start(port, 7)) {
      Run faulty =
          cli(
              Map.of(),
              "push",
              "--insecure-registry",
              proxy.host(),
              "--progress",
              "quiet",
              "local/demo:2",
              proxy.host() + "/app/faulty:2");
      assertThat(faulty.code()).as(faulty.err()).isZero();
      assertThat(faulty.out().trim()).endsWith("@" + digest);
      assertThat(proxy.errors.get() + proxy.drops.get()).isPositive();
    }
    byte[] raw =
        ok(
                dir,
                "skopeo",
                "inspect",
                "--tls-verify=false",
                "--raw",
                "docker://" + registry.host() + "/app/faulty:2")
            .stdout();
    assertThat(Digest.sha256Of(raw)).isEqualTo(digest);
  }

  @Test
  void tlsRegistryWithCredentialsAndAClearErrorForAWrongPassword() throws Exception {
    try (RegistryServer tls = RegistryServer.tlsWithBasicAuth("ci", "s3cret-pass")) {
      Path config = Files.createDirectories(dir.resolve("docker"));
      String auth =
          Base64.getEncoder().encodeToString("ci:s3cret-pass".getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          config.resolve("config.json"),
          "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + auth + "\"}}}");
      Path ctx = Files.createDirectories(dir.resolve("scratch-ctx"));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
      Files.writeString(ctx.resolve("f"), "x\n");

      Run good =
          cli(
              Map.of("DOCKER_CONFIG", config.toString()),
              "build",
              "-t",
              tls.host() + "/secure/app:1",
              "--push",
              "--registry-ca",
              tls.caFile().toString(),
              "--progress",
              "quiet",
              ctx.toString());
      assertThat(good.code()).as(good.err()).isZero();

      Run noCa =
          cli(
              Map.of("DOCKER_CONFIG", config.toString()),
              "build",
              "-t",
              tls.host() + "/secure/app:2",
              "--push",
              "--progress",
              "quiet",
              ctx.toString());
      assertThat(noCa.code()).isEqualTo(1);
      assertThat(noCa.err()).contains("TLS").contains(tls.host()).doesNotContain("\tat ");

      String badAuth =
          Base64.getEncoder().encodeToString("ci:wrong-pass".getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          config.resolve("config.json"),
          "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + badAuth + "\"}}}");
      Run bad =
          cli(
              Map.of("DOCKER_CONFIG", config.toString()),
              "build",
              "-t",
              tls.host() + "/secure/app:3",
              "--push",
              "--registry-ca",
              tls.caFile().toString(),
              "--progress",
              "quiet",
              ctx.toString());
      assertThat(bad.code()).isEqualTo(1);
      assertThat(bad.err())
          .contains("authentication failed for " + tls.host())
          .doesNotContain("wrong-pass")
          .doesNotContain(badAuth)
          .doesNotContain("\tat ");
    }
  }

  @Test
  void copyFromAnImageAndRecompressOfBaseLayers() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("from-image"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\nCOPY --from="
            + registry.base()
            + " /etc/passwd /copied/passwd\n");
    Path out = dir.resolve("layout");
    Run r =
        cli(
            Map.of(),
            "build",
            "--platform",
            "linux/arm64",
            "--insecure-registry",
            registry.host(),
            "--recompress",
            "-o",
            "type=oci,tar=false,dest=" + out,
            "--progress",
            "quiet",
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    BuildFixtures.Image img = BuildFixtures.image(out);
    // every layer, the base's gzip one included, is zstd now; the diff_ids are unchanged
    assertThat(img.manifest().get("layers"))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l.get("mediaType").asText()).endsWith("tar+zstd"));
    assertThat(img.config().get("rootfs").get("diff_ids")).hasSize(2);
    assertThat(
            new String(
                img.layerFiles(1).stream()
                    .filter(f -> f.name().equals("copied/passwd"))
                    .findFirst()
                    .orElseThrow()
                    .data(),
                StandardCharsets.UTF_8))
        .isEqualTo(BusyboxBase.PASSWD);
    // skopeo agrees that every digest (and so the re-encoded base layer) is right
    ok(dir, "skopeo", "copy", "oci:" + out, "oci:" + dir.resolve("verified") + ":x");
  }

  @Test
  void registryDownAndMissingPlatformAreClearErrors() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("down"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM 127.0.0.1:9/none/img:1\n");
    Run down =
        cli(
            Map.of(),
            "build",
            "--insecure-registry",
            "127.0.0.1:9",
            "--progress",
            "quiet",
            ctx.toString());
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err()).contains("127.0.0.1:9").doesNotContain("\tat ");

    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\n");
    Run missing =
        cli(
            Map.of(),
            "build",
            "--platform",
            "linux/s390x",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "quiet",
            ctx.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .contains("linux/s390x")
        .contains("linux/amd64")
        .contains("linux/arm64");
  }
}
