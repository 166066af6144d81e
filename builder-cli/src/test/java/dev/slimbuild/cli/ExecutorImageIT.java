package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.image.BusyboxBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor image as a release makes it: {@code scripts/release.sh} (both platforms, on the jar
 * this build made) builds it with slimbuild from the release tarballs and Debian's packages, pushes
 * it to a loopback registry and signs it. The index holds both platforms under the size budget,
 * signed, with SBOMs listing the Debian packages; each platform carries the emulator of the other
 * only. The amd64 image's files then run under bwrap as nobody (no JDK, nothing of the host's
 * {@code /usr}), and the slimbuild in it builds a two-platform Dockerfile with a RUN (amd64 in a
 * sandbox, arm64 through the image's qemu-aarch64-static) and pushes it to the registry.
 */
class ExecutorImageIT {
  /** The budget per platform, compressed, as docs/install.md states it. */
  private static final long BUDGET = 60_000_000L;

  private static final int NOBODY = 65534;

  @TempDir static Path dir;

  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("bwrap", "skopeo", "setpriv");

  private static SharedRelease.Release release;
  private static String version;
  private static String image;

  @BeforeAll
  static void release() throws Exception {
    release = SharedRelease.make(registry);
    BuildToolsIT.Result r = release.run();
    // only a machine that cannot make the release tarballs (no JDK's jlink, no Debian archive,
    // not root to add the arm64 architecture) skips; a failing image build fails
    assumeTrue(
        release.tarballs(),
        "scripts/release.sh could not make the release tarballs on this"
            + " machine: "
            + r.stderr());
    assertThat(r.code()).as(r.stderr()).isZero();
    Matcher m =
        Pattern.compile("slimbuild-executor-(.+)\\.oci\\.tar")
            .matcher(String.join("\n", release.listing()));
    assertThat(m.find()).as("the image's OCI tarball in " + release.listing()).isTrue();
    version = m.group(1);
    image = registry.host() + "/slimbuild/executor:" + version;
  }

  private static JsonNode raw(String ref) throws Exception {
    BuildToolsIT.Result r =
        BuildToolsIT.exec(
            dir, 60, List.of("skopeo", "inspect", "--raw", "--tls-verify=false", ref));
    assertThat(r.code()).as(r.stderr()).isZero();
    return BuildFixtures.JSON.readTree(r.stdout());
  }

  /** The platform manifests of the index {@code ref}, by architecture. */
  private static Map<String, JsonNode> platforms(String ref) throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode d : raw(ref).get("manifests")) {
      String arch = d.path("platform").path("architecture").asText();
      if (!arch.equals("unknown")) {
        out.put(arch, d);
      }
    }
    return out;
  }

  @Test
  void oneSignedIndexOfBothPlatformsWithSbomsUnderTheBudget() throws Exception {
    Map<String, JsonNode> platforms = platforms("docker://" + image);
    assertThat(platforms).containsOnlyKeys("amd64", "arm64");
    for (var e : platforms.entrySet()) {
      JsonNode manifest =
          raw(
              "docker://"
                  + registry.host()
                  + "/slimbuild/executor@"
                  + e.getValue().get("digest").asText());
      long size = 0;
      for (JsonNode layer : manifest.get("layers")) {
        assertThat(layer.get("mediaType").asText()).endsWith("+zstd");
        size += layer.get("size").asLong();
      }
      assertThat(size)
          .as(e.getKey() + "'s compressed size")
          .isPositive()
          .isLessThanOrEqualTo(BUDGET);
    }
    // the layout tarball holds the same index
    Path tarball = release.dist().resolve("slimbuild-executor-" + version + ".oci.tar");
    assertThat(platforms("oci-archive:" + tarball + ":" + version)).isEqualTo(platforms);

    Map<String, String> env = BuildFixtures.isolatedEnv(dir.resolve("reader"));
    BuildFixtures.Run verify =
        BuildFixtures.run(
            env, "verify", "--key", release.publicKey().toString(), "--sign-format", "both", image);
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();

    BuildFixtures.Run sbom = BuildFixtures.run(env, "inspect", "--sbom", image);
    assertThat(sbom.code()).as(sbom.err()).isZero();
    assertThat(sbom.out())
        .contains(
            "pkg:deb/debian/libc6@",
            "pkg:deb/debian/busybox@",
            "pkg:deb/debian/bubblewrap@",
            "pkg:deb/debian/proot@",
            "pkg:deb/debian/ca-certificates@",
            "pkg:deb/debian/qemu-user-static@",
            "arch=arm64",
            "arch=amd64");
  }

  @Test
  void theAmd64ImageBuildsAndPushesAsNobodyUnderBwrap() throws Exception {
    // the image's files, as slimbuild itself exports them
    Path files = dir.resolve("amd64-files");
    Path from = dir.resolve("from");
    BuildFixtures.write(from.resolve("Dockerfile"), "FROM " + image + "\n");
    BuildFixtures.Run export =
        BuildFixtures.runIn(
            dir.resolve("exporter"),
            Map.of(),
            "build",
            "--platform",
            "linux/amd64",
            "--progress",
            "quiet",
            "-o",
            "type=local,dest=" + files,
            from.toString());
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(files.resolve("usr/bin/qemu-aarch64-static")).isRegularFile();
    assertThat(files.resolve("usr/bin/qemu-x86_64-static")).doesNotExist();
    assertThat(files.resolve("usr/bin/bwrap")).isRegularFile();
    assertThat(files.resolve("usr/bin/proot")).isRegularFile();
    assertThat(files.resolve("etc/ssl/certs/ca-certificates.crt")).isNotEmptyFile();

    // a context nobody can read, with a Dockerfile that RUNs on each platform
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM " + registry.base() + "\n" + "COPY hello.txt /\n" + "RUN uname -m > /arch\n");
    BuildFixtures.write(ctx.resolve("hello.txt"), "hello from the executor image\n");
    BuildToolsIT.ok(dir, "chmod", "a+x", dir.toString());
    BuildToolsIT.ok(dir, "chmod", "-R", "a+rX", ctx.toString());

    String pushed = registry.host() + "/team/app:1";
    boolean aot = Files.exists(files.resolve("opt/slimbuild/lib/slimbuild.aot"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "env",
                "-i",
                "PATH=/usr/bin:/bin",
                "setpriv",
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--clear-groups",
                BusyboxBase.requireTool("bwrap", "bubblewrap"),
                "--bind",
                files.toString(),
                "/",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                "--ro-bind",
                ctx.toString(),
                "/tmp/ctx",
                "--chdir",
                "/tmp",
                "--clearenv",
                "--setenv",
                "PATH",
                "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--setenv",
                "HOME",
                "/tmp",
                // the runtime must use the class-data archive the image carries, or not start
                "--setenv",
                "JAVA_OPTS",
                aot ? "-XX:AOTMode=on" : "-Xshare:on",
                "/bin/sh",
                "-c",
                "id -u && slimbuild --version && slimbuild build --progress plain"
                    + " --platform linux/amd64,linux/arm64 --push -t "
                    + pushed
                    + " ctx"));
    BuildToolsIT.Result r = BuildToolsIT.exec(dir, 900, cmd);
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).startsWith(NOBODY + "\nslimbuild " + version + "\n");
    assertThat(r.stderr())
        .contains("RUN sandbox for linux/amd64: ", "RUN sandbox for linux/arm64: ")
        .doesNotContain("Exception");

    // the pushed index, read back by skopeo; each platform's RUN ran as that platform
    Map<String, JsonNode> platforms = platforms("docker://" + pushed);
    assertThat(platforms).containsOnlyKeys("amd64", "arm64");
    for (String[] p :
        List.of(new String[] {"amd64", "x86_64"}, new String[] {"arm64", "aarch64"})) {
      Path out = dir.resolve("check-" + p[0]);
      Path check = dir.resolve("check-ctx-" + p[0]);
      BuildFixtures.write(check.resolve("Dockerfile"), "FROM " + pushed + "\n");
      BuildFixtures.Run read =
          BuildFixtures.runIn(
              dir.resolve("reader-" + p[0]),
              Map.of(),
              "build",
              "--platform",
              "linux/" + p[0],
              "--progress",
              "quiet",
              "-o",
              "type=local,dest=" + out,
              check.toString());
      assertThat(read.code()).as(read.err()).isZero();
      assertThat(Files.readString(out.resolve("arch")).strip()).isEqualTo(p[1]);
      assertThat(Files.readString(out.resolve("hello.txt")))
          .isEqualTo("hello from the executor image\n");
    }
  }
}
