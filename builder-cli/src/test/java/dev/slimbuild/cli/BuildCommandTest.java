package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.image;
import static dev.slimbuild.cli.BuildFixtures.texts;
import static dev.slimbuild.cli.BuildFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.Image;
import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.cli.BuildFixtures.TarFile;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.ImageValidator;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.OciSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slimbuild build} through the CLI, in-process, reading the OCI layout it writes. */
class BuildCommandTest {
  @TempDir Path dir;

  private Run build(Path context, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", "--progress", "quiet"));
    args.addAll(List.of(extra));
    args.add(context.toString());
    return BuildFixtures.run(
        Map.of("SLIMBUILD_STORE", dir.resolve("store").toString()), args.toArray(new String[0]));
  }

  /** Builds into an OCI layout, asserts success, validates everything and reads it back. */
  private Image buildOci(Path context, String... extra) throws IOException {
    Path out = dir.resolve("out-" + Long.toHexString(System.nanoTime()));
    List<String> args = new ArrayList<>(List.of("-o", "type=oci,tar=false,dest=" + out));
    args.addAll(List.of(extra));
    Run r = build(context, args.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.digest()).startsWith("sha256:");
    validate(out);
    Image img = image(out);
    assertThat(img.index().get("manifests").get(0).get("digest").asText()).isEqualTo(r.digest());
    return img;
  }

  /** Every document validates against the OCI schemas and ImageValidator finds nothing. */
  static void validate(Path layout) throws IOException {
    OciSchemas.validate("layoutheader", Files.readAllBytes(layout.resolve("oci-layout")));
    OciSchemas.validate("index", Files.readAllBytes(layout.resolve("index.json")));
    JsonNode index = BuildFixtures.JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
    for (JsonNode m : index.get("manifests")) {
      checkDocument(layout, m);
      Descriptor top =
          Descriptor.of(
              m.get("mediaType").asText(),
              Digest.parse(m.get("digest").asText()),
              m.get("size").asLong());
      assertThat(new ImageValidator(new BlobStore(layout)).problems(top)).isEmpty();
    }
  }

  private static void checkDocument(Path layout, JsonNode desc) {
    String mt = desc.get("mediaType").asText();
    byte[] bytes = BuildFixtures.bytes(layout, desc.get("digest").asText());
    if (mt.contains("index")) {
      OciSchemas.validate("index", bytes);
      BuildFixtures.json(layout, desc.get("digest").asText())
          .get("manifests")
          .forEach(m -> checkDocument(layout, m));
    } else {
      OciSchemas.validate("manifest", bytes);
      JsonNode manifest = BuildFixtures.json(layout, desc.get("digest").asText());
      OciSchemas.validate(
          "config", BuildFixtures.bytes(layout, manifest.get("config").get("digest").asText()));
    }
  }

