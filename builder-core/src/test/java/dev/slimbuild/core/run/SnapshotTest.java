package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
  private static final Set<String> SANDBOX_PATHS = Set.of("/etc/resolv.conf", "etc/hosts", "proc");

  @TempDir Path tmp;

  /** What the RUN of the stage tree changes, one kind of change per path. */
  static void run(Path root) throws IOException {
    // added
    Files.writeString(root.resolve("etc/new.conf"), "new");
    Files.setAttribute(root.resolve("etc/new.conf"), "unix:mode", 0644);
    // same size, mtime set back: only the ctime and the bytes tell
    Path passwd = root.resolve("etc/passwd");
    FileTime t = Files.getLastModifiedTime(passwd);
    Files.writeString(passwd, "root:x:0:1\n", StandardOpenOption.WRITE);
    Files.setLastModifiedTime(passwd, t);
    // touched without change: the ctime moves, the bytes do not
    Path group = root.resolve("etc/group");
    Files.setLastModifiedTime(group, Files.getLastModifiedTime(group));
    // touched with a new mtime: taken without reading
    Path readme = root.resolve("usr/share/doc/readme");
    Files.setLastModifiedTime(
        readme, FileTime.fromMillis(Files.getLastModifiedTime(readme).toMillis() + 10_000));
    // modified in place, same size
    Files.writeString(root.resolve("home/user/.profile"), "export A=2\n", StandardOpenOption.WRITE);
    // modified in place through one of two hard links
    Files.writeString(root.resolve("usr/bin/a"), "AAAA", StandardOpenOption.WRITE);
    // chmod
    Files.setAttribute(root.resolve("usr/bin/su"), "unix:mode", 0755);
    // deleted file and directory
    Files.delete(root.resolve("etc/motd"));
    Files.delete(root.resolve("var/lib/x/db"));
    Files.delete(root.resolve("var/lib/x"));
    // directory replaced by a file
    Files.delete(root.resolve("opt/app/run"));
    Files.delete(root.resolve("opt/app"));
    Files.writeString(root.resolve("opt/app"), "app!");
    Files.setAttribute(root.resolve("opt/app"), "unix:mode", 0755);
    // file replaced by a directory
    Files.delete(root.resolve("srv/data"));
    Files.createDirectory(root.resolve("srv/data"));
    Files.setAttribute(root.resolve("srv/data"), "unix:mode", 0750);
    Files.writeString(root.resolve("srv/data/f"), "f");
    Files.setAttribute(root.resolve("srv/data/f"), "unix:mode", 0600);
    // directory removed and made again (made first, so it cannot get the old inode)
    Files.createDirectory(root.resolve("recreate.new"));
    Files.writeString(root.resolve("recreate.new/new"), "n");
    Files.setAttribute(root.resolve("recreate.new/new"), "unix:mode", 0644);
    Files.delete(root.resolve("recreate/old"));
    Files.delete(root.resolve("recreate"));
    Files.move(root.resolve("recreate.new"), root.resolve("recreate"));
    Files.setAttribute(root.resolve("recreate"), "unix:mode", 0755);
    // new hard links: among new files, and to an unchanged file
    Files.writeString(root.resolve("tmp/new1"), "12");
    Files.setAttribute(root.resolve("tmp/new1"), "unix:mode", 0644);
    Files.createLink(root.resolve("tmp/new2"), root.resolve("tmp/new1"));
    Files.createLink(root.resolve("etc/hostname.link"), root.resolve("etc/hostname"));
    // into the read-only directory
    Files.writeString(root.resolve("ro/added"), "x");
    Files.setAttribute(root.resolve("ro/added"), "unix:mode", 0644);
    // what the sandbox made and the caller ignores
    Files.writeString(root.resolve("etc/resolv.conf"), "nameserver 127.0.0.1\n");
    Files.writeString(root.resolve("etc/hosts"), "changed by the sandbox\n");
    Files.createDirectories(root.resolve("proc/1"));
  }

  static final List<String> EXPECTED =
      List.of(
          "DIRECTORY etc/ 755 0:0",
          "WHITEOUT etc/.wh.motd 0 0:0",
          "FILE etc/hostname 644 0:0 size=4",
          "HARDLINK etc/hostname.link 644 0:0 -> etc/hostname",
          "FILE etc/new.conf 644 0:0 size=3",
          "FILE etc/passwd 644 0:0 size=11",
          "DIRECTORY home/ 755 0:0",
          "DIRECTORY home/user/ 700 1000:1000",
          "FILE home/user/.profile 644 1000:1000 size=11",
          "DIRECTORY opt/ 755 0:0",
          "FILE opt/app 755 0:0 size=4",
          "DIRECTORY recreate/ 755 0:0",
          "OPAQUE recreate/.wh..wh..opq 0 0:0",
          "FILE recreate/new 644 0:0 size=1",
          "DIRECTORY ro/ 555 0:0",
          "FILE ro/added 644 0:0 size=1",
          "DIRECTORY srv/ 755 0:0",
          "DIRECTORY srv/data/ 750 0:0",
          "FILE srv/data/f 600 0:0 size=1",
          "DIRECTORY tmp/ 1777 0:0",
          "FILE tmp/new1 644 0:0 size=2",
          "HARDLINK tmp/new2 644 0:0 -> tmp/new1",
          "DIRECTORY usr/ 755 0:0",
          "DIRECTORY usr/bin/ 755 0:0",
          "FILE usr/bin/a 755 0:0 size=4",
          "HARDLINK usr/bin/b 755 0:0 -> usr/bin/a",
          "FILE usr/bin/su 755 0:0 size=9",
          "DIRECTORY usr/share/ 755 0:0",
          "DIRECTORY usr/share/doc/ 755 0:0",
          "FILE usr/share/doc/readme 644 0:0 size=6",
          "DIRECTORY var/ 755 0:0",
          "DIRECTORY var/lib/ 755 0:0",
          "WHITEOUT var/lib/.wh.x 0 0:0");

  static List<String> describe(List<LayerEntry> layer) {
    return layer.stream().map(Trees::describe).collect(Collectors.toList());
  }

  private Rootfs materialise(Trees t, boolean asRoot, String name) throws IOException {
    Rootfs fs = new RootfsWriter(asRoot).materialise(t.tree(), tmp.resolve(name));
    // from here on, only etc/passwd and etc/group (whose ctime alone changes) may be read
    t.sources.forEach((p, s) -> s.locked = !p.equals("etc/passwd") && !p.equals("etc/group"));
    return fs;
  }

  private static LayerEntry find(List<LayerEntry> layer, String path) {
    return layer.stream().filter(e -> e.path().equals(path)).findFirst().orElseThrow();
  }

  private static String read(LayerEntry e) throws IOException {
    try (InputStream in = e.content().open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theLayerHoldsExactlyWhatTheRunChangedWithoutReadingUnchangedFiles() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Rootfs fs = materialise(t, true, "root");
    run(fs.dir());

    List<LayerEntry> layer = Snapshot.diff(fs, SANDBOX_PATHS, 0, 0);

    assertThat(describe(layer)).containsExactlyElementsOf(EXPECTED);
    // the two ctime-only files were compared, nothing else was opened after materialising
    assertThat(t.sources.get("etc/passwd").opens).isEqualTo(2);
    assertThat(t.sources.get("etc/group").opens).isEqualTo(2);
    t.sources.forEach(
        (p, s) -> {
          if (s.locked) {
            assertThat(s.opens).as(p).isEqualTo(1);
          }
        });
    // contents come from the work dir
    assertThat(read(find(layer, "etc/passwd"))).isEqualTo("root:x:0:1\n");
    assertThat(read(find(layer, "usr/bin/a"))).isEqualTo("AAAA");
  }

  @Test
  void aNonRootBuildYieldsTheSameLayerAsARootBuild() throws IOException {
    Trees rootTree = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Rootfs asRoot = materialise(rootTree, true, "root");
    Trees userTree = Trees.stage(Files.createDirectory(tmp.resolve("src2")));
    Rootfs asUser = materialise(userTree, false, "user");
    // on disk the builder owns everything, not the image's users
    assertThat(Files.getAttribute(asUser.dir().resolve("home/user/.profile"), "unix:uid"))
        .isEqualTo(Files.getAttribute(tmp, "unix:uid"))
        .isNotEqualTo(1000);
    run(asRoot.dir());
    run(asUser.dir());

    List<String> fromRoot = describe(Snapshot.diff(asRoot, SANDBOX_PATHS, 0, 0));
    List<String> fromUser = describe(Snapshot.diff(asUser, SANDBOX_PATHS, 0, 0));

    assertThat(fromUser).containsExactlyElementsOf(fromRoot).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void nothingChangedMeansAnEmptyLayerAndNothingRead() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Rootfs fs = new RootfsWriter(true).materialise(t.tree(), tmp.resolve("root"));
    t.sources.values().forEach(s -> s.locked = true);

    assertThat(Snapshot.diff(fs, Set.of())).isEmpty();
    assertThat(t.sources.values()).allSatisfy(s -> assertThat(s.opens).isEqualTo(1));
  }

  @Test
  void ownerChangesAndNewFilesOfANonRootBuildTakeTheRunUser() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Rootfs asRoot = new RootfsWriter(true).materialise(t.tree(), tmp.resolve("root"));
    Files.setAttribute(
        asRoot.dir().resolve("etc/shadow"), "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
    Files.writeString(asRoot.dir().resolve("tmp/mine"), "");
    Files.setAttribute(asRoot.dir().resolve("tmp/mine"), "unix:mode", 0600);
    Files.setAttribute(asRoot.dir().resolve("tmp/mine"), "unix:uid", 7);

    assertThat(describe(Snapshot.diff(asRoot, Set.of())))
        .containsExactly(
            "DIRECTORY etc/ 755 0:0",
            "FILE etc/shadow 640 0:0 size=6",
            "DIRECTORY tmp/ 1777 0:0",
            "FILE tmp/mine 600 7:0 size=0");

    Rootfs asUser = new RootfsWriter(false).materialise(t.tree(), tmp.resolve("user"));
    Files.writeString(asUser.dir().resolve("tmp/mine"), "");
    Files.setAttribute(asUser.dir().resolve("tmp/mine"), "unix:mode", 0600);
    Files.createDirectory(asUser.dir().resolve("home/user/new"));
    Files.setAttribute(asUser.dir().resolve("home/user/new"), "unix:mode", 0755);

    assertThat(describe(Snapshot.diff(asUser, Set.of(), 7, 8)))
        .containsExactly(
            "DIRECTORY home/ 755 0:0",
            "DIRECTORY home/user/ 700 1000:1000",
            "DIRECTORY home/user/new/ 755 7:8",
            "DIRECTORY tmp/ 1777 0:0",
            "FILE tmp/mine 600 7:8 size=0");
  }

  @Test
  void aDirectoryReplacedByASymlinkAndIgnoredDeletionsLeaveNoWhiteouts() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Rootfs fs = new RootfsWriter(true).materialise(t.tree(), tmp.resolve("root"));
    Files.delete(fs.dir().resolve("var/lib/x/db"));
    Files.delete(fs.dir().resolve("var/lib/x"));
    Files.createSymbolicLink(fs.dir().resolve("var/lib/x"), Path.of("../../srv"));
    Files.delete(fs.dir().resolve("etc/hosts")); // the sandbox's: ignored

    assertThat(describe(Snapshot.diff(fs, Set.of("etc/hosts"))))
        .containsExactly(
            "DIRECTORY var/ 755 0:0",
            "DIRECTORY var/lib/ 755 0:0",
            "SYMLINK var/lib/x 777 0:0 -> ../../srv");
  }
}
