package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.TarFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a RUN sees as BuildKit gives it (issue 19), through the CLI on the suite's busybox base: the
 * proxy build args, the hostname files, the user's supplementary groups, a cache mount seeded from
 * a stage.
 */
class RunLikeBuildKitIT {
  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("proot", "bwrap");

  @TempDir Path dir;

  private BuildFixtures.Run build(Path ctx, String out, String... extra) {
    return BuildFixtures.buildEveryStep(dir, registry.host(), out, ctx, extra);
  }

  private Path context(String name, String dockerfile) throws IOException {
    Path ctx = dir.resolve(name);
    BuildFixtures.write(ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\n" + dockerfile);
    return ctx;
  }

  @Test
  void proxyBuildArgsReachRunWithoutAnArgAndStayOutOfTheImage() throws Exception {
    Path ctx =
        context("proxy", "ARG FOO\n" + "RUN env | grep -i -e _proxy= -e ^FOO= | sort > /env\n");
    BuildFixtures.Run r =
        build(
            ctx,
            "out",
            "--build-arg",
            "http_proxy=http://p.example:3128",
            "--build-arg",
            "NO_PROXY=.internal",
            "--build-arg",
            "all_proxy=",
            "--build-arg",
            "FOO=foo");
    assertThat(r.code()).as(r.err()).isZero();
    // an undeclared predefined arg is no "unused build-arg" either
    assertThat(r.err()).doesNotContain("http_proxy").doesNotContain("NO_PROXY");
    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    assertThat(image.lastLayer().get("env").text())
        .isEqualTo(
            "FOO=foo\n"
                + "HTTP_PROXY=http://p.example:3128\n"
                + "NO_PROXY=.internal\n"
                + "http_proxy=http://p.example:3128\n"
                + "no_proxy=.internal\n");
    String config = image.config().toString();
    assertThat(config).doesNotContain("p.example").doesNotContain(".internal");
    List<String> history = new ArrayList<>();
    for (JsonNode h : image.config().get("history")) {
      history.add(h.get("created_by").asText());
    }
    assertThat(history)
        .contains(
            "RUN |1 FOO=foo /bin/sh -c env | grep -i -e _proxy= -e ^FOO="
                + " | sort > /env # buildkit");
  }

  @Test
  void everySandboxGivesARunAnEtcHostnameThatNoLayerKeeps() throws Exception {
    Path ctx =
        context(
            "hostname",
            "RUN cat /etc/hostname > /seen && hostname >> /seen && grep -q . /etc/hosts\n");
    for (String sandbox : List.of("bwrap", "chroot", "proot")) {
      BuildFixtures.Run r = build(ctx, "out-" + sandbox, "--sandbox", sandbox);
      assertThat(r.code()).as(sandbox + ": " + r.err()).isZero();
      Map<String, TarFile> last = BuildFixtures.image(dir.resolve("out-" + sandbox)).lastLayer();
      assertThat(last.keySet()).as(sandbox).containsExactly("seen");
      String[] seen = last.get("seen").text().split("\n");
      assertThat(seen).as(sandbox).hasSize(2);
      assertThat(seen[0]).as(sandbox).isNotBlank().isEqualTo(seen[1]);
    }
  }

  @Test
  void aCacheMountFromAStageStartsWithTheStagesFilesAndKeepsWhatRunsAdd() throws Exception {
    Path ctx = dir.resolve("cache-from");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + " AS seed\n"
            + "RUN mkdir -p /data/sub && echo one > /data/sub/f && chmod 0750 /data\n"
            + "FROM "
            + registry.base()
            + "\n"
            + "RUN --mount=type=cache,from=seed,source=/data,target=/c"
            + " cat /c/sub/f > /got && stat -c %a /c >> /got && echo added > /c/new\n"
            + "RUN --mount=type=cache,from=seed,source=data,target=/c cat /c/new > /again\n"
            + "RUN --mount=type=cache,target=/c ls /c > /plain\n");
    BuildFixtures.Run r = build(ctx, "out");
    assertThat(r.code()).as(r.err()).isZero();
    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    int n = image.layers().size();
    assertThat(image.layerFiles(n - 3)).extracting(TarFile::name).containsExactly("got");
    assertThat(image.layerFiles(n - 3).get(0).text()).isEqualTo("one\n750\n");
    assertThat(image.layerFiles(n - 2).get(0).text()).isEqualTo("added\n");
    // a cache without from= is another cache: empty
    assertThat(image.lastLayer().get("plain").text()).isEmpty();

    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + " AS seed\n"
            + "RUN mkdir /data\n"
            + "FROM "
            + registry.base()
            + "\n"
            + "RUN --mount=type=cache,from=seed,source=/nothing,target=/c true\n");
    BuildFixtures.Run bad = build(ctx, "bad");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err())
        .contains(
            "Dockerfile:4: RUN --mount=type=cache,from=seed: source"
                + " /nothing not found in seed");
  }

  @Test
  void aNamedUserGetsItsSupplementaryGroupsFromEtcGroupWhereTheSandboxCan() throws Exception {
    Path ctx =
        context(
            "groups",
            "RUN echo 'dev:x:1001:1001::/home/dev:/bin/sh' >> /etc/passwd"
                + " && echo 'dev:x:1001:' >> /etc/group && echo 'tools:x:1002:dev' >> /etc/group"
                + " && echo 'audio:x:1003:app,dev' >> /etc/group"
                + " && echo 'wheel:x:10:root' >> /etc/group && mkdir -m 1777 /o\n"
                + "USER dev\n"
                + "RUN id -G > /o/named && id -Gn >> /o/named && touch /o/mine\n"
                + "USER dev:tools\n"
                + "RUN id -G > /o/explicit\n"
                + "USER root\n"
                + "RUN id -G > /o/root-groups\n");
    for (String sandbox : List.of("bwrap", "chroot", "proot")) {
      BuildFixtures.Run r = build(ctx, "out-" + sandbox, "--sandbox", sandbox);
      assertThat(r.code()).as(sandbox + ": " + r.err()).isZero();
      BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out-" + sandbox));
      int n = image.layers().size();
      Map<String, TarFile> named = new HashMap<>();
      for (TarFile f : image.layerFiles(n - 3)) {
        named.put(f.name(), f);
      }
      // files the RUN writes take its user and primary group, whatever its groups
      assertThat(named.get("o/mine").uid()).isEqualTo(1001);
      assertThat(named.get("o/mine").gid()).isEqualTo(1001);
      if (sandbox.equals("proot")) {
        assertThat(named.get("o/named").text()).as(sandbox).startsWith("1001");
        assertThat(r.err()).contains("proot cannot give a RUN supplementary groups");
      } else {
        assertThat(named.get("o/named").text())
            .as(sandbox)
            .isEqualTo("1001 1002 1003\ndev tools audio\n");
        assertThat(r.err()).as(sandbox).doesNotContain("supplementary groups");
        assertThat(image.lastLayer().get("o/root-groups").text()).as(sandbox).isEqualTo("0 10\n");
      }
      assertThat(image.layerFiles(n - 2).get(1).text()).as(sandbox).isEqualTo("1002\n");
    }
  }
}