  private Path context(String dockerfile) throws IOException {
    Path ctx = Files.createTempDirectory(dir, "ctx");
    write(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  // ---------------------------------------------------------------- config instructions
  @Test
  void progressPlainPrintsOneLinePerStepAndQuietPrintsNothing() throws Exception {
    Path ctx = context("FROM scratch AS app\nLABEL a=b\nCOPY f /f\nUSER 1000\n");
    write(ctx.resolve("f"), "x\n");
    Map<String, String> env = Map.of("SLIMBUILD_STORE", dir.resolve("store").toString());
    BuildFixtures.Run plain =
        BuildFixtures.run(
            env,
            "build",
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("plain"),
            ctx.toString());
    assertThat(plain.code()).as(plain.err()).isZero();
    // a line when each step starts and one when it ends (with its time), then one per layer
    // written when the stage ends
    List<String> steps =
        plain.err().lines().filter(l -> l.matches("\\[linux/\\w+\\] \\[app \\d/3\\] .*")).toList();
    assertThat(steps).hasSize(6);
    String[] texts = {"LABEL a=b", "COPY f /f", "USER 1000"};
    for (int i = 0; i < 3; i++) {
      assertThat(steps.get(2 * i)).isEqualTo("[linux/amd64] [app " + (i + 1) + "/3] " + texts[i]);
      assertThat(steps.get(2 * i + 1))
          .startsWith(steps.get(2 * i) + "  ")
          .matches(".+  \\d+\\.\\d\\ds");
    }
    assertThat(plain.err().lines().filter(l -> l.matches("\\[linux/\\w+\\] \\[app 2\\] layer .*")))
        .singleElement()
        .satisfies(l -> assertThat(l).endsWith("COPY f /f"));
    BuildFixtures.Run quiet =
        BuildFixtures.run(
            env,
            "build",
            "--progress",
            "quiet",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("quiet"),
            ctx.toString());
    assertThat(quiet.code()).as(quiet.err()).isZero();
    assertThat(quiet.err()).isEmpty();
    assertThat(quiet.digest()).isEqualTo(plain.digest());
    // the mode is case-insensitive everywhere, the size report included
    BuildFixtures.Run upper =
        BuildFixtures.run(
            env,
            "build",
            "--progress",
            "QUIET",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("upper"),
            ctx.toString());
    assertThat(upper.code()).as(upper.err()).isZero();
    assertThat(upper.err()).isEmpty();
    BuildFixtures.Run bad = BuildFixtures.run(env, "build", "--progress", "fancy", ctx.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("invalid --progress 'fancy'");
  }

  @Test
  void sourceDateEpochFromTheEnvironmentAndHardlinkedDuplicates() throws Exception {
    Path ctx = context("FROM scratch\nCOPY a.txt b.txt /d/\n");
    write(ctx.resolve("a.txt"), "same bytes\n");
    write(ctx.resolve("b.txt"), "same bytes\n");
    Path out = dir.resolve("out-epoch");
    BuildFixtures.Run r =
        BuildFixtures.run(
            Map.of(
                "SLIMBUILD_STORE",
                dir.resolve("store").toString(),
                "SOURCE_DATE_EPOCH",
                "1700000000"),
            "build",
            "--progress",
            "quiet",
            "--hardlink-duplicates",
            "-o",
            "type=oci,tar=false,dest=" + out,
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Image img = image(out);
    assertThat(img.config().get("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
    List<TarFile> files = img.layerFiles(0);
    assertThat(files)
        .filteredOn(f -> f.name().equals("d/a.txt"))
        .singleElement()
        .satisfies(f -> assertThat(f.type()).isEqualTo('f'));
    assertThat(files)
        .filteredOn(f -> f.name().equals("d/b.txt"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.type()).isEqualTo('h');
              assertThat(f.link()).isEqualTo("d/a.txt");
            });
  }

  @Test
  void expansionAppliesWhereDockerExpandsAndNotToCmdOrEntrypoint() throws Exception {
    Path ctx =
        context(
            """
            FROM scratch
            ARG U=4242 P=9000 V=/vol SIG=SIGINT D=/srv F=data.txt M=0640 NAME=world
            USER $U
            EXPOSE ${P}/udp
            VOLUME $V
            STOPSIGNAL $SIG
            WORKDIR $D
            COPY --chown=$U:$U --chmod=$M $F ${D}/copied.txt
            COPY <<EOF greeting.txt
            hello $NAME
            EOF
            CMD echo $NAME
            ENTRYPOINT ["/bin/echo", "$NAME"]
            """);
    write(ctx.resolve("data.txt"), "data\n");
    Image img = buildOci(ctx);
    JsonNode c = img.config().get("config");
    assertThat(c.get("User").asText()).isEqualTo("4242");
    assertThat(iterableNames(c.get("ExposedPorts"))).containsExactly("9000/udp");
    assertThat(iterableNames(c.get("Volumes"))).containsExactly("/vol");
    assertThat(c.get("StopSignal").asText()).isEqualTo("SIGINT");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/srv");
    assertThat(texts(c.get("Entrypoint"))).containsExactly("/bin/echo", "$NAME");
    // ENTRYPOINT after CMD in the same stage keeps the CMD; the shell expands it at run time
    assertThat(texts(c.get("Cmd"))).containsExactly("/bin/sh", "-c", "echo $NAME");
    List<TarFile> copied = img.layerFiles(1);
    assertThat(copied)
        .filteredOn(f -> f.name().equals("srv/copied.txt"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.mode()).isEqualTo(0640);
              assertThat(f.uid()).isEqualTo(4242);
              assertThat(f.gid()).isEqualTo(4242);
            });
    List<TarFile> heredoc = img.layerFiles(2);
    assertThat(heredoc)
        .filteredOn(f -> f.name().equals("srv/greeting.txt"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(new String(f.data(), StandardCharsets.UTF_8))
                    .isEqualTo("hello world\n"));
  }

  @Test
  void configInstructionsAndHistory() throws Exception {
    Path ctx =
        context(
            """
            ARG BASE=scratch
            FROM ${BASE}
            ARG VERSION=1.0
            ENV APP_HOME=/opt/app LEVEL=$VERSION
            LABEL org.example.version=$VERSION "quoted key"=yes
            WORKDIR $APP_HOME
            COPY app.txt .
            USER 1000:1000
            EXPOSE 8080 53/udp
            VOLUME ["/data"]
            SHELL ["/bin/bash", "-c"]
            STOPSIGNAL SIGTERM
            HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD check --now
            ENTRYPOINT ["/opt/app/run"]
            CMD echo hello
            WORKDIR /opt/app
            """);
    write(ctx.resolve("app.txt"), "app\n");
    Image img =
        buildOci(
            ctx,
            "--build-arg",
            "VERSION=2.5",
            "--label",
            "extra=1",
            "--platform",
            "linux/amd64",
            "--source-date-epoch",
            "1700000000");
    JsonNode cfg = img.config();
    assertThat(cfg.get("architecture").asText()).isEqualTo("amd64");
    assertThat(cfg.get("os").asText()).isEqualTo("linux");
    assertThat(cfg.get("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
    JsonNode c = cfg.get("config");
    assertThat(texts(c.get("Env")))
        .containsExactly(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "APP_HOME=/opt/app",
            "LEVEL=2.5");
    assertThat(c.get("Labels").get("org.example.version").asText()).isEqualTo("2.5");
    assertThat(c.get("Labels").get("quoted key").asText()).isEqualTo("yes");
    assertThat(c.get("Labels").get("extra").asText()).isEqualTo("1");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/opt/app");
    assertThat(c.get("User").asText()).isEqualTo("1000:1000");
    assertThat(iterableNames(c.get("ExposedPorts")))
        .containsExactlyInAnyOrder("8080/tcp", "53/udp");
    assertThat(iterableNames(c.get("Volumes"))).containsExactly("/data");
    assertThat(texts(c.get("Shell"))).containsExactly("/bin/bash", "-c");
    assertThat(c.get("StopSignal").asText()).isEqualTo("SIGTERM");
    assertThat(texts(c.get("Entrypoint"))).containsExactly("/opt/app/run");
    // CMD in shell form uses the SHELL set before it
    assertThat(texts(c.get("Cmd"))).containsExactly("/bin/bash", "-c", "echo hello");
    JsonNode hc = c.get("Healthcheck");
    assertThat(texts(hc.get("Test"))).containsExactly("CMD-SHELL", "check --now");
    assertThat(hc.get("Interval").asLong()).isEqualTo(30_000_000_000L);
    assertThat(hc.get("Timeout").asLong()).isEqualTo(5_000_000_000L);
    assertThat(hc.get("Retries").asInt()).isEqualTo(3);

    List<String> createdBy = new ArrayList<>();
    List<Boolean> empty = new ArrayList<>();
    for (JsonNode h : cfg.get("history")) {
      createdBy.add(h.get("created_by").asText());
      empty.add(h.has("empty_layer") && h.get("empty_layer").asBoolean());
      assertThat(h.get("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
    }
    assertThat(createdBy)
        .containsExactly(
            "ARG VERSION=2.5",
            "ENV APP_HOME=/opt/app LEVEL=2.5",
            "LABEL org.example.version=2.5 quoted key=yes",
            "WORKDIR /opt/app",
            "COPY app.txt . # buildkit",
            "USER 1000:1000",
            "EXPOSE [8080/tcp 53/udp]",
            "VOLUME [/data]",
            "SHELL [/bin/bash -c]",
            "STOPSIGNAL SIGTERM",
            "HEALTHCHECK {Test:[CMD-SHELL check --now] Interval:30s Timeout:5s StartPeriod:0s"
                + " StartInterval:0s Retries:3}",
            "ENTRYPOINT [\"/opt/app/run\"]",
            "CMD [\"/bin/bash\" \"-c\" \"echo hello\"]",
            "WORKDIR /opt/app");
    // layers: the first WORKDIR (creates /opt/app) and COPY; the second WORKDIR changes nothing
    assertThat(empty)
        .containsExactly(
            true, true, true, false, false, true, true, true, true, true, true, true, true, true);
    assertThat(img.layers()).hasSize(2);
    assertThat(cfg.get("rootfs").get("diff_ids")).hasSize(2);
    List<TarFile> workdirLayer = img.layerFiles(0);
    assertThat(workdirLayer)
        .extracting(TarFile::name, TarFile::type, TarFile::mode)
        .containsExactly(Tuple.tuple("opt", 'd', 0755), Tuple.tuple("opt/app", 'd', 0755));
    List<TarFile> copyLayer = img.layerFiles(1);
    assertThat(copyLayer)
        .extracting(TarFile::name)
        .containsExactly("opt", "opt/app", "opt/app/app.txt");
    assertThat(copyLayer.get(2).text()).isEqualTo("app\n");
  }

  // ---------------------------------------------------------------- COPY semantics

  @Test
  void copySemantics() throws Exception {
    Path ctx =
        context(
            """
            FROM scratch
            COPY src/*.txt /wild/
            COPY one.txt src/c.md /multi/
            COPY dir /contents
            COPY one.txt /renamed
            COPY --chmod=0600 exec.sh /chmod/
            COPY exec.sh /keepmode/
            COPY --chown=1234 one.txt /chown/num1
            COPY --chown=1234:99 one.txt /chown/num2
            COPY --exclude=*.log ex/ /ex/
            COPY . /all/
            """);
    write(ctx.resolve("src/a.txt"), "a");
    write(ctx.resolve("src/b.txt"), "b");
    write(ctx.resolve("src/c.md"), "c");
    write(ctx.resolve("dir/sub/x.txt"), "x");
    write(ctx.resolve("dir/y.txt"), "y");
    write(ctx.resolve("one.txt"), "one");
    write(ctx.resolve("exec.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        ctx.resolve("exec.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write(ctx.resolve("ex/keep.txt"), "keep");
    write(ctx.resolve("ex/skip.log"), "skip");
    write(ctx.resolve("ignored.txt"), "no");
    write(ctx.resolve("secret/key"), "no");
    write(ctx.resolve(".dockerignore"), "ignored.txt\nsecret\n");

    Image img = buildOci(ctx);
    Map<String, TarFile> fs = img.rootfs();
    assertThat(fs).containsKeys("wild/a.txt", "wild/b.txt").doesNotContainKey("wild/c.md");
    assertThat(fs.get("wild/a.txt").text()).isEqualTo("a");
    assertThat(fs).containsKeys("multi/one.txt", "multi/c.md");
    assertThat(fs).containsKeys("contents/sub/x.txt", "contents/y.txt");
    assertThat(fs.keySet()).noneMatch(k -> k.startsWith("contents/dir"));
    assertThat(fs.get("renamed").type()).isEqualTo('f');
    assertThat(fs.get("renamed").text()).isEqualTo("one");
    assertThat(fs.get("chmod/exec.sh").mode()).isEqualTo(0600);
    assertThat(fs.get("keepmode/exec.sh").mode()).isEqualTo(0755);
    assertThat(fs.get("keepmode/exec.sh").uid()).isZero();
    assertThat(fs.get("chown/num1"))
        .extracting(TarFile::uid, TarFile::gid)
        .containsExactly(1234L, 1234L);
    assertThat(fs.get("chown/num2"))
        .extracting(TarFile::uid, TarFile::gid)
        .containsExactly(1234L, 99L);
    assertThat(fs).containsKey("ex/keep.txt").doesNotContainKey("ex/skip.log");
    assertThat(fs).containsKeys("all/one.txt", "all/dir/sub/x.txt", "all/Dockerfile");
    assertThat(fs.keySet())
        .noneMatch(k -> k.startsWith("all/secret") || k.equals("all/ignored.txt"));
    // one layer per COPY
    assertThat(img.layers()).hasSize(10);
  }

  @Test
  void chownByNameReadsTheStagesPasswdAndGroup() throws Exception {
    Path ctx =
        context(
            """
            FROM scratch AS base
            COPY etc/ /etc/
            COPY --chown=app f /byname/f
            COPY --chown=app:staff f /byname/g
            COPY --chown=1001:staff f /byname/h
            FROM base
            COPY --chown=app f /inherited
            """);
    write(
        ctx.resolve("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n");
    write(ctx.resolve("etc/group"), "root:x:0:\nstaff:x:50:\napp:x:1002:\n");
    write(ctx.resolve("f"), "f");
    Map<String, TarFile> fs = buildOci(ctx).rootfs();
    assertThat(fs.get("byname/f"))
        .extracting(TarFile::uid, TarFile::gid)
        .containsExactly(1001L, 1002L);
    assertThat(fs.get("byname/g"))
        .extracting(TarFile::uid, TarFile::gid)
        .containsExactly(1001L, 50L);
    assertThat(fs.get("byname/h"))
        .extracting(TarFile::uid, TarFile::gid)
        .containsExactly(1001L, 50L);
    assertThat(fs.get("inherited"))
        .extracting(TarFile::uid, TarFile::gid)
        .containsExactly(1001L, 1002L);

    write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY etc/ /etc/\nCOPY --chown=nobody f /f\n");
    Run r = build(ctx);
    assertFails(r, 3, "nobody");
  }

  @Test
  void multiStageFromTargetAndPruning() throws Exception {
    Path ctx =
        context(
            """
            FROM scratch
            COPY one.txt /zero.txt
            FROM scratch AS broken
            RUN false
            FROM scratch AS named
            COPY two.txt /named.txt
            FROM scratch AS final
            COPY --from=0 /zero.txt /from-index.txt
            COPY --from=named /named.txt /from-name.txt
            FROM scratch AS other
            COPY --from=broken / /
            """);
    write(ctx.resolve("one.txt"), "1");
    write(ctx.resolve("two.txt"), "2");
    Map<String, TarFile> fs = buildOci(ctx, "--target", "final").rootfs();
    assertThat(fs.keySet()).containsExactly("from-index.txt", "from-name.txt");
    assertThat(fs.get("from-index.txt").text()).isEqualTo("1");
    assertThat(fs.get("from-name.txt").text()).isEqualTo("2");

    assertThat(buildOci(ctx, "--target", "named").rootfs().keySet()).containsExactly("named.txt");

    // the last stage needs the broken one: now it is built, and fails
    assertFails(build(ctx), 4, "the image has no /bin/sh");
    assertThat(build(ctx, "--target", "nosuch").code()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- flags

  @Test
  void fileFlagReadsADockerfileOutsideTheContextAndErrorsNameIt() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("only-context"));
    write(ctx.resolve("f"), "from the context\n");
    Path dockerfile = dir.resolve("elsewhere/app.Dockerfile");
    write(dockerfile, "FROM scratch\nCOPY f /f\n");
    assertThat(ctx.resolve("Dockerfile")).doesNotExist();

    Image img = buildOci(ctx, "-f", dockerfile.toString());
    assertThat(img.rootfs().get("f").text()).isEqualTo("from the context\n");

    write(dockerfile, "FROM scratch\nCOPY f /f\nFROBNICATE x\n");
    Run bad = build(ctx, "-f", dockerfile.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("error: " + dockerfile + ":3:").contains("FROBNICATE");
  }

  @Test
  void noDedupKeepsAFileALowerLayerAlreadyHas() throws Exception {
    // the second stage starts FROM the first: its layers are the lower ones
    Path ctx =
        context("FROM scratch AS base\nCOPY same first /d/\nFROM base\nCOPY same second /d/\n");
    write(ctx.resolve("same"), "identical bytes\n");
    write(ctx.resolve("first"), "1\n");
    write(ctx.resolve("second"), "2\n");

    Image dedup = buildOci(ctx);
    Image kept = buildOci(ctx, "--no-dedup");

    assertThat(dedup.layers().size()).isEqualTo(2);
    assertThat(kept.layers().size()).isEqualTo(2);
    assertThat(dedup.layerFiles(1))
        .extracting(TarFile::name)
        .contains("d/second")
        .doesNotContain("d/same");
    assertThat(kept.layerFiles(1)).extracting(TarFile::name).contains("d/second", "d/same");
    assertThat(kept.layerFiles(0)).extracting(TarFile::name).contains("d/first", "d/same");
    assertThat(dedup.rootfs().get("d/same").text()).isEqualTo("identical bytes\n");
  }

  @Test
  void versionAndHelpBuild() {
    Run version = BuildFixtures.run(Map.of(), "--version");
    assertThat(version.code()).isZero();
    assertThat(version.out()).matches("slimbuild (dev|\\d+\\.\\d+\\S*)\\R");

    Run help = BuildFixtures.run(Map.of(), "help", "build");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .startsWith("Usage: slimbuild build ")
        .contains("--compression-level=N", "--build-arg=KEY[=VALUE]", "--no-dedup", "CONTEXT")
        .doesNotContain("--store");
  }

  @Test
  void compressionLevelChangesTheLayerNotItsContentAndIsChecked() throws Exception {
    Path ctx = context("FROM scratch\nCOPY words.txt /\n");
    Random random = new Random(42);
    List<String> vocabulary = List.of("alpha", "beta", "gamma", "delta", "layer", "image", "zstd");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 40_000; i++) {
      text.append(vocabulary.get(random.nextInt(vocabulary.size())))
          .append(random.nextInt(1000))
          .append(i % 12 == 11 ? '\n' : ' ');
    }
    write(ctx.resolve("words.txt"), text.toString());

    Image standard = buildOci(ctx);
    Image high = buildOci(ctx, "--compression-level", "19");
    String standardLayer = standard.layers().get(0).get("digest").asText();
    String highLayer = high.layers().get(0).get("digest").asText();
    assertThat(highLayer).isNotEqualTo(standardLayer);
    assertThat(high.layers().get(0).get("size").asLong())
        .isLessThan(standard.layers().get(0).get("size").asLong());
    assertThat(texts(high.config().get("rootfs").get("diff_ids")))
        .isEqualTo(texts(standard.config().get("rootfs").get("diff_ids")));
    assertThat(high.layerFiles(0)).extracting(TarFile::text).contains(text.toString());

    Run bad = build(ctx, "--compression-level", "99");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("error: invalid --compression-level 99 for zstd: expected ");
  }

  @Test
  void buildArgWithoutValueTakesItFromTheEnvironment() throws Exception {
    Path ctx =
        context("FROM scratch\nARG GREETING\nARG ABSENT=default\nLABEL g=$GREETING a=$ABSENT\n");
    Path out = dir.resolve("out-env");
    Run r =
        BuildFixtures.run(
            Map.of("SLIMBUILD_STORE", dir.resolve("store").toString(), "GREETING", "from env"),
            "build",
            "--progress",
            "quiet",
            "--build-arg",
            "GREETING",
            "--build-arg",
            "ABSENT",
            "-o",
            "type=oci,tar=false,dest=" + out,
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode labels = image(out).config().get("config").get("Labels");
    assertThat(labels.get("g").asText()).isEqualTo("from env");
    // a KEY the environment lacks is not set: the ARG keeps its default
    assertThat(labels.get("a").asText()).isEqualTo("default");
  }

  // ---------------------------------------------------------------- ADD

  @Test
  void addExtractsLocalArchivesAndCopiesPlainFiles() throws Exception {
    Path ctx =
        context(
            """
            FROM scratch
            ADD a.tar /tar/
            ADD a.tar.gz /gz/
            ADD a.tar.xz /xz/
            ADD a.tar.bz2 /bz2/
            ADD a.tar.zst /zst/
            ADD notes.txt /notes.txt
            ADD notes.txt.gz /gzfile/
            """);
    byte[] tar =
        Archives.tar(
            List.of(
                Archives.dir("top/", 0750),
                Archives.file("top/file.txt", 0640, "in archive"),
                Archives.symlink("top/link", "file.txt")));
    Files.write(ctx.resolve("a.tar"), tar);
    Archives.compress(tar, ctx.resolve("a.tar.gz"), "gz");
    Archives.compress(tar, ctx.resolve("a.tar.xz"), "xz");
    Archives.compress(tar, ctx.resolve("a.tar.bz2"), "bz2");
    Archives.compress(tar, ctx.resolve("a.tar.zst"), "zst");
    write(ctx.resolve("notes.txt"), "plain notes\n");
    Archives.compress(
        "not a tar\n".getBytes(StandardCharsets.UTF_8), ctx.resolve("notes.txt.gz"), "gz");

    Map<String, TarFile> fs = buildOci(ctx).rootfs();
    for (String d : List.of("tar", "gz", "xz", "bz2", "zst")) {
      assertThat(fs.get(d + "/top/file.txt")).as(d).isNotNull();
      assertThat(fs.get(d + "/top/file.txt").text()).as(d).isEqualTo("in archive");
      assertThat(fs.get(d + "/top/file.txt").mode()).as(d).isEqualTo(0640);
      assertThat(fs.get(d + "/top").mode()).as(d).isEqualTo(0750);
      assertThat(fs.get(d + "/top/link").type()).as(d).isEqualTo('l');
      assertThat(fs.get(d + "/top/link").link()).as(d).isEqualTo("file.txt");
      String archive = d.equals("tar") ? "a.tar" : "a.tar." + d;
      assertThat(fs).as(d).doesNotContainKey(d + "/" + archive);
      // only the archive's entries: nothing else under d/
      assertThat(fs.keySet())
          .as(d)
          .allMatch(k -> !k.startsWith(d + "/") || k.startsWith(d + "/top"));
    }
    assertThat(fs.get("notes.txt").text()).isEqualTo("plain notes\n");
    // a compressed file that is not a tar is copied as it is
    assertThat(fs.get("gzfile/notes.txt.gz").type()).isEqualTo('f');
  }

  // ---------------------------------------------------------------- errors

  private static void assertFails(Run r, int line, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("error: Dockerfile:" + line + ":").contains(fragments);
    assertThat(r.err()).doesNotContain("\tat ", "Exception");
  }

  @Test
  void errorsNameTheDockerfileLine() throws Exception {
    Path ctx = context("FROM scratch\nRUN echo hi\n");
    assertFails(build(ctx), 2, "RUN /bin/sh -c echo hi: the image has no /bin/sh");

    write(ctx.getParent().resolve("x"), "outside");
    write(ctx.resolve("Dockerfile"), "FROM scratch\n\nCOPY ../x /x\n");
    assertFails(build(ctx), 3, "../x");

    Files.createSymbolicLink(ctx.resolve("out"), ctx.getParent().resolve("x").toAbsolutePath());
    write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY out /x\n");
    assertFails(build(ctx), 2, "out");

    write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY nothere /x\n");
    assertFails(build(ctx), 2, "nothere");

    write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY --from=alpine:3 /etc/passwd /x\n");
    assertFails(build(ctx), 2, "alpine:3");
  }

  @Test
  void hostileArchivesAreRefusedNamingTheEntry() throws Exception {
    Path ctx = context("FROM scratch\nADD evil.tar /x/\n");
    Files.write(
        ctx.resolve("evil.tar"),
        Archives.tar(
            List.of(
                Archives.file("ok.txt", 0644, "ok"), Archives.file("../escape.txt", 0644, "bad"))));
    assertFails(build(ctx), 2, "../escape.txt");

    Files.write(
        ctx.resolve("evil.tar"),
        Archives.tar(
            List.of(
                Archives.symlink("l", "/etc"),
                Archives.file("l/passwd", 0644, "root::0:0::/:/bin/sh"))));
    assertFails(build(ctx), 2, "l/passwd");

    Files.write(
        ctx.resolve("evil.tar"), Archives.tar(List.of(Archives.hardlink("h", "../../etc/shadow"))));
    assertFails(
        build(ctx), 2, "ADD evil.tar: entry '../../etc/shadow' refused: escapes the destination");
  }

  @Test
  void failedBuildLeavesNoOutputAndKeepsAnExistingOne() throws Exception {
    Path ctx = context("FROM scratch\nCOPY f /f\nRUN false\n");
    write(ctx.resolve("f"), "f");
    Path oci = dir.resolve("o/oci");
    Path tar = dir.resolve("o/image.tar");
    Path meta = dir.resolve("o/meta.json");
    Run r =
        build(
            ctx,
            "-o",
            "type=oci,tar=false,dest=" + oci,
            "-o",
            "type=docker,dest=" + tar,
            "--metadata-file",
            meta.toString());
    assertFails(r, 3, "RUN");
    assertThat(oci).doesNotExist();
    assertThat(tar).doesNotExist();
    assertThat(meta).doesNotExist();

    write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
    Run ok = build(ctx, "-o", "type=oci,tar=false,dest=" + oci, "-o", "type=docker,dest=" + tar);
    assertThat(ok.code()).as(ok.err()).isZero();
    byte[] index = Files.readAllBytes(oci.resolve("index.json"));
    byte[] archive = Files.readAllBytes(tar);

    write(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY g /g\n");
    assertFails(
        build(ctx, "-o", "type=oci,tar=false,dest=" + oci, "-o", "type=docker,dest=" + tar),
        2,
        "g");
    assertThat(Files.readAllBytes(oci.resolve("index.json"))).isEqualTo(index);
    assertThat(Files.readAllBytes(tar)).isEqualTo(archive);
    try (var s = Files.list(dir.resolve("o"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("image.tar", "oci");
    }
  }

  @Test
  void anUnwritableOutputFailsBeforeAnyOutputIsWritten() throws Exception {
    Path ctx = context("FROM scratch\nCOPY f /f\n");
    write(ctx.resolve("f"), "f");
    Path first = dir.resolve("p/first");
    Path file = dir.resolve("p/file");
    write(file, "not a layout");
    Run r =
        build(
            ctx, "-o", "type=oci,tar=false,dest=" + first, "-o", "type=oci,tar=false,dest=" + file);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: output ").contains("is not a directory");
    assertThat(first).doesNotExist();
    assertThat(file).hasContent("not a layout");

    Path foreign = dir.resolve("p/foreign");
    write(foreign.resolve("keep.txt"), "mine");
    r =
        build(
            ctx,
            "-o",
            "type=docker,dest=" + dir.resolve("p/img.tar"),
            "-o",
            "type=oci,tar=false,dest=" + foreign);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("is not an OCI layout");
    assertThat(dir.resolve("p/img.tar")).doesNotExist();
    assertThat(foreign.resolve("keep.txt")).hasContent("mine");

    r = build(ctx, "-o", "type=oci,tar=false,dest=" + first, "-o", "type=docker,dest=" + foreign);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("is a directory");
    assertThat(first).doesNotExist();
  }

  // ---------------------------------------------------------------- reproducibility

  private static final String REPRO_DOCKERFILE =
      """
      FROM scratch
      COPY . /app/
      COPY b/*.txt /wild/
      WORKDIR /app/work
      CMD ["/app/run"]
      """;

  /** Writes the same files in the given order, each with the given modification time. */
  private Path reproContext(String name, List<String> order, long mtimeSeconds) throws IOException {
    Path ctx = dir.resolve(name);
    Map<String, String> files =
        Map.of(
            "Dockerfile", REPRO_DOCKERFILE,
            "a.txt", "alpha\n",
            "b/one.txt", "one\n",
            "b/two.txt", "two\n",
            "b/deep/three.bin", "three\n",
            "c/empty", "");
    for (String f : order) {
      write(ctx.resolve(f), files.get(f));
    }
    try (var walk = Files.walk(ctx)) {
      for (Path p : walk.toList()) {
        // explicit modes: the golden digest must not depend on the umask
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeSeconds * 1000));
      }
    }
    return ctx;
  }

  @Test
  void sameSourcesInOtherDirsOrdersAndMtimesGiveTheSameDigest() throws Exception {
    Path first =
        reproContext(
            "first",
            List.of("Dockerfile", "a.txt", "b/one.txt", "b/two.txt", "b/deep/three.bin", "c/empty"),
            1_000_000);
    Path second =
        reproContext(
            "second",
            List.of("c/empty", "b/deep/three.bin", "b/two.txt", "a.txt", "Dockerfile", "b/one.txt"),
            1_600_000_000);
    Run one = build(first, "--platform", "linux/amd64");
    Run two = build(second, "--platform", "linux/amd64");
    assertThat(one.code()).as(one.err()).isZero();
    assertThat(two.code()).as(two.err()).isZero();
    assertThat(one.digest()).startsWith("sha256:").isEqualTo(two.digest());

    // a changed byte changes the digest (the comparison above can fail)
    write(second.resolve("b/two.txt"), "twO\n");
    Run three = build(second, "--platform", "linux/amd64");
    assertThat(three.digest()).isNotEqualTo(one.digest());
  }

  /**
   * The digest of one small image, pinned: any change to layer tars, zstd output, config or
   * manifest bytes shows here. If a change is intended (or zstd-jni is upgraded and compresses
   * differently), run this test, check the new bytes are right (for example with skopeo and umoci,
   * see BuildToolsIT) and paste the digest from the failure message into GOLDEN.
   */
  private static final String GOLDEN =
      "sha256:0b3715b36b31f4cd69214867784c87cb15f1b203a01faaccf736f1d1e0645b51";

  @Test
  void goldenDigest() throws Exception {
    Path ctx =
        reproContext(
            "golden",
            List.of("Dockerfile", "a.txt", "b/one.txt", "b/two.txt", "b/deep/three.bin", "c/empty"),
            42);
    Run r =
        build(
            ctx,
            "--platform",
            "linux/amd64",
            "--source-date-epoch",
            "1700000000",
            "--compression",
            "zstd",
            "--compression-level",
            "3");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.digest()).isEqualTo(GOLDEN);
  }

  /** The same image with its SBOM and provenance, as an index: pinned the same way. */
  private static final String GOLDEN_ATTESTED =
      "sha256:614afb2560b778ca0e8b54ec7410008ac9c7aae1f223b4bd33bed030f32941b2";

  @Test
  void goldenDigestWithSbomAndProvenance() throws Exception {
    Path ctx =
        reproContext(
            "golden-attested",
            List.of("Dockerfile", "a.txt", "b/one.txt", "b/two.txt", "b/deep/three.bin", "c/empty"),
            42);
    Run r =
        build(
            ctx,
            "--platform",
            "linux/amd64",
            "--source-date-epoch",
            "1700000000",
            "--compression",
            "zstd",
            "--compression-level",
            "3",
            "--sbom=true",
            "--provenance=mode=max",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("golden-oci"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.digest()).isEqualTo(GOLDEN_ATTESTED);
  }

  private static List<String> iterableNames(JsonNode obj) {
    List<String> out = new ArrayList<>();
    obj.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void registryAndAddUrlTrafficGoThroughHttpsProxyAndItsFailuresNameItWithoutItsPassword()
      throws Exception {
    Path ctx = dir.resolve("proxied");
    BuildFixtures.write(ctx.resolve("Dockerfile"), "FROM registry.invalid/app:1\n");
    Map<String, String> env = BuildFixtures.isolatedEnv(dir);
    // nothing listens on the discard port of loopback: the proxy refuses the connection
    env.put("HTTPS_PROXY", "http://ci:hunter2@127.0.0.1:9");
    Run r = BuildFixtures.run(env, "build", ctx.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "Dockerfile:1: FROM registry.invalid/app:1: GET https://registry.invalid/v2/:"
                + " proxy 127.0.0.1:9:")
        .doesNotContain("hunter2")
        .doesNotContain("\tat ");
    // ADD <URL> downloads take the proxies from the same environment
    Path add = dir.resolve("proxied-add");
    BuildFixtures.write(
        add.resolve("Dockerfile"),
        "FROM scratch\nADD https://files.invalid/app.tar.gz /app.tar.gz\n");
    Run fetched = BuildFixtures.run(env, "build", add.toString());
    assertThat(fetched.code()).isEqualTo(1);
    assertThat(fetched.err())
        .contains("https://files.invalid/app.tar.gz", "proxy 127.0.0.1:9:")
        .doesNotContain("hunter2");
    env.put("HTTPS_PROXY", "socks5://ci:hunter2@127.0.0.1:1080");
    Run socks = BuildFixtures.run(env, "build", ctx.toString());
    assertThat(socks.code()).isEqualTo(1);
    assertThat(socks.err())
        .contains("HTTPS_PROXY: only http:// proxies are supported")
        .doesNotContain("hunter2");
    // a proxy setting that cannot work is not retried
    Run socksAdd = BuildFixtures.run(env, "build", add.toString());
    assertThat(socksAdd.err())
        .contains("after 1 attempt: HTTPS_PROXY: only http:// proxies are supported")
        .doesNotContain("hunter2");
  }

  @Test
  void copyParentsKeepsTheSourcePathsBelowThePivot() throws IOException {
    Path ctx = dir.resolve("parents");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        """
        FROM scratch AS base
        COPY --parents x/a.txt y/a.txt /parents/
        COPY --parents ./x/./y/*.txt /pivot/
        FROM scratch
        COPY --from=base --parents /parents/./x /from-stage/
        """);
    BuildFixtures.write(ctx.resolve("x/a.txt"), "xa");
    BuildFixtures.write(ctx.resolve("y/a.txt"), "ya");
    BuildFixtures.write(ctx.resolve("x/y/b.txt"), "xyb");
    Image base = buildOci(ctx, "--target", "base");
    Map<String, TarFile> fs = base.rootfs();
    assertThat(fs.get("parents/x/a.txt").text()).isEqualTo("xa");
    assertThat(fs.get("parents/y/a.txt").text()).isEqualTo("ya");
    assertThat(fs.get("pivot/y/b.txt").text()).isEqualTo("xyb");
    assertThat(fs).doesNotContainKeys("pivot/x", "parents/a.txt");
    List<String> history = new ArrayList<>();
    base.config().get("history").forEach(h -> history.add(h.get("created_by").asText()));
    assertThat(history).contains("COPY --parents x/a.txt y/a.txt /parents/ # buildkit");
    Map<String, TarFile> last = buildOci(ctx).rootfs();
    assertThat(last.get("from-stage/x/a.txt").text()).isEqualTo("xa");
    assertThat(last).doesNotContainKey("from-stage/parents");
  }
}
