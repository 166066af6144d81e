package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay path of RUN against a real overlayfs mount (the tests run as root): the lower
 * directory hard-links files that already are what the image says and is never written, and the
 * upper directory alone gives the same layer as the copy path's full comparison, but for a file
 * written through one of two hard links (overlayfs copies up only the path written, as BuildKit's
 * overlay snapshotter does).
 */
class OverlaySnapshotIT {
  private static final Set<String> SANDBOX_PATHS = Set.of("/etc/resolv.conf", "etc/hosts", "proc");

  @TempDir Path tmp;

  @BeforeEach
  void overlayIsAvailable() throws IOException {
    assertThat(Overlay.unavailable(Files.createDirectory(tmp.resolve("probe"))))
        .as("overlay mounts must work where the suite runs (as root)")
        .isNull();
    assertThat(tmp.resolve("probe")).doesNotExist(); // the probe cleans up after itself
  }

  private static String read(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theUpperDirectoryGivesTheCopyPathsLayerAndTheLowerStaysUntouched() throws IOException {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Trees t = Trees.stage(src);
    // the one file given as a path, made what the tree says: linked, not copied
    Path su = src.resolve("su");
    Files.setAttribute(su, "unix:mode", 04755);
    FileTree tree = t.tree();
    Path lower = tmp.resolve("lower");
    new RootfsWriter(true).writeLower(tree, lower);
    assertThat(Files.getAttribute(lower.resolve("usr/bin/su"), "unix:ino"))
        .isEqualTo(Files.getAttribute(su, "unix:ino"));
    assertThat(
            Files.getAttribute(lower.resolve("usr/bin/su"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0104755);
    t.sources.values().forEach(s -> s.locked = true); // the snapshot reads lower files, not these

    Path upper = Files.createDirectory(tmp.resolve("upper"));
    Path merged = Files.createDirectory(tmp.resolve("merged"));
    try (Overlay o =
        Overlay.mount(List.of(lower), upper, Files.createDirectory(tmp.resolve("work")), merged)) {
      SnapshotTest.run(o.merged());
    }

    List<LayerEntry> layer =
        Snapshot.diffUpper(
            upper,
            tree,
            p ->
                Files.exists(lower.resolve(p), LinkOption.NOFOLLOW_LINKS) ? lower.resolve(p) : null,
            SANDBOX_PATHS,
            true,
            0,
            0);

    List<String> expected = new ArrayList<>(SnapshotTest.EXPECTED);
    expected.remove("HARDLINK usr/bin/b 755 0:0 -> usr/bin/a"); // b still holds the old bytes
    assertThat(SnapshotTest.describe(layer)).containsExactlyElementsOf(expected);
    // contents come from the upper directory
    LayerEntry passwd =
        layer.stream().filter(e -> e.path().equals("etc/passwd")).findFirst().orElseThrow();
    try (InputStream in = passwd.content().open()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("root:x:0:1\n");
    }
    // nothing below the overlay changed: not the linked source, not the lower directory
    assertThat(Files.getAttribute(su, "unix:mode")).isEqualTo(0104755);
    assertThat(read(su)).isEqualTo("su-binary");
    assertThat(read(lower.resolve("usr/bin/a"))).isEqualTo("aaaa");
    assertThat(lower.resolve("etc/motd")).exists();
    assertThat(lower.resolve("recreate/old")).exists();
  }

  @Test
  void nothingChangedMeansAnEmptyLayer() throws IOException {
    Trees t = Trees.stage(Files.createDirectory(tmp.resolve("src")));
    Path lower = tmp.resolve("lower");
    new RootfsWriter(true).writeLower(t.tree(), lower);
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    try (Overlay o =
        Overlay.mount(
            List.of(lower),
            upper,
            Files.createDirectory(tmp.resolve("work")),
            Files.createDirectory(tmp.resolve("merged")))) {
      // read everything, write nothing
      List<Path> files;
      try (var s = Files.walk(o.merged())) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path p : files) {
        read(p);
      }
      // opening a file for writing copies it up unchanged: its bytes must be compared to find
      // that nothing changed
      Files.newOutputStream(files.get(0), StandardOpenOption.APPEND).close();
      assertThat(upper.resolve(o.merged().relativize(files.get(0)))).exists();
    }
    assertThat(Snapshot.diffUpper(upper, t.tree(), lower::resolve, Set.of(), true, 0, 0)).isEmpty();
  }

  @Test
  void unmountingFindsMountPointsByTheirEscapedNamesAndAcceptsOneAlreadyGone() throws IOException {
    Path lower = Files.createDirectories(tmp.resolve("l"));
    Files.writeString(lower.resolve("f"), "f");
    Path merged = Files.createDirectory(tmp.resolve("a merged\\dir"));
    Overlay o =
        Overlay.mount(
            List.of(lower),
            Files.createDirectory(tmp.resolve("u")),
            Files.createDirectory(tmp.resolve("w")),
            merged);
    assertThat(Overlay.isMountPoint(merged)).isTrue();
    assertThat(Overlay.isMountPoint(tmp)).isFalse();
    // unmounted behind the build's back (a lazy unmount of a parent, an operator): closing it
    // is no error, and nothing stays mounted
    assertThat(Host.probe(List.of("umount", merged.toString()))).isNull();
    o.close();
    assertThat(Overlay.isMountPoint(merged)).isFalse();
    Overlay again =
        Overlay.mount(
            List.of(lower),
            Files.createDirectory(tmp.resolve("u2")),
            Files.createDirectory(tmp.resolve("w2")),
            merged);
    again.close();
    assertThat(Overlay.isMountPoint(merged)).isFalse();
    try (var s = Files.list(merged)) {
      assertThat(s.count()).isZero();
    }
  }
}
