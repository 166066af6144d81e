package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.CopyInstruction;
import dev.slimbuild.core.dockerfile.DockerfileException;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COPY as BuildKit copies, at the Copier's level: a stage's whole root, the several-sources rule
 * after wildcards, an empty source, and {@code --parents} from the context and from a stage.
 */
class CopierTest {
  @TempDir Path dir;

  /** The one COPY of {@code line}, parsed as BuildKit parses it. */
  private static CopyInstruction copy(String line) {
    Instruction i =
        DockerfileParser.parse("FROM scratch\nFROM scratch\n" + line + "\n", "Dockerfile")
            .stages()
            .get(1)
            .instructions()
            .get(0);
    return (CopyInstruction) i;
  }

  /** A spec for {@code c} whose sources expanded to {@code sources} (default: as written). */
  private static Copier.Spec spec(CopyInstruction c, List<String> sources) {
    return new Copier.Spec(
        c,
        sources,
        c.heredocSources(),
        c.destination(),
        Optional.empty(),
        Optional.empty(),
        c.excludes(),
        false,
        s -> s,
        List.of());
  }

  private static Copier.Spec spec(CopyInstruction c) {
    return spec(c, c.sources());
  }

  private Copier copier(String workdir) throws IOException {
    return new Copier(new FileTree(), workdir, Files.createDirectories(dir.resolve("staging")));
  }

  private BuildContext context(Map<String, String> files) throws IOException {
    Path ctx = dir.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = ctx.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    return BuildContext.open(ctx, ctx.resolve("Dockerfile"));
  }

  /** A stage's files: /test/a/b/c/d/{foo,e/bay}, /test/a/b2/c/d/e/bar, /test/a/b/c2/d/e{,2}/baz. */
  private static FileTree stage() {
    FileTree t = new FileTree();
    List<LayerEntry> l = new ArrayList<>();
    for (String d :
        List.of(
            "test",
            "test/a",
            "test/a/b",
            "test/a/b/c",
            "test/a/b/c/d",
            "test/a/b/c/d/e",
            "test/a/b2",
            "test/a/b2/c",
            "test/a/b2/c/d",
            "test/a/b2/c/d/e",
            "test/a/b/c2",
            "test/a/b/c2/d",
            "test/a/b/c2/d/e",
            "test/a/b/c2/d/e2",
            "etc")) {
      l.add(LayerEntry.dir(d, d.equals("test/a") ? 0700 : 0755, 0, 0));
    }
    for (String f :
        List.of(
            "test/a/b/c/d/foo",
            "test/a/b/c/d/e/bay",
            "test/a/b2/c/d/e/bar",
            "test/a/b/c2/d/e/baz",
            "test/a/b/c2/d/e2/baz",
            "etc/passwd")) {
      byte[] data = f.getBytes(StandardCharsets.UTF_8);
      l.add(LayerEntry.file(f, 0644, 0, 0, data.length, ContentSource.ofBytes(data)));
    }
    t.apply(l);
    return t;
  }

  /** Paths to "d" for directories and "f MODE" for files (mode in octal). */
  private static Map<String, String> paths(List<LayerEntry> entries) {
    Map<String, String> m = new TreeMap<>();
    for (LayerEntry e : entries) {
      m.put(e.path(), e.isDirectory() ? "d" + Integer.toOctalString(e.mode()) : "f");
    }
    return m;
  }

  private List<String> parentsFromStage(String line) throws IOException {
    CopyInstruction c = copy(line);
    return List.copyOf(paths(copier("/").fromTree(stage(), spec(c))).keySet());
  }

  @Test
  void aStagesWholeRootIsCopiedByItsContents() throws IOException {
    CopyInstruction c = copy("COPY --from=0 / /");
    assertThat(paths(copier("/").fromTree(stage(), spec(c))))
        .containsEntry("etc/passwd", "f")
        .containsEntry("test/a", "d700")
        .containsEntry("test/a/b2/c/d/e/bar", "f")
        .doesNotContainKey("");
    CopyInstruction into = copy("COPY --from=0 . /copy");
    assertThat(paths(copier("/").fromTree(stage(), spec(into))))
        .containsEntry("copy", "d755")
        .containsEntry("copy/etc/passwd", "f");
  }

  @Test
  void severalSourcesAreCountedAfterWildcardsAreExpanded() throws IOException {
    BuildContext ctx = context(Map.of("foo", "0", "bar", "1", "baz", "2"));
    // a wildcard that matches nothing next to a source that exists: one source
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY foo nomatch* /dst")))))
        .containsOnlyKeys("dst");
    // a wildcard that matches one file copies it to the destination file
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY f* /one")))))
        .containsOnlyKeys("one");
    assertThatThrownBy(() -> copier("/").fromContext(ctx, spec(copy("COPY ba* /dst"))))
        .isInstanceOf(DockerfileException.class)
        .hasMessage(
            "Dockerfile:3: When using COPY with more than one source file, the destination"
                + " must be a directory and end with a /");
    assertThatThrownBy(() -> copier("/").fromContext(ctx, spec(copy("COPY foo nomatch* bar /d"))))
        .hasMessageContaining("more than one source file");
  }

  @Test
  void directoriesGoIntoTheDestinationWhateverTheirNumber() throws IOException {
    BuildContext ctx = context(Map.of("d1/a", "a", "d2/b", "b", "f", "f"));
    // BuildKit copies each directory's contents into the destination; only files collide there
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY d1 d2 f /merged")))))
        .containsOnlyKeys("merged", "merged/a", "merged/b", "merged/f");
  }

