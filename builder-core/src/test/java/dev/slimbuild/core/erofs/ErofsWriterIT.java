package dev.slimbuild.core.erofs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.run.ErofsMount;
import dev.slimbuild.core.run.Overlay;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer images checked by tools slimbuild did not write: erofs-utils' fsck.erofs checks every inode
 * and extracts the tree, and the kernel mounts the images (the suite runs as root) and stacks two
 * of them under overlayfs, whiteouts and opaque directories included.
 */
class ErofsWriterIT {
  private static final long MTIME = 1_700_000_000L;

  @TempDir Path tmp;

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  private static long file(ErofsWriter w, String path, int mode, int uid, int gid, byte[] content)
      throws IOException {
    return w.file(
        path, mode, uid, gid, MTIME, content.length, new ByteArrayInputStream(content), Map.of());
  }

  private Path image(String name, Writes writes) throws IOException {
    Path image = tmp.resolve(name);
    try (FileChannel ch =
            FileChannel.open(
                image,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        ErofsWriter w = new ErofsWriter(ch, MTIME)) {
      writes.to(w);
      w.finish();
    }
    return image;
  }

  @FunctionalInterface
  interface Writes {
    void to(ErofsWriter w) throws IOException;
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + text).isZero();
    return text;
  }

  private static final String LONG_TARGET = "t/".repeat(1990) + "end"; // 3983 bytes: own block
  private static final String INLINE_TARGET = "x/".repeat(1000) + "y"; // shares the inode's block

  /** A layer with every kind of entry and size edge the writer handles. */
  private static void everything(ErofsWriter w, List<Long> offsets) throws IOException {
    w.directory("etc", 0755, 0, 0, MTIME, Map.of());
    offsets.add(file(w, "etc/passwd", 0644, 0, 0, "root:x:0:0\n".getBytes(StandardCharsets.UTF_8)));
    w.directory("usr/bin", 0751, 0, 0, MTIME, Map.of()); // usr: made up
    offsets.add(file(w, "usr/bin/su", 04755, 0, 0, bytes(10_000, 1)));
    offsets.add(file(w, "usr/bin/block", 0755, 0, 0, bytes(4096, 2)));
    offsets.add(file(w, "usr/bin/empty", 0600, 7, 8, new byte[0]));
    w.hardlink("usr/bin/su-link", "usr/bin/su");
    w.symlink("usr/bin/sh", "busybox", 0, 0, MTIME, Map.of());
    w.symlink("long", LONG_TARGET, 0, 0, MTIME, Map.of());
    w.symlink("inline", INLINE_TARGET, 0, 0, MTIME, Map.of());
    w.directory("home/app", 0700, 1000, 1000, MTIME, Map.of());
    offsets.add(file(w, "home/app/.profile", 0640, 1000, 1000, bytes(3, 3)));
    // a directory of several blocks: 400 names of 40 bytes and more
    w.directory("many", 0755, 0, 0, MTIME, Map.of());
    for (int i = 0; i < 400; i++) {
      offsets.add(
          file(
              w,
              String.format("many/%03d-%s", 399 - i, "n".repeat(40)),
              0644,
              0,
              0,
              bytes(i % 7, i)));
    }
    // replaced by a later entry of the layer
    offsets.add(file(w, "replaced", 0644, 0, 0, bytes(100, 9)));
    w.directory("replaced", 0755, 0, 0, MTIME, Map.of());
    offsets.add(file(w, "replaced/inside", 0644, 0, 0, bytes(5, 5)));
  }

