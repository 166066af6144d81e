package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsWriterTest {
  @TempDir Path tmp;

  private static Object attr(Path p, String name) throws IOException {
    return Files.getAttribute(p, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
  }

  private static int mode(Path p) throws IOException {
    return (Integer) attr(p, "mode") & 07777;
  }

  @Test
  void writesEveryTypeWithModesOwnersAndContents() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Path root = tmp.resolve("root");
    Rootfs fs = new RootfsWriter(true).materialise(t.tree(), root);

    assertThat(Files.readString(root.resolve("etc/passwd"))).isEqualTo("root:x:0:0\n");
    assertThat(Files.readString(root.resolve("usr/bin/su"))).isEqualTo("su-binary");
    assertThat(mode(root.resolve("usr/bin/su"))).isEqualTo(04755);
    assertThat(mode(root.resolve("tmp"))).isEqualTo(01777);
    // a read-only directory still got its contents
    assertThat(mode(root.resolve("ro"))).isEqualTo(0555);
    assertThat(Files.readString(root.resolve("ro/inside"))).isEqualTo("ro");
    assertThat(mode(root.resolve("ro/inside"))).isEqualTo(0444);
    assertThat(Files.readSymbolicLink(root.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
    assertThat(attr(root.resolve("usr/bin/b"), "ino"))
        .isEqualTo(attr(root.resolve("usr/bin/a"), "ino"));
    assertThat(attr(root.resolve("home/user/.profile"), "uid")).isEqualTo(1000);
    assertThat(attr(root.resolve("etc/shadow"), "gid")).isEqualTo(42);
    // a copy, never a link to the source: RUN may write in place
    assertThat(attr(root.resolve("usr/bin/su"), "ino"))
        .isNotEqualTo(attr(tmp.resolve("src/su"), "ino"));

    FileTree tree = t.tree();
    assertThat(fs.paths())
        .containsExactlyElementsOf(tree.walk("").stream().map(LayerEntry::path).toList());
    Rootfs.Item su = fs.get("usr/bin/su").orElseThrow();
    assertThat(su.model()).isEqualTo(tree.get("usr/bin/su").orElseThrow());
    assertThat(su.stat().type()).isEqualTo(EntryType.FILE);
    assertThat(su.stat().mode()).isEqualTo(04755);
    assertThat(su.stat().size()).isEqualTo(9);
    assertThat(su.stat().inode()).isEqualTo(attr(root.resolve("usr/bin/su"), "ino"));
    assertThat(fs.get("bin").orElseThrow().stat().linkTarget()).isEqualTo("usr/bin");
    assertThat(fs.get("usr/bin/b").orElseThrow().model().type()).isEqualTo(EntryType.HARDLINK);
    assertThat(fs.ownersApplied()).isTrue();
    // every content was read exactly once
    assertThat(t.sources.values()).allSatisfy(s -> assertThat(s.opens).isEqualTo(1));
  }

  @Test
  void withoutRootOwnersStayInTheModelOnly() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Path root = tmp.resolve("root");
    Rootfs fs = new RootfsWriter(false).materialise(t.tree(), root);

    int me = (Integer) attr(tmp, "uid");
    assertThat(attr(root.resolve("home/user/.profile"), "uid")).isEqualTo(me);
    assertThat(fs.get("home/user/.profile").orElseThrow().model().uid()).isEqualTo(1000);
    assertThat(fs.ownersApplied()).isFalse();
    assertThat(mode(root.resolve("usr/bin/su"))).isEqualTo(04755);
  }

  @Test
  void refusesANonEmptyWorkDirAndContentOfTheWrongSize() throws IOException {
    Path used = Files.createDirectory(tmp.resolve("used"));
    Files.writeString(used.resolve("x"), "x");
    FileTree empty = new FileTree();
    assertThatThrownBy(() -> new RootfsWriter(true).materialise(empty, used))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not empty");

    FileTree lying =
        new FileTree()
            .apply(
                List.of(LayerEntry.file("f", 0644, 0, 0, 5, ContentSource.ofBytes(new byte[3]))));
    assertThatThrownBy(() -> new RootfsWriter(true).materialise(lying, tmp.resolve("w")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("'f': content is 3 bytes, the layer says 5");
  }

  @Test
  void aLowerDirectoryLinksFilesThatAreWhatTheImageSaysAndCopiesTheRest() throws IOException {
    int uid = (Integer) Files.getAttribute(tmp, "unix:uid");
    int gid = (Integer) Files.getAttribute(tmp, "unix:gid");
    Path same = Files.writeString(tmp.resolve("same"), "same");
    Files.setAttribute(same, "unix:mode", 0755);
    Path otherMode = Files.writeString(tmp.resolve("mode"), "mode");
    Files.setAttribute(otherMode, "unix:mode", 0644);
    Path far = Files.createTempFile(Path.of("/dev/shm"), "slimbuild-test-", "");
    try {
      Files.writeString(far, "far");
      Files.setAttribute(far, "unix:mode", 0644);
      FileTree tree =
          new FileTree()
              .apply(
                  List.of(
                      LayerEntry.dir("d", 0555, uid, gid),
                      LayerEntry.file("d/a", 0755, uid, gid, 4, ContentSource.ofTimedPath(same)),
                      // a context file: its time is the checkout's, so it is copied and timed
                      LayerEntry.file("d/e", 0755, uid, gid, 4, ContentSource.ofPath(same)),
                      LayerEntry.file("d/b", 0600, uid, gid, 4, ContentSource.ofPath(otherMode)),
                      LayerEntry.file("d/c", 0644, uid, gid, 3, ContentSource.ofPath(far)),
                      LayerEntry.symlink("l", "d/a", uid, gid)));
      Path lower = tmp.resolve("lower");
      new RootfsWriter(Privileges.isRoot(), 1234).writeLower(tree, lower);

      assertThat(ino(lower.resolve("d/a"))).isEqualTo(ino(same)); // linked
      assertThat(ino(lower.resolve("d/e"))).isNotEqualTo(ino(same));
      assertThat(Files.getLastModifiedTime(lower.resolve("d/e")).toMillis()).isEqualTo(1_234_000);
      assertThat(Files.getLastModifiedTime(lower.resolve("d")).toMillis()).isEqualTo(1_234_000);
      assertThat(ino(lower.resolve("d/b"))).isNotEqualTo(ino(otherMode)); // copied: other mode
      assertThat(Files.getAttribute(lower.resolve("d/b"), "unix:mode")).isEqualTo(0100600);
      assertThat(Files.getAttribute(otherMode, "unix:mode")).isEqualTo(0100644); // untouched
      assertThat(Files.readString(lower.resolve("d/b"))).isEqualTo("mode");
      if (!Files.getAttribute(far, "unix:dev").equals(Files.getAttribute(tmp, "unix:dev"))) {
        assertThat(ino(lower.resolve("d/c"))).isNotEqualTo(ino(far)); // another file system
      }
      assertThat(Files.readString(lower.resolve("d/c"))).isEqualTo("far");
      assertThat(Files.readSymbolicLink(lower.resolve("l"))).isEqualTo(Path.of("d/a"));
      assertThat(Files.getAttribute(lower.resolve("d"), "unix:mode")).isEqualTo(040555);
    } finally {
      Files.deleteIfExists(far);
    }
  }

  private static Object ino(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }
}