  @Test
  void aSourceThatExpandsToNothingIsAnErrorNamingTheLine() throws IOException {
    BuildContext ctx = context(Map.of("foo", "0"));
    CopyInstruction c = copy("COPY $unset /dst");
    assertThatThrownBy(() -> copier("/").fromContext(ctx, spec(c, List.of(""))))
        .isInstanceOf(DockerfileException.class)
        .hasMessage(
            "Dockerfile:3: COPY source ($unset) is empty after variable expansion; use . to"
                + " copy the whole context");
    CopyInstruction from = copy("COPY --from=0 ${X} /dst");
    assertThatThrownBy(() -> copier("/").fromTree(stage(), spec(from, List.of(""))))
        .hasMessageStartingWith("Dockerfile:3: COPY source (${X}) is empty");
  }

  @Test
  void parentsFromTheContextKeepTheSourcePaths() throws IOException {
    BuildContext ctx =
        context(
            Map.of(
                "foo1/foo2/bar",
                "testing",
                "foo1/foo2/baz",
                "testing2",
                "x/a.txt",
                "x",
                "y/a.txt",
                "y",
                "x/y/b.txt",
                "b",
                "src/a.txt",
                "a",
                "src/x/b.txt",
                "b",
                "src/x/y/c.txt",
                "c",
                "src/x/y/d.md",
                "d"));
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY --parents foo1/foo2/bar /")))))
        .containsOnlyKeys("foo1", "foo1/foo2", "foo1/foo2/bar");
    assertThat(
            paths(copier("/test").fromContext(ctx, spec(copy("COPY --parents foo1/foo2/ba* .")))))
        .containsOnlyKeys(
            "test", "test/foo1", "test/foo1/foo2", "test/foo1/foo2/bar", "test/foo1/foo2/baz");
    assertThat(
            paths(
                copier("/")
                    .fromContext(ctx, spec(copy("COPY --parents ./x/a.txt ./y/a.txt /parents/")))))
        .containsOnlyKeys(
            "parents", "parents/x", "parents/x/a.txt", "parents/y", "parents/y/a.txt");
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY --parents ./x/./y/*.txt /p/")))))
        .containsOnlyKeys("p", "p/y", "p/y/b.txt");
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY --parents ./src/**/*.txt /p/")))))
        .containsOnlyKeys(
            "p",
            "p/src",
            "p/src/a.txt",
            "p/src/x",
            "p/src/x/b.txt",
            "p/src/x/y",
            "p/src/x/y/c.txt");
    // a directory comes whole; the destination is a directory even without a slash
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY --parents src/x /p")))))
        .containsOnlyKeys(
            "p",
            "p/src",
            "p/src/x",
            "p/src/x/b.txt",
            "p/src/x/y",
            "p/src/x/y/c.txt",
            "p/src/x/y/d.md");
    // a missing path is an error; a wildcard that matches nothing is not
    assertThatThrownBy(() -> copier("/").fromContext(ctx, spec(copy("COPY --parents nope/a /p/"))))
        .isInstanceOf(DockerfileException.class)
        .hasMessage("Dockerfile:3: failed to copy: \"nope/a\": not found");
    assertThat(paths(copier("/").fromContext(ctx, spec(copy("COPY --parents nope/*.txt /p/")))))
        .containsOnlyKeys("p");
  }

  @Test
  void parentsFromAStageFollowBuildKitsPivotRules() throws IOException {
    assertThat(parentsFromStage("COPY --from=0 --parents /test/a/b/./c/d /out/"))
        .containsExactly("out", "out/c", "out/c/d", "out/c/d/e", "out/c/d/e/bay", "out/c/d/foo");
    assertThat(parentsFromStage("COPY --from=0 --parents /test/a/b/c/d/. /out/"))
        .contains("out/test/a/b/c/d/e/bay", "out/test/a/b/c/d/foo")
        .doesNotContain("out/c");
    assertThat(parentsFromStage("COPY --from=0 --parents ./test/a/b/c/d /out/"))
        .contains("out/test/a/b/c/d/e", "out/test/a/b/c/d/foo");
    assertThat(parentsFromStage("COPY --from=0 --parents /test/a/./b/./c /out/"))
        .contains("out/b/c/d/e", "out/b/c/d/foo")
        .doesNotContain("out/c");
    assertThat(parentsFromStage("COPY --from=0 --parents /test/a/./*/c /out/"))
        .contains("out/b/c/d/e", "out/b2/c/d/e/bar");
    assertThat(parentsFromStage("COPY --from=0 --parents /test/a/b*/./c/**/e /out/"))
        .contains("out/c/d/e", "out/c/d/e/bay", "out/c/d/e/bar");
    assertThat(
            parentsFromStage(
                "COPY --from=0 --parents /test/a/b/c*/./d/**/baz /test/a/b*/./c/**/bar /out/"))
        .contains("out/d/e/baz", "out/d/e2/baz", "out/c/d/e/bar")
        .doesNotContain("out/d/e/bay");
    // directories on the way keep their own metadata
    CopyInstruction c = copy("COPY --from=0 --parents /test/a/b/c/d/foo /out/");
    assertThat(paths(copier("/").fromTree(stage(), spec(c))))
        .containsEntry("out/test/a", "d700")
        .containsEntry("out/test/a/b/c/d/foo", "f");
  }
}
