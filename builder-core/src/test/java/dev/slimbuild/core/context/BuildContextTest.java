package dev.slimbuild.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {
  @TempDir Path tmp;

  private Path ctx() throws IOException {
    return Files.createDirectories(tmp.resolve("ctx"));
  }

  private static void write(Path root, String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  private static List<String> walk(BuildContext context, String dir) throws IOException {
    List<String> out = new ArrayList<>();
    context.walk(dir, e -> out.add(e.path()));
    return out;
  }

  @Test
  void dockerfileSpecificIgnoreFileTakesPrecedence() throws IOException {
    Path ctx = ctx();
    write(ctx, ".dockerignore", "a\n");
    write(ctx, "build/app.Dockerfile", "FROM scratch\n");
    write(ctx, "build/app.Dockerfile.dockerignore", "# specific\nb\n");
    write(ctx, "a", "");
    write(ctx, "b", "");

    BuildContext specific = BuildContext.open(ctx, ctx.resolve("build/app.Dockerfile"));
    assertThat(specific.ignoreFile()).contains(ctx.resolve("build/app.Dockerfile.dockerignore"));
    assertThat(specific.ignorePatterns()).containsExactly("b");
    assertThat(specific.isIgnored("b")).isTrue();
    assertThat(specific.isIgnored("a")).isFalse();

    BuildContext plain = BuildContext.open(ctx, ctx.resolve("Dockerfile"));
    assertThat(plain.ignoreFile()).contains(ctx.toRealPath().resolve(".dockerignore"));
    assertThat(plain.isIgnored("a")).isTrue();
    assertThat(plain.isIgnored("b")).isFalse();
    assertThat(walk(plain, "."))
        .containsExactly(
            ".dockerignore",
            "b",
            "build",
            "build/app.Dockerfile",
            "build/app.Dockerfile.dockerignore");

    Files.delete(ctx.resolve(".dockerignore"));
    BuildContext none = BuildContext.open(ctx, null);
    assertThat(none.ignoreFile()).isEmpty();
    assertThat(none.isIgnored("a")).isFalse();
  }

  @Test
  void exceptionsReincludeFilesUnderIgnoredDirectories() throws IOException {
    Path ctx = ctx();
    write(ctx, ".dockerignore", "dir\n!dir/keep\nlogs/**\n!logs/**/*.important\n");
    write(ctx, "dir/keep/x", "");
    write(ctx, "dir/other", "");
    write(ctx, "logs/a/b.log", "");
    write(ctx, "logs/a/c.important", "");
    write(ctx, "logs/d.log", "");
    write(ctx, "top", "");

    BuildContext context = BuildContext.open(ctx, null);
    // the ignored directories appear only as parents of what is re-included
    assertThat(walk(context, ""))
        .containsExactly(
            ".dockerignore",
            "dir",
            "dir/keep",
            "dir/keep/x",
            "logs",
            "logs/a",
            "logs/a/c.important",
            "top");
    assertThat(context.isIgnored("dir/other")).isTrue();
    assertThat(context.isIgnored("dir/keep/x")).isFalse();
    assertThat(context.isIgnored("logs/a/b.log")).isTrue();
    assertThat(context.resolve("dir/keep/x")).isRegularFile();
    assertThat(context.resolve("dir")).isDirectory();
    assertThatThrownBy(() -> context.resolve("dir/other"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("\"dir/other\": not found in the build context");
    assertThat(walk(context, "dir")).containsExactly("dir/keep", "dir/keep/x");
  }

  @Test
  void ignoredDirectoryIsNotEnteredWithoutAnExceptionBelowIt() throws IOException {
    Path ctx = ctx();
    write(ctx, ".dockerignore", "dir\n!keep\n");
    write(ctx, "dir/keep", "");
    write(ctx, "keep", "");
    BuildContext context = BuildContext.open(ctx, null);
    assertThat(walk(context, "")).containsExactly(".dockerignore", "keep");
    assertThat(context.isIgnored("dir/keep")).isTrue();
    assertThatThrownBy(() -> context.resolve("dir")).isInstanceOf(SlimbuildException.class);
  }

  @Test
  void symlinksLeadingOutsideAreRefused() throws IOException {
    Path ctx = ctx();
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    write(outside, "secret", "s");
    write(ctx, "real/file", "f");
    Files.createSymbolicLink(ctx.resolve("abs"), outside);
    Files.createSymbolicLink(ctx.resolve("rel"), Path.of("../outside"));
    Files.createSymbolicLink(ctx.resolve("inside"), Path.of("real"));
    Files.createSymbolicLink(ctx.resolve("real/up"), Path.of("../real/file"));

    BuildContext context = BuildContext.open(ctx, null);
    assertThatThrownBy(() -> context.resolve("abs/secret"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("\"abs/secret\"")
        .hasMessageContaining("symlink \"abs\" points outside the build context");
    assertThatThrownBy(() -> context.resolve("rel/secret"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("rel/secret")
        .hasMessageContaining("outside the build context");
    assertThatThrownBy(() -> context.resolve("abs")).isInstanceOf(SlimbuildException.class);
    assertThatThrownBy(() -> context.walk("abs", e -> {})).isInstanceOf(SlimbuildException.class);
    assertThat(context.resolve("inside/file")).isEqualTo(ctx.toRealPath().resolve("real/file"));
    assertThat(context.resolve("real/up")).isEqualTo(ctx.toRealPath().resolve("real/file"));

    // walks report links as links and never follow them
    List<ContextEntry> entries = new ArrayList<>();
    context.walk("", entries::add);
    assertThat(entries)
        .extracting(ContextEntry::path)
        .containsExactly("abs", "inside", "real", "real/file", "real/up", "rel");
    ContextEntry abs = entries.get(0);
    assertThat(abs.type()).isEqualTo(ContextEntry.Type.SYMLINK);
    assertThat(abs.linkTarget()).isEqualTo(outside.toString());
    assertThat(entries.get(5).linkTarget()).isEqualTo("../outside");
  }

  @Test
  void dotDotEscapesAreRefusedAndLeadingSlashIsContextRooted() throws IOException {
    Path ctx = ctx();
    write(ctx, "a/b", "x");
    write(tmp, "sibling", "x");
    BuildContext context = BuildContext.open(ctx, null);
    for (String bad : List.of("..", "../sibling", "a/../../sibling", "/../sibling", "./a/../..")) {
      assertThatThrownBy(() -> context.resolve(bad))
          .isInstanceOf(SlimbuildException.class)
          .hasMessageContaining("\"" + bad + "\" is outside the build context");
      assertThatThrownBy(() -> context.expand(bad)).isInstanceOf(SlimbuildException.class);
      assertThatThrownBy(() -> context.isIgnored(bad)).isInstanceOf(SlimbuildException.class);
    }
    assertThat(context.resolve("/a/b")).isEqualTo(ctx.toRealPath().resolve("a/b"));
    assertThat(context.resolve("a/../a/./b")).isEqualTo(ctx.toRealPath().resolve("a/b"));
    assertThat(context.resolve(".")).isEqualTo(ctx.toRealPath());
    assertThatThrownBy(() -> context.resolve("a/b/c"))
        .hasMessageContaining("not found in the build context");
  }

  @Test
  void walkOrderIsByteWiseAndIndependentOfCreationOrder() throws IOException {
    List<String> names =
        new ArrayList<>(
            List.of("a", "a-c", "B", "z", "é", "_", "a.txt", "10", "9", "\uD83D\uDE00", "\uFF21"));
    // U+FF21 before U+1F600 as in UTF-8 (UTF-16 order would put the surrogate pair first)
    List<String> expectedTop =
        List.of("10", "9", "B", "_", "a", "a-c", "a.txt", "z", "é", "\uFF21", "\uD83D\uDE00");
    for (long seed = 1; seed <= 3; seed++) {
      Path ctx = Files.createDirectories(tmp.resolve("ctx" + seed));
      Collections.shuffle(names, new Random(seed));
      for (String name : names) {
        if (name.equals("a")) {
          write(ctx, "a/y", "");
          write(ctx, "a/x", "");
        } else {
          write(ctx, name, "");
        }
      }
      List<String> expected = new ArrayList<>();
      for (String n : expectedTop) {
        expected.add(n);
        if (n.equals("a")) {
          expected.add("a/x");
          expected.add("a/y");
        }
      }
      assertThat(walk(BuildContext.open(ctx, null), "")).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void entriesCarrySizeModeAndType() throws IOException {
    Path ctx = ctx();
    write(ctx, "bin/tool", "12345");
    Files.setPosixFilePermissions(
        ctx.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(ctx.resolve("bin"), PosixFilePermissions.fromString("rwxr-xr-x"));
    List<ContextEntry> entries = new ArrayList<>();
    BuildContext.open(ctx, null).walk("bin", entries::add);
    assertThat(entries).hasSize(1);
    ContextEntry tool = entries.get(0);
    assertThat(tool.path()).isEqualTo("bin/tool");
    assertThat(tool.relativeTo("bin")).isEqualTo("tool");
    assertThat(tool.type()).isEqualTo(ContextEntry.Type.FILE);
    assertThat(tool.size()).isEqualTo(5);
    assertThat(tool.mode()).isEqualTo(0750);
    assertThat(tool.linkTarget()).isNull();
    assertThat(tool.file()).isEqualTo(ctx.toRealPath().resolve("bin/tool"));
    List<ContextEntry> top = new ArrayList<>();
    BuildContext.open(ctx, null).walk("", top::add);
    assertThat(top.get(0).type()).isEqualTo(ContextEntry.Type.DIRECTORY);
    assertThat(top.get(0).mode()).isEqualTo(0755);
  }

  @Test
  void entriesKeepSetuidSetgidAndSticky() throws IOException {
    Path ctx = ctx();
    write(ctx, "tools/su", "x");
    Files.setAttribute(ctx.resolve("tools/su"), "unix:mode", 04755);
    Files.setAttribute(ctx.resolve("tools"), "unix:mode", 03775);
    List<ContextEntry> entries = new ArrayList<>();
    BuildContext.open(ctx, null).walk("", entries::add);
    assertThat(entries).extracting(ContextEntry::path).containsExactly("tools", "tools/su");
    assertThat(entries).extracting(ContextEntry::mode).containsExactly(03775, 04755);
    assertThat(BuildContext.open(ctx, null).stat("tools/su").mode()).isEqualTo(04755);
  }

  @Test
  void expandMatchesCopySourcesLikeBuildKit() throws IOException {
    Path ctx = ctx();
    write(ctx, ".dockerignore", "*.log\nsrc/skip.txt\n");
    write(ctx, "a.txt", "");
    write(ctx, "b.txt", "");
    write(ctx, "c.log", "");
    write(ctx, "src/one.txt", "");
    write(ctx, "src/skip.txt", "");
    write(ctx, "src/sub/two.txt", "");
    write(ctx, "docs/x.md", "");
    BuildContext context = BuildContext.open(ctx, null);

    assertThat(context.expand("*.txt")).containsExactly("a.txt", "b.txt");
    assertThat(context.expand("./src/*.txt")).containsExactly("src/one.txt");
    assertThat(context.expand("s*")).containsExactly("src"); // a matching directory is whole
    assertThat(context.expand("*/*.txt")).containsExactly("src/one.txt");
    assertThat(context.expand("src/*/two.txt")).containsExactly("src/sub/two.txt");
    assertThat(context.expand("[ab].txt")).containsExactly("a.txt", "b.txt");
    assertThat(context.expand("/docs")).containsExactly("docs");
    assertThat(context.expand(".")).containsExactly(".");
    assertThatThrownBy(() -> context.expand("*.log"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("\"*.log\": not found in the build context");
    assertThatThrownBy(() -> context.expand("c.log"))
        .hasMessageContaining("\"c.log\": not found in the build context");
    assertThatThrownBy(() -> context.expand("nope/*.txt"))
        .hasMessageContaining("\"nope/*.txt\": not found");
    assertThatThrownBy(() -> context.expand("a[.txt"))
        .hasMessageContaining("syntax error in pattern");
  }

  @Test
  void malformedIgnoreFileNamesTheFile() throws IOException {
    Path ctx = ctx();
    write(ctx, ".dockerignore", "ok\n!\n");
    assertThatThrownBy(() -> BuildContext.open(ctx, null))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(".dockerignore")
        .hasMessageContaining("illegal exclusion pattern");
    write(ctx, ".dockerignore", "a[\n");
    assertThatThrownBy(() -> BuildContext.open(ctx, null))
        .hasMessageContaining("syntax error in pattern");
    assertThatThrownBy(() -> BuildContext.open(tmp.resolve("missing"), null))
        .hasMessageContaining("is not a directory");
  }

  @Test
  void parseFollowsDockerRules() {
    assertThat(DockerIgnore.parse("\uFEFF# c\n  /a/./b/  \r\n!  ./c\n\n #x\nd/../e\n"))
        .containsExactly("a/b", "!c", "#x", "e");
  }
}
