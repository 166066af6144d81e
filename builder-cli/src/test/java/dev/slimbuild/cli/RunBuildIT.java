package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.TarFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN end to end through the CLI: the two-platform busybox base from a real docker-registry, RUN
 * with every sandbox, for amd64 and arm64 (proot + qemu), cache mounts across builds, a failing
 * RUN, and the same build as root and as a user without privileges.
 */
class RunBuildIT {
  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("proot", "bwrap", "qemu-aarch64-static");

  @TempDir Path dir;

  private Map<String, String> env() {
    return BuildFixtures.isolatedEnv(dir);
  }

  private BuildFixtures.Run build(Path ctx, String out, String... extra) {
    // RUN's behaviour is under test here: every build runs its steps (--no-cache)
    return BuildFixtures.buildEveryStep(dir, registry.host(), out, ctx, extra);
  }

  private Path context(String name, String dockerfile) throws IOException {
    Path ctx = dir.resolve(name);
    BuildFixtures.write(ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\n" + dockerfile);
    return ctx;
  }

  /** Nothing a build made is left in {@code tmp} (its TMPDIR), and nothing below it mounted. */
  private static void assertNothingLeftIn(Path tmp) throws IOException {
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.toList()).as("work directories left in " + tmp).isEmpty();
    }
    assertNothingMountedUnder(tmp);
  }

  private static void assertNothingMountedUnder(Path dir) throws IOException {
    assertThat(Files.readAllLines(Path.of("/proc/self/mounts")))
        .noneMatch(l -> l.contains(dir.toString()));
  }

  private static List<String> history(BuildFixtures.Image image) {
    List<String> out = new ArrayList<>();
    for (JsonNode h : image.config().get("history")) {
      out.add(h.get("created_by").asText());
    }
    return out;
  }

  @Test
  void runsForAmd64AndArm64WithEnvUserWorkdirAndBuildKitHistory() throws Exception {
    Path ctx =
        context(
            "uname",
            "ARG GREETING=hello\n"
                + "ENV WHO=world\n"
                + "RUN uname -m > /arch && echo \"$GREETING $WHO $HOME\" > /env\n"
                + "USER app\n"
                + "WORKDIR /work/dir\n"
                + "RUN id -u > mine && id -g >> mine && pwd >> mine && echo $HOME >> mine\n");
    for (String[] p :
        List.of(new String[] {"amd64", "x86_64"}, new String[] {"arm64", "aarch64"})) {
      BuildFixtures.Run r = build(ctx, "out-" + p[0], "--platform", "linux/" + p[0]);
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.err()).contains("RUN sandbox for linux/" + p[0]);
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out-" + p[0]));
      // base, RUN, WORKDIR (creates /work/dir), RUN
      assertThat(image.layers().size()).isEqualTo(4);
      Map<String, TarFile> first = image.layerByName(1);
      assertThat(first.get("arch").text()).isEqualTo(p[1] + "\n");
      assertThat(first.get("env").text()).isEqualTo("hello world /root\n");
      assertThat(first.get("arch").uid()).isZero();
      Map<String, TarFile> last = image.lastLayer();
      assertThat(last.get("work/dir/mine").text()).isEqualTo("1000\n1000\n/work/dir\n/home/app\n");
      assertThat(last.get("work/dir/mine").uid()).isEqualTo(1000);
      assertThat(last.get("work/dir/mine").gid()).isEqualTo(1000);
      assertThat(history(image))
          .contains(
              "RUN |1 GREETING=hello /bin/sh -c uname -m > /arch && echo \"$GREETING $WHO"
                  + " $HOME\" > /env # buildkit");
      // the ARG is not in the image's environment
      assertThat(BuildFixtures.texts(image.config().get("config").get("Env")))
          .contains("WHO=world")
          .noneMatch(e -> e.startsWith("GREETING="));
    }
  }

  @Test
  void anOverlayAskedForThatThisRunCannotHaveIsAnErrorNotACopy() throws Exception {
    // as root, a non-root USER keeps its owners only under chroot: bwrap would need the copy
    Path ctx = context("overlay-user", "USER 1000:1000\nRUN true\n");
    BuildFixtures.Run r = build(ctx, "out", "--sandbox", "bwrap", "--run-rootfs", "overlay");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("Dockerfile:3: --run-rootfs overlay: this RUN cannot run on an overlay")
        .doesNotContain("\tat ");
    assertNothingLeftIn(dir.resolve("tmp"));
    assertThat(build(ctx, "out-auto", "--sandbox", "bwrap").code()).isZero();
  }

  @Test
  void everySandboxBuildsTheSameImageWithWhiteouts() throws Exception {
    Path ctx =
        context(
            "same",
            "RUN mkdir -p /opt/a && echo hi > /opt/a/f && ln -s f /opt/a/l && rm /etc/group"
                + " && chmod 0700 /opt/a\n"
                + "RUN [\"/bin/sh\", \"-c\", \"echo exec > /opt/a/g && rm /opt/a/f\"]\n");
    List<String> digests = new ArrayList<>();
    for (String sandbox : List.of("bwrap", "chroot", "proot")) {
      for (String rootfs : List.of("overlay", "copy")) {
        String out = "out-" + sandbox + "-" + rootfs;
        BuildFixtures.Run r = build(ctx, out, "--sandbox", sandbox, "--run-rootfs", rootfs);
        assertThat(r.code()).as(sandbox + ": " + r.err()).isZero();
        assertThat(r.err())
            .contains(
                rootfs.equals("overlay")
                    ? "RUN root filesystem: overlay over the image's files"
                    : "RUN root filesystem: copied into a work directory (--run-rootfs copy)");
        digests.add(r.digest());
        BuildFixtures.Image image = BuildFixtures.image(dir.resolve(out));
        List<TarFile> first = image.layerFiles(image.layers().size() - 2);
        // opt/a/f is deleted by the next RUN of the stage, so it is not carried (no wasted bytes)
        assertThat(first)
            .extracting(TarFile::name)
            .containsExactly("etc", "etc/.wh.group", "opt", "opt/a", "opt/a/l");
        assertThat(first.get(3).mode()).isEqualTo(0700);
        Map<String, TarFile> second = image.lastLayer();
        assertThat(second.keySet())
            .containsExactlyInAnyOrder("opt", "opt/a", "opt/a/.wh.f", "opt/a/g");
        assertThat(second.get("opt/a/g").text()).isEqualTo("exec\n");
        assertThat(history(image))
            .contains("RUN /bin/sh -c echo exec > /opt/a/g && rm /opt/a/f" + " # buildkit");
      }
    }
    assertThat(digests)
        .as("bwrap, chroot, proot; overlay and copy")
        .hasSize(6)
        .containsOnly(digests.get(0));
  }

  @Test
  void anOverlayAndACopyOfTheStageGiveTheSameLayers() throws Exception {
    // RUNs in a row share one overlay chain; the COPY between them makes the next RUN start over
    Path ctx =
        context(
            "rootfs",
            "RUN mkdir -p /srv/x/sub && echo old > /srv/x/old && echo keep > /srv/keep"
                + " && ln -s old /srv/x/l\n"
                + "COPY f.txt /srv/x/f\n"
                + "RUN rm -rf /srv/x && mkdir /srv/x && echo new > /srv/x/new && chmod 0600 /srv/keep"
                + " && rm /etc/group\n"
                + "RUN echo again >> /srv/x/new && mkdir -p /srv/y && mv /srv/keep /srv/y/keep"
                + " && ln /srv/y/keep /srv/y/hard && touch /etc/passwd\n");
    BuildFixtures.write(ctx.resolve("f.txt"), "copied\n");
    for (String rootfs : List.of("overlay", "copy")) {
      String out = "out-" + rootfs;
      BuildFixtures.Run r =
          build(ctx, out, "--sandbox", "bwrap", "--run-rootfs", rootfs, "--no-optimize");
      assertThat(r.code()).as(rootfs + ": " + r.err()).isZero();
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve(out));
      Map<String, TarFile> replaced = image.layerByName(image.layers().size() - 2);
      if (rootfs.equals("overlay")) {
        // overlayfs marks the directory made again opaque
        assertThat(replaced.keySet())
            .containsExactlyInAnyOrder(
                "etc",
                "etc/.wh.group",
                "srv",
                "srv/keep",
                "srv/x",
                "srv/x/.wh..wh..opq",
                "srv/x/new");
      } else {
        // the copy path knows a directory was made again only by a new inode number, and the
        // kernel may hand the old one out again: then each old entry gets its own whiteout, which
        // hides the same files
        assertThat(replaced.keySet())
            .containsAnyOf("srv/x/.wh..wh..opq", "srv/x/.wh.old")
            .contains("etc", "etc/.wh.group", "srv", "srv/keep", "srv/x", "srv/x/new");
      }
      assertThat(replaced.get("srv/keep").mode()).isEqualTo(0600);
      Map<String, TarFile> last = image.lastLayer();
      assertThat(last.keySet())
          .as(rootfs)
          .containsExactlyInAnyOrder(
              "etc",
              "etc/passwd",
              "srv",
              "srv/.wh.keep",
              "srv/x",
              "srv/x/new",
              "srv/y",
              "srv/y/hard",
              "srv/y/keep");
      assertThat(last.get("srv/x/new").text()).isEqualTo("new\nagain\n");
      // the first in tar order carries the bytes
      assertThat(last.get("srv/y/hard").type()).isEqualTo('f');
      assertThat(last.get("srv/y/hard").mode()).isEqualTo(0600);
      assertThat(last.get("srv/y/keep").type()).isEqualTo('h');
    }
  }

  @Test
  void baseLayersMountedAsImagesGiveTheSameImageAsLayersUnpackedIntoFiles() throws Exception {
    // a base of three layers, one deleting a file and making a directory again (opaque)
    Path first = dir.resolve("multi");
    BuildFixtures.write(
        first.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "RUN mkdir -p /srv/d && echo a > /srv/d/a && echo b > /srv/b\n"
            + "RUN rm /srv/b && rm -rf /srv/d && mkdir /srv/d && echo c > /srv/d/c\n");
    String multi = registry.host() + "/run/multi:1";
    BuildFixtures.Run pushed =
        BuildFixtures.run(
            env(),
            "build",
            "--insecure-registry",
            registry.host(),
            "--no-optimize",
            "-t",
            multi,
            "--push",
            first.toString());
    assertThat(pushed.code()).as(pushed.err()).isZero();
    Path ctx = dir.resolve("on-multi");
    // a COPY before the RUN: its files are written over the mounted images
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + multi
            + "\n"
            + "COPY f.txt /srv/d/f\n"
            + "RUN find /srv | sort > /listing && cat /srv/d/c /srv/d/f >> /listing"
            + " && stat -c %a /srv/d >> /listing\n");
    BuildFixtures.write(ctx.resolve("f.txt"), "copied\n");
    List<String> digests = new ArrayList<>();
    for (String images : List.of("1", "0")) {
      Map<String, String> env = BuildFixtures.isolatedEnv(dir.resolve("images-" + images));
      env.put("SLIMBUILD_LAYER_IMAGES", images);
      String out = "out-images-" + images;
      BuildFixtures.Run r =
          BuildFixtures.run(
              env,
              "build",
              "--insecure-registry",
              registry.host(),
              "--progress",
              "plain",
              "--sandbox",
              "chroot",
              "-o",
              "type=oci,tar=false,dest=" + dir.resolve(out),
              ctx.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.err())
          .contains(images.equals("1") ? "(layer images mounted)" : "(lower directory written)");
      assertThat(BuildFixtures.image(dir.resolve(out)).lastLayer().get("listing").text())
          .isEqualTo("/srv\n/srv/d\n/srv/d/c\n/srv/d/f\nc\ncopied\n755\n");
      digests.add(r.digest());
    }
    assertThat(digests.get(0)).isEqualTo(digests.get(1));
    // images that no longer mount (their superblocks wiped) fall back to written files, said once
    Path store = dir.resolve("images-1").resolve("store");
    List<Path> images;
    try (Stream<Path> s = Files.walk(store)) {
      images = s.filter(p -> p.getFileName().toString().equals("layer.erofs")).toList();
    }
    assertThat(images).hasSize(3); // the busybox layer and the two RUN layers of the base
    for (Path image : images) {
      try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.allocate(128), 1024);
      }
    }
    Map<String, String> env = BuildFixtures.isolatedEnv(dir.resolve("images-1"));
    BuildFixtures.Run r =
        BuildFixtures.run(
            env,
            "build",
            "--no-cache",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            "--sandbox",
            "chroot",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("out-wiped"),
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("layer images did not mount", "(lower directory written)");
    assertThat(r.digest()).isEqualTo(digests.get(0));
    assertNothingMountedUnder(dir);
  }

  @Test
  void aRunSeesWhatACopyBetweenTwoRunsOfTheStageWrote() throws Exception {
    // the first RUN leaves a work directory; the COPY's layer is pending until the stage ends,
    // and the second RUN must still see its files (the work directory is written anew)
    Path ctx =
        context(
            "copy-between",
            "RUN echo one > /one\n"
                + "WORKDIR /src\n"
                + "COPY a.txt ./\n"
                + "RUN cat /one a.txt > both\n");
    BuildFixtures.write(ctx.resolve("a.txt"), "copied\n");
    BuildFixtures.Run r = build(ctx, "out", "--sandbox", "bwrap");
    assertThat(r.code()).as(r.err()).isZero();
    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    assertThat(image.lastLayer().get("src/both").text()).isEqualTo("one\ncopied\n");
  }

  @Test
  void aCacheMountKeepsItsContentsAcrossBuildsAndStaysOutOfTheLayer() throws Exception {
    Path ctx =
        context(
            "cache",
            "RUN --mount=type=cache,target=/var/cache/app"
                + " echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /count\n"
                + "RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /seen\n");
    for (int i = 1; i <= 2; i++) {
      BuildFixtures.Run r = build(ctx, "out-" + i);
      assertThat(r.code()).as(r.err()).isZero();
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out-" + i));
      List<TarFile> run1 = image.layerFiles(image.layers().size() - 2);
      assertThat(run1).extracting(TarFile::name).containsExactly("count");
      assertThat(run1.get(0).text().trim()).isEqualTo(Integer.toString(i));
      assertThat(image.lastLayer().keySet()).containsExactly("seen");
      assertThat(image.lastLayer().get("seen").text()).isEqualTo("x\n");
    }
    try (Stream<Path> s = Files.list(dir.resolve("cache/slimbuild/run-cache"))) {
      assertThat(s.filter(Files::isDirectory).count()).isEqualTo(1);
    }
  }

  @Test
  void aBindMountFromAStageAndFromTheContextIsReadOnlyByDefault() throws Exception {
    Path ctx = dir.resolve("bind");
    BuildFixtures.write(ctx.resolve("data/in.txt"), "from the context\n");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + " AS build\n"
            + "RUN mkdir /out && echo built > /out/result\n"
            + "FROM "
            + registry.base()
            + "\n"
            + "RUN --mount=type=bind,from=build,source=/out,target=/mnt/b"
            + " --mount=type=bind,source=data,target=/mnt/c"
            + " cat /mnt/b/result /mnt/c/in.txt > /got && (touch /mnt/c/new 2>/dev/null"
            + " && echo writable || echo read-only) >> /got\n");
    BuildFixtures.Run r = build(ctx, "out", "--sandbox", "bwrap");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, TarFile> last = BuildFixtures.image(dir.resolve("out")).lastLayer();
    assertThat(last.get("got").text()).isEqualTo("built\nfrom the context\nread-only\n");
    assertThat(last.keySet()).containsExactly("got");
    assertThat(ctx.resolve("data/new")).doesNotExist();
  }

  @Test
  void aBuildWithoutPrivilegesGivesTheSameImageAsARootBuild() throws Exception {
    String dockerfile =
        "FROM "
            + registry.base()
            + "\n"
            + "RUN mkdir /opt && echo hi > /opt/f && chmod 0640 /opt/f && ln -s /opt/f /link"
            + " && rm /etc/group && mkdir -m 0700 /opt/private\n"
            + "USER app\n"
            + "RUN echo app > /tmp/mine && mkdir /home/app/d\n";
    // a directory nobody (65534) can use: not under the test's 0700 temporary directory
    Path shared = Files.createTempDirectory(Path.of("/tmp"), "slimbuild-nobody-");
    try {
      Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
      Path ctx = shared.resolve("ctx");
      BuildFixtures.write(ctx.resolve("Dockerfile"), dockerfile);
      // provenance names the builder's version, which differs between the jar and the classes
      BuildFixtures.Run asRoot = build(ctx, "out-root", "--sandbox", "proot", "--provenance=false");
      assertThat(asRoot.code()).as(asRoot.err()).isZero();

      String java = ProcessHandle.current().info().command().orElseThrow();
      Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
      assertThat(jar).isRegularFile();
      // as nobody: proot and bwrap on an overlay in a user namespace, and proot on a copy
      for (String[] way :
          new String[][] {
            {"proot", "auto", "overlay over the image's files, in a user namespace"},
            {"bwrap", "auto", "overlay over the image's files, in a user namespace"},
            {"proot", "copy", "copied into a work directory (--run-rootfs copy)"}
          }) {
        Path home = shared.resolve("home-" + way[0] + "-" + way[1]);
        List<String> cmd =
            List.of(
                "env",
                "-i",
                "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME=" + home,
                "TMPDIR=" + shared.resolve("tmp"),
                "SLIMBUILD_STORE=" + shared.resolve("store"),
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                java,
                "-jar",
                jar.toString(),
                "build",
                "--no-cache",
                "--insecure-registry",
                registry.host(),
                "--sandbox",
                way[0],
                "--run-rootfs",
                way[1],
                "--progress",
                "plain",
                "--provenance=false",
                "-o",
                "type=oci,tar=false,dest=" + shared.resolve("out-nobody-" + way[0] + "-" + way[1]),
                ctx.toString());
        BuildToolsIT.Result r = BuildToolsIT.exec(shared, 300, cmd);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.all()).contains("RUN root filesystem: " + way[2]);
        assertThat(r.out().trim())
            .as("image digest as nobody, " + String.join(" ", way))
            .isEqualTo(asRoot.digest());
      }
      assertNothingLeftIn(shared.resolve("tmp"));

      // and the owners are the image's, not the builder's
      BuildFixtures.Image image = BuildFixtures.image(shared.resolve("out-nobody-proot-auto"));
      Map<String, TarFile> first = image.layerByName(1);
      assertThat(first.get("opt/f").uid()).isZero();
      assertThat(first.get("opt/f").mode()).isEqualTo(0640);
      assertThat(first.get("opt/private").mode()).isEqualTo(0700);
      assertThat(first).containsKey("etc/.wh.group");
      Map<String, TarFile> last = image.lastLayer();
      // /tmp/mine is stripped (the tmp rule for RUN layers); the new directory keeps the RUN's user
      assertThat(last).doesNotContainKey("tmp/mine");
      assertThat(last.get("home/app/d").uid()).isEqualTo(1000);
      assertThat(last.get("home/app/d").gid()).isEqualTo(1000);
      assertThat(last.get("home").uid()).isZero();
    } finally {
      BuildToolsIT.exec(Path.of("/tmp"), "rm", "-rf", shared.toString());
    }
  }

  @Test
  void hereDocumentsRunAsBuildKitRunsThemInEverySandbox() throws Exception {
    Path ctx =
        context(
            "heredocs",
            "ARG WHO=arg\n"
                + "ENV GREETING=hello\n"
                // a lone heredoc: the body is the SHELL's script
                + "RUN <<EOF\n"
                + "mkdir -p /out\n"
                + "echo \"one $GREETING $WHO\" > /out/one\n"
                + "  echo two > /out/two\n"
                + "EOF\n"
                // a #! body runs from a file under /dev/pipes that stays out of the layer
                + "RUN <<EOF\n"
                + "#!/bin/sh\n"
                + "echo \"$0\" > /out/shebang\n"
                + "ls /dev/pipes >> /out/shebang\n"
                + "EOF\n"
                // the interpreter is the #! line's (awk), given "-f" and the script
                + "RUN <<EOF\n"
                + "#!/usr/bin/awk -f\n"
                + "BEGIN { print \"awk ran\" > \"/out/awk\" }\n"
                + "EOF\n"
                // the shell reads heredocs of any other line: unquoted expanded, quoted not
                + "RUN cat <<EOF > /greeting && cat <<'RAW' > /raw\n"
                + "$GREETING $WHO\n"
                + "EOF\n"
                + "$GREETING $WHO\n"
                + "RAW\n"
                // <<- strips leading tabs, in the shell and for a lone heredoc
                + "RUN cat <<-EOF > /tabs\n"
                + "\t\tindented\n"
                + "\tEOF\n"
                + "RUN <<-EOF\n"
                + "\techo lone > /out/lone-tabs\n"
                + "\tEOF\n"
                // a #! script for a user without privileges
                + "USER app\n"
                + "RUN <<EOF\n"
                + "#!/bin/sh\n"
                + "id -u > /home/app/ran\n"
                + "EOF\n");
    List<String> digests = new ArrayList<>();
    for (String sandbox : List.of("bwrap", "chroot", "proot")) {
      BuildFixtures.Run r = build(ctx, "out-" + sandbox, "--sandbox", sandbox);
      assertThat(r.code()).as(sandbox + ": " + r.err()).isZero();
      digests.add(r.digest());
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out-" + sandbox));
      // base and seven RUNs
      assertThat(image.layers()).as(sandbox).hasSize(8);
      Map<String, TarFile> files = new HashMap<>();
      for (int i = 1; i < image.layers().size(); i++) {
        for (TarFile f : image.layerFiles(i)) {
          assertThat(f.name())
              .as(sandbox + ": no script or mount point in a layer")
              .doesNotStartWith("dev");
          files.put(f.name(), f);
        }
      }
      assertThat(image.layerFiles(2))
          .extracting(TarFile::name)
          .as(sandbox)
          .containsExactly("out", "out/shebang");
      assertThat(files.get("out/one").text()).isEqualTo("one hello arg\n");
      assertThat(files.get("out/two").text()).isEqualTo("two\n");
      assertThat(files.get("out/shebang").text()).isEqualTo("/dev/pipes/EOF\nEOF\n");
      assertThat(files.get("out/awk").text()).isEqualTo("awk ran\n");
      assertThat(files.get("greeting").text()).isEqualTo("hello arg\n");
      assertThat(files.get("raw").text()).isEqualTo("$GREETING $WHO\n");
      assertThat(files.get("tabs").text()).isEqualTo("indented\n");
      assertThat(files.get("out/lone-tabs").text()).isEqualTo("lone\n");
      assertThat(files.get("home/app/ran").text()).isEqualTo("1000\n");
      assertThat(files.get("home/app/ran").uid()).isEqualTo(1000);
      assertThat(history(image))
          .contains(
              "RUN |1 WHO=arg /bin/sh -c mkdir -p /out\necho \"one $GREETING $WHO\" > /out/one\n"
                  + "  echo two > /out/two\n # buildkit",
              "RUN |1 WHO=arg /bin/sh -c /dev/pipes/EOF # buildkit",
              "RUN |1 WHO=arg /bin/sh -c cat <<EOF > /greeting && cat <<'RAW' > /raw\n"
                  + "$GREETING $WHO\nEOF\n$GREETING $WHO\nRAW # buildkit",
              "RUN |1 WHO=arg /bin/sh -c cat <<-EOF > /tabs\n\t\tindented\nEOF # buildkit",
              "RUN |1 WHO=arg /bin/sh -c echo lone > /out/lone-tabs\n # buildkit");
    }
    assertThat(digests).as("bwrap, chroot, proot").containsOnly(digests.get(0));
  }

  @Test
  void aFailingRunNamesItsLineExitCodeAndOutputAndLeavesNoWorkDirectory() throws Exception {
    Path ctx = context("fail", "RUN echo first > /f\nRUN echo one; echo two >&2; exit 3\n");
    BuildFixtures.Run r = build(ctx, "out");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "Dockerfile:3: RUN /bin/sh -c echo one; echo two >&2; exit 3 failed with exit"
                + " code 3")
        .contains("its last output:", "\n  one\n", "\n  two\n") // stdout, stderr: any order
        .doesNotContain("\tat dev.slimbuild");
    // and no overlay (the RUN ran on one: the tests run as root) is left mounted
    assertThat(r.err()).contains("RUN root filesystem: overlay over the image's files");
    assertNothingLeftIn(dir.resolve("tmp"));
    BuildFixtures.Run heredoc =
        build(context("heredoc", "RUN <<EOF\necho hi\nexit 4\nEOF\n"), "out2");
    assertThat(heredoc.code()).isEqualTo(1);
    assertThat(heredoc.err())
        .contains("Dockerfile:2: RUN <<EOF (echo hi...) failed with exit code 4", "\n  hi");
    BuildFixtures.Run secret =
        build(
            context("secret", "RUN --mount=type=secret,id=x,required cat /run/secrets/x\n"),
            "out3");
    assertThat(secret.code()).isEqualTo(1);
    assertThat(secret.err())
        .contains(
            "Dockerfile:2: RUN --mount=type=secret,id=x,required: the"
                + " build has no secret 'x'");
    // it failed before its first RUN took the background probes: they are done and gone too
    assertNothingLeftIn(dir.resolve("tmp"));
    assertNothingMountedUnder(dir);
  }

  @Test
  void aBuildStoppedByASignalLeavesNoMountAndNoWorkDirectory() throws Exception {
    Path ctx = context("stopped", "RUN echo started && sleep 60\n");
    Path tmp = Files.createDirectories(dir.resolve("stopped-tmp"));
    String javaBin = ProcessHandle.current().info().command().orElseThrow();
    Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "-jar",
                jar.toString(),
                "build",
                "--insecure-registry",
                registry.host(),
                "--sandbox",
                "bwrap",
                "--progress",
                "plain",
                ctx.toString())
            .redirectErrorStream(true);
    pb.environment().putAll(env());
    pb.environment().put("TMPDIR", tmp.toString());
    Process p = pb.start();
    try {
      // wait (bounded: the output ends with the process) until the RUN is running on its overlay
      List<String> seen = new ArrayList<>();
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          seen.add(line);
          if (line.endsWith("] started")) {
            break;
          }
        }
        assertThat(seen)
            .as("build output")
            .anyMatch(l -> l.endsWith("] started"))
            .contains("RUN root filesystem: overlay over the image's files");
        p.destroy(); // SIGTERM to the build this test started
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      p.destroyForcibly();
    }
    assertNothingLeftIn(tmp);
  }

  @Test
  void runNetworkNoneSeesOnlyLoopbackAndTheDefaultSeesTheHostsInterfaces() throws Exception {
    // /proc/net/dev lists the interfaces of the RUN's network namespace, one per line after two
    // header lines
    Path ctx =
        context(
            "network",
            "RUN --network=none sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d ' ' > /none\n"
                + "RUN sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d ' ' > /host\n");
    List<String> netDev = Files.readAllLines(Path.of("/proc/net/dev"));
    List<String> hostInterfaces = new ArrayList<>();
    for (String line : netDev.subList(2, netDev.size())) {
      hostInterfaces.add(line.substring(0, line.indexOf(':')).trim());
    }
    for (String sandbox : List.of("bwrap", "chroot")) {
      BuildFixtures.Run r = build(ctx, "out-" + sandbox, "--sandbox", sandbox);
      assertThat(r.code()).as(sandbox + ": " + r.err()).isZero();
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out-" + sandbox));
      Map<String, TarFile> none = image.layerByName(image.layers().size() - 2);
      assertThat(none.get("none").text().lines().toList()).as(sandbox).containsExactly("lo");
      assertThat(image.lastLayer().get("host").text().lines().toList())
          .as(sandbox)
          .containsExactlyInAnyOrderElementsOf(hostInterfaces);
    }
  }
}