  @Test
  void fsckFindsNoErrorAndExtractsWhatTheWriterWasGiven() throws Exception {
    List<Long> offsets = new ArrayList<>();
    Path image = image("all.erofs", w -> everything(w, offsets));
    assertThat(Files.size(image) % 4096).isZero();
    assertThat(offsets).allMatch(o -> o % 4096 == 0);
    // the bytes are where writer said: a plain range of the image
    try (FileChannel ch = FileChannel.open(image)) {
      ByteBuffer b = ByteBuffer.allocate(10_000);
      ch.read(b, offsets.get(1));
      assertThat(b.array()).isEqualTo(bytes(10_000, 1));
    }

    Path out = tmp.resolve("out");
    assertThat(
            run(List.of("fsck.erofs", "-d3", "--extract=" + out, "--preserve", image.toString())))
        .contains("Extracted filesystem successfully");

    assertThat(Files.readString(out.resolve("etc/passwd"))).isEqualTo("root:x:0:0\n");
    assertThat(Files.readAllBytes(out.resolve("usr/bin/su"))).isEqualTo(bytes(10_000, 1));
    assertThat(Files.readAllBytes(out.resolve("usr/bin/block"))).isEqualTo(bytes(4096, 2));
    assertThat(Files.size(out.resolve("usr/bin/empty"))).isZero();
    // fsck.erofs extracts without set-id bits; the kernel shows them (next test)
    assertThat((int) Files.getAttribute(out.resolve("usr/bin/su"), "unix:mode") & 0777)
        .isEqualTo(0755);
    assertThat(Files.getAttribute(out.resolve("usr/bin"), "unix:mode")).isEqualTo(040751);
    assertThat(Files.getAttribute(out.resolve("usr/bin/empty"), "unix:uid")).isEqualTo(7);
    assertThat(Files.getAttribute(out.resolve("usr/bin/empty"), "unix:gid")).isEqualTo(8);
    assertThat(Files.getAttribute(out.resolve("home/app"), "unix:uid")).isEqualTo(1000);
    assertThat(Files.readSymbolicLink(out.resolve("usr/bin/sh")).toString()).isEqualTo("busybox");
    assertThat(Files.readSymbolicLink(out.resolve("long")).toString()).isEqualTo(LONG_TARGET);
    assertThat(Files.readSymbolicLink(out.resolve("inline")).toString()).isEqualTo(INLINE_TARGET);
    assertThat(Files.readAllBytes(out.resolve("usr/bin/su-link"))).isEqualTo(bytes(10_000, 1));
    try (Stream<Path> s = Files.list(out.resolve("many"))) {
      assertThat(s.count()).isEqualTo(400);
    }
    assertThat(Files.readAllBytes(out.resolve("many/005-" + "n".repeat(40))))
        .isEqualTo(bytes(394 % 7, 394));
    assertThat(Files.isDirectory(out.resolve("replaced"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.readAllBytes(out.resolve("replaced/inside"))).isEqualTo(bytes(5, 5));
  }

  @Test
  void theKernelMountsAnImageWithItsOwnersLinksAndTimes() throws Exception {
    Path probe = Files.createDirectory(tmp.resolve("probe"));
    assertThat(ErofsMount.unavailable(probe))
        .as("layer images must mount where the suite runs (as root)")
        .isNull();
    assertThat(probe).as("the probe leaves nothing behind").doesNotExist();
    List<Long> offsets = new ArrayList<>();
    Path image = image("all.erofs", w -> everything(w, offsets));
    try (ErofsMount m = ErofsMount.mount(image, Files.createDirectory(tmp.resolve("m")))) {
      Path r = m.dir();
      assertThat(Files.readAllBytes(r.resolve("usr/bin/su"))).isEqualTo(bytes(10_000, 1));
      assertThat(Files.getAttribute(r.resolve("usr/bin/su"), "unix:ino"))
          .isEqualTo(Files.getAttribute(r.resolve("usr/bin/su-link"), "unix:ino"));
      assertThat(Files.getAttribute(r.resolve("usr/bin/su"), "unix:nlink")).isEqualTo(2);
      assertThat(Files.getAttribute(r.resolve("usr/bin/su"), "unix:mode")).isEqualTo(0104755);
      assertThat(Files.getAttribute(r.resolve("usr/bin"), "unix:mode")).isEqualTo(040751);
      assertThat(Files.getAttribute(r.resolve("usr/bin/empty"), "unix:uid")).isEqualTo(7);
      assertThat(Files.getLastModifiedTime(r.resolve("etc/passwd")).toMillis() / 1000)
          .isEqualTo(MTIME);
      assertThat(Files.readSymbolicLink(r.resolve("long")).toString()).isEqualTo(LONG_TARGET);
      // a lookup in a directory of several blocks, and its listing in order
      assertThat(Files.exists(r.resolve("many/000-" + "n".repeat(40)))).isTrue();
      assertThat(Files.exists(r.resolve("many/399-" + "n".repeat(40)))).isTrue();
      assertThat(Files.exists(r.resolve("many/400-" + "n".repeat(40)))).isFalse();
      try (Stream<Path> s = Files.list(r.resolve("many"))) {
        assertThat(s.count()).isEqualTo(400);
      }
      assertThatThrownBy(() -> Files.writeString(r.resolve("etc/passwd"), "x"))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void twoImagesStackUnderOverlayfsWithWhiteoutsOpaqueDirectoriesAndXattrs() throws Exception {
    Path lower =
        image(
            "lower.erofs",
            w -> {
              w.directory("a", 0755, 0, 0, MTIME, Map.of());
              file(w, "a/1", 0644, 0, 0, bytes(1, 1));
              file(w, "a/2", 0644, 0, 0, bytes(2, 2));
              w.directory("b", 0755, 0, 0, MTIME, Map.of());
              file(w, "b/x", 0644, 0, 0, bytes(3, 3));
              file(w, "c", 0644, 0, 0, bytes(4, 4));
            });
    Path upper =
        image(
            "upper.erofs",
            w -> {
              w.directory("a", 0700, 0, 0, MTIME, Map.of());
              w.file(
                  "a/3",
                  0644,
                  0,
                  0,
                  MTIME,
                  1,
                  new ByteArrayInputStream(new byte[] {9}),
                  Map.of("user.origin", "layer-2"));
              w.whiteout("c");
              w.directory("b", 0755, 0, 0, MTIME, Map.of());
              w.opaque("b");
              file(w, "b/y", 0644, 0, 0, bytes(5, 5));
            });
    try (ErofsMount l = ErofsMount.mount(lower, Files.createDirectory(tmp.resolve("l")));
        ErofsMount u = ErofsMount.mount(upper, Files.createDirectory(tmp.resolve("u")));
        Overlay o =
            Overlay.mountReadOnly(
                List.of(u.dir(), l.dir()), Files.createDirectory(tmp.resolve("merged")))) {
      Path r = o.merged();
      assertThat(names(r)).containsExactly("a", "b");
      assertThat(names(r.resolve("a"))).containsExactly("1", "2", "3");
      assertThat(names(r.resolve("b"))).containsExactly("y");
      assertThat(Files.getAttribute(r.resolve("a"), "unix:mode")).isEqualTo(040700);
      UserDefinedFileAttributeView x =
          Files.getFileAttributeView(r.resolve("a/3"), UserDefinedFileAttributeView.class);
      ByteBuffer v = ByteBuffer.allocate(x.size("origin"));
      x.read("origin", v);
      assertThat(new String(v.array(), StandardCharsets.UTF_8)).isEqualTo("layer-2");
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      String[] n = s.map(p -> p.getFileName().toString()).toArray(String[]::new);
      Arrays.sort(n);
      return List.of(n);
    }
  }

  @Test
  void aDirectoryTheLayerDoesNotListIsMadeUpAndReported() throws IOException {
    boolean[] implicit = new boolean[3];
    image(
        "listed.erofs",
        w -> {
          w.directory("usr", 0755, 0, 0, MTIME, Map.of());
          file(w, "usr/x", 0644, 0, 0, bytes(1, 1));
          implicit[0] = w.hasImplicitDirectories();
        });
    image(
        "unlisted.erofs",
        w -> {
          file(w, "usr/lib/x", 0644, 0, 0, bytes(1, 1));
          implicit[1] = w.hasImplicitDirectories();
        });
    // listed after its child: made up at first, then the layer's own
    image(
        "late.erofs",
        w -> {
          file(w, "usr/x", 0644, 0, 0, bytes(1, 1));
          w.directory("usr", 0700, 0, 0, MTIME, Map.of());
          implicit[2] = w.hasImplicitDirectories();
        });
    assertThat(implicit).containsExactly(false, true, false);
  }

  @Test
  void aHardLinkToAFileOfAnotherLayerIsRefused() throws IOException {
    try (FileChannel ch =
            FileChannel.open(
                tmp.resolve("x.erofs"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ErofsWriter w = new ErofsWriter(ch, MTIME)) {
      assertThatThrownBy(() -> w.hardlink("bin/b", "bin/a"))
          .isInstanceOf(ErofsWriter.UnsupportedLayer.class)
          .hasMessageContaining("'bin/a'");
      assertThatThrownBy(
              () ->
                  w.file(
                      "f",
                      0644,
                      0,
                      0,
                      MTIME,
                      1,
                      new ByteArrayInputStream(new byte[1]),
                      Map.of("user.overlay.opaque", "y")))
          .isInstanceOf(ErofsWriter.UnsupportedLayer.class);
    }
  }
}
