package dev.slimbuild.core.layer;

import static dev.slimbuild.core.layer.Layers.EPOCH;
import static dev.slimbuild.core.layer.Layers.textFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class TarLayerWriterTest {
  private static byte[] tar(List<LayerEntry> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = new TarLayerWriter(EPOCH).write(entries, out);
    assertThat(n).isEqualTo(out.size());
    return out.toByteArray();
  }

  private static List<TarArchiveEntry> headers(byte[] tar) throws IOException {
    List<TarArchiveEntry> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<String> names(byte[] tar) throws IOException {
    List<String> out = new ArrayList<>();
    for (TarArchiveEntry e : headers(tar)) {
      out.add(e.getName());
    }
    return out;
  }

  @Test
  void insertionOrderDoesNotChangeTheBytes() throws IOException {
    List<LayerEntry> entries = Layers.sample();
    byte[] first = tar(entries);
    Random r = new Random(7);
    for (int i = 0; i < 5; i++) {
      List<LayerEntry> shuffled = new ArrayList<>(entries);
      Collections.shuffle(shuffled, r);
      assertThat(tar(shuffled)).isEqualTo(first);
    }
  }

  @Test
  void sortsBySegmentsAddsParentsAndEncodesWhiteouts() throws IOException {
    assertThat(names(tar(Layers.sample())))
        .containsExactly(
            "bin",
            "etc/",
            "etc/passwd",
            "home/",
            "home/user/",
            "opt/",
            "opt/.wh..wh..opq",
            "srv/",
            "srv/data",
            "tmp/",
            "usr/",
            "usr/bin/",
            "usr/bin/app",
            "usr/bin/app-link",
            "usr/lib/",
            "usr/lib/" + "long-name-".repeat(12) + "end",
            "var/",
            "var/cache/",
            "var/cache/.wh.gone");
  }

  @Test
  void directoryComesDirectlyBeforeItsContents() throws IOException {
    List<LayerEntry> es =
        List.of(textFile("a.b", 0644, "1"), textFile("a/b", 0644, "2"), textFile("a-b", 0644, "3"));
    assertThat(names(tar(es))).containsExactly("a/", "a/b", "a-b", "a.b");
  }

  @Test
  void headersCarryTheModelAndOneFixedMtime() throws IOException {
    for (TarArchiveEntry h : headers(tar(Layers.sample()))) {
      assertThat(h.getLastModifiedTime().toMillis()).as(h.getName()).isEqualTo(EPOCH * 1000);
      assertThat(h.getUserName()).as(h.getName()).isEmpty();
      assertThat(h.getGroupName()).as(h.getName()).isEmpty();
      assertThat(h.getLastAccessTime()).isNull();
      assertThat(h.getStatusChangeTime()).isNull();
      switch (h.getName()) {
        case "usr/bin/app":
          assertThat(h.getMode()).isEqualTo(04755);
          break;
        case "tmp/":
          assertThat(h.getMode()).isEqualTo(01777);
          assertThat(h.isDirectory()).isTrue();
          break;
        case "var/":
          assertThat(h.getMode()).isEqualTo(0755);
          assertThat(h.getLongUserId()).isZero();
          break;
        case "home/user/":
          assertThat(h.getMode()).isEqualTo(0700);
          assertThat(h.getLongUserId()).isEqualTo(1000);
          break;
        case "bin":
          assertThat(h.isSymbolicLink()).isTrue();
          assertThat(h.getLinkName()).isEqualTo("usr/bin");
          break;
        case "usr/bin/app-link":
          assertThat(h.isLink()).isTrue();
          assertThat(h.getLinkName()).isEqualTo("usr/bin/app");
          break;
        case "srv/data":
          assertThat(h.getLongGroupId()).isEqualTo(3_000_000); // beyond octal: PAX gid
          assertThat(h.getExtraPaxHeaders()).containsEntry("SCHILY.xattr.user.origin", "test");
          break;
        default:
          break;
      }
    }
  }

  @Test
  void hardlinkSortingBeforeItsTargetCarriesTheContent() throws IOException {
    List<LayerEntry> es =
        List.of(
            textFile("z/file", 0644, "data"), LayerEntry.hardlink("a/link", "z/file", 0644, 0, 0));
    byte[] tar = tar(es);
    List<TarArchiveEntry> hs = headers(tar);
    assertThat(names(tar)).containsExactly("a/", "a/link", "z/", "z/file");
    assertThat(hs.get(1).isFile()).isTrue();
    assertThat(hs.get(1).getSize()).isEqualTo(4);
    assertThat(hs.get(3).isLink()).isTrue();
    assertThat(hs.get(3).getLinkName()).isEqualTo("a/link");
  }

  @Test
  void sizeAbove8GiBUsesAPaxSizeRecord() throws IOException {
    long nineGiB = 9L << 30;
    LayerEntry big = LayerEntry.file("big", 0644, 0, 0, nineGiB, ContentSource.EMPTY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarArchiveOutputStream tar = TarLayerWriter.open(out);
    tar.putArchiveEntry(TarLayerWriter.header(big, EPOCH)); // headers only, no 9 GiB body
    tar.flush();
    String headers = new String(out.toByteArray(), StandardCharsets.US_ASCII);
    assertThat(headers).contains(" size=" + nineGiB + "\n");
  }

  @Test
  void longNamesRoundTripThroughPax() throws IOException {
    String name = "d/" + "x".repeat(250);
    byte[] tar = tar(List.of(textFile(name, 0644, "z")));
    assertThat(names(tar)).containsExactly("d/", name);
    assertThat(new String(tar, StandardCharsets.US_ASCII)).contains(" path=" + name + "\n");
  }

  @Test
  void duplicatePathsAreRefused() {
    assertThatThrownBy(
            () -> tar(List.of(textFile("a/b", 0644, "1"), LayerEntry.dir("a/b", 0755, 0, 0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a/b'");
    assertThatThrownBy(() -> tar(List.of(textFile("a", 0644, "1"), textFile("a/b", 0644, "2"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a/b' is below 'a'");
  }

  @Test
  void danglingHardlinkIsRefused() {
    assertThatThrownBy(() -> tar(List.of(LayerEntry.hardlink("l", "missing", 0644, 0, 0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void contentShorterOrLongerThanItsSizeIsAnIoErrorNamingTheFile() {
    LayerEntry shrank = LayerEntry.file("f/short", 0644, 0, 0, 10, Layers.text("abc"));
    assertThatThrownBy(() -> tar(List.of(shrank)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("'f/short' changed while being read: expected 10 bytes, got 3");
    LayerEntry grew = LayerEntry.file("f/long", 0644, 0, 0, 2, Layers.text("abc"));
    assertThatThrownBy(() -> tar(List.of(grew)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("'f/long' changed while being read: longer than 2 bytes");
  }

  @Test
  void contentIsOpenedOnlyWhenWritten() throws IOException {
    int[] opened = {0};
    ContentSource counting =
        () -> {
          opened[0]++;
          return (InputStream) new ByteArrayInputStream(new byte[] {1, 2});
        };
    List<LayerEntry> es = List.of(LayerEntry.file("f", 0644, 0, 0, 2, counting));
    TarLayerWriter.plan(es);
    assertThat(opened[0]).isZero();
    tar(es);
    assertThat(opened[0]).isEqualTo(1);
  }
}
