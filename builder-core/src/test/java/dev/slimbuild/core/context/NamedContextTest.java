package dev.slimbuild.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --build-context} values, and which contexts are git URLs. */
class NamedContextTest {
  @TempDir Path tmp;

  private static final NamedContext.GitFetch NO_GIT =
      g -> {
        throw new AssertionError("no git URL here: " + g.url());
      };

  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);

  @Test
  void parsesEachForm() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("assets"));
    assertThat(NamedContext.parse("assets=" + dir, NO_GIT))
        .isEqualTo(new NamedContext.Directory("assets", "assets=" + dir, dir));
    NamedContext.Image img =
        (NamedContext.Image)
            NamedContext.parse("alpine=docker-image://127.0.0.1:5000/base/busybox:1", NO_GIT);
    assertThat(img.ref().toString()).isEqualTo("127.0.0.1:5000/base/busybox:1");

    Path layout = Files.createDirectory(tmp.resolve("layout"));
    Files.writeString(
        layout.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":["
            + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\""
            + D1
            + "\",\"size\":1,\"annotations\":{\"org.opencontainers.image.ref.name\":\"1\"}},"
            + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\""
            + D2
            + "\",\"size\":1,\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}");
    assertThat(
            ((NamedContext.Layout) NamedContext.parse("b=oci-layout://" + layout + ":1", NO_GIT))
                .digest())
        .isEqualTo(Digest.parse(D1));
    assertThat(
            ((NamedContext.Layout) NamedContext.parse("b=oci-layout://" + layout, NO_GIT)).digest())
        .isEqualTo(Digest.parse(D2)); // buildx's default tag: latest
    assertThat(
            ((NamedContext.Layout)
                    NamedContext.parse("b=oci-layout://" + layout + "@" + D1, NO_GIT))
                .digest())
        .isEqualTo(Digest.parse(D1));
    assertThatThrownBy(() -> NamedContext.parse("b=oci-layout://" + layout + ":2", NO_GIT))
        .isInstanceOf(SlimbuildException.class)
        .hasMessage(
            "--build-context b=oci-layout://"
                + layout
                + ":2: no image tagged '2' in "
                + layout
                + " (it has: 1, latest)");

    NamedContext git =
        NamedContext.parse(
            "src=file:///srv/repo.git#v1:app",
            g -> {
              assertThat(g)
                  .isEqualTo(
                      new GitContext(
                          "file:///srv/repo.git#v1:app", "file:///srv/repo.git", "v1", "app"));
              return tmp;
            });
    assertThat(git)
        .isEqualTo(new NamedContext.Directory("src", "src=file:///srv/repo.git#v1:app", tmp));
  }

  @Test
  void badValuesNameTheFlag() {
    String missing = tmp.resolve("nope").toString();
    String[][] cases = {
      {"novalue", "invalid --build-context 'novalue': expected NAME=VALUE"},
      {"Upper=" + tmp, "the name must be a stage or image name"},
      {"x=", "empty value"},
      {"x=docker-image://a b", "invalid --build-context 'x=docker-image://a b'"},
      {"x=s3://bucket/ctx", "expected a directory, a git URL, docker-image://REF"},
      {
        "x=" + missing,
        "--build-context x=" + missing + ": no such directory (looked for " + missing + ")"
      },
      {"x=oci-layout://" + tmp, "is not an OCI layout (no index.json)"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> NamedContext.parse(c[0], NO_GIT))
          .as(c[0])
          .isInstanceOf(SlimbuildException.class)
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void namesAreLookedUpAsBuildKitNormalisesThem() {
    assertThat(NamedContext.key("alpine")).isEqualTo("alpine");
    assertThat(NamedContext.key("docker.io/library/alpine:latest")).isEqualTo("alpine");
    assertThat(NamedContext.key("alpine:3.19")).isEqualTo("alpine:3.19");
    assertThat(NamedContext.key("localhost:5000/app")).isEqualTo("localhost:5000/app");
    assertThat(NamedContext.key("Builder")).isEqualTo("Builder"); // no image name: as it is
    NamedContext a = new NamedContext.Directory("alpine", "alpine=a", tmp);
    NamedContext b = new NamedContext.Directory("alpine:latest", "alpine:latest=b", tmp);
    assertThatThrownBy(() -> NamedContext.byKey(List.of(a, b)))
        .hasMessage("--build-context alpine:latest=b: the name is given twice (also alpine=a)");
  }

  @Test
  void gitUrlsAreRecognisedByAClearRule() {
    String[] git = {
      "https://example.com/org/repo.git",
      "https://example.com/org/repo.git#main:sub",
      "http://example.com/repo.git?x=1",
      "git://example.com/repo",
      "ssh://git@example.com/repo",
      "git@example.com:org/repo.git",
      "user@host:path/repo",
      "file:///srv/repo.git",
      "file:///srv/plain-dir#v1",
    };
    for (String g : git) {
      assertThat(GitContext.parse(g)).as(g).isPresent();
    }
    String[] notGit = {
      "https://example.com/ctx.tar.gz",
      "https://example.com/repo",
      ".",
      "some/dir",
      "dir.git",
      "/srv/repo.git",
      "docker-image://alpine",
      "s3://bucket/x",
      "-",
    };
    for (String n : notGit) {
      assertThat(GitContext.parse(n)).as(n).isEmpty();
    }
    assertThat(GitContext.parse("git@h:r.git#refs/pull/1/head:a/b/"))
        .contains(
            new GitContext(
                "git@h:r.git#refs/pull/1/head:a/b/", "git@h:r.git", "refs/pull/1/head", "a/b"));
    assertThat(GitContext.parse("file:///r.git#:docs")).map(GitContext::ref).contains("");
    assertThat(GitContext.parse("file:///r.git")).map(GitContext::subdir).contains("");
    assertThatThrownBy(() -> GitContext.parse("file:///r.git#main:../up"))
        .hasMessage(
            "git context file:///r.git#main:../up: the directory '../up' leads out of"
                + " the repository");
  }
}
