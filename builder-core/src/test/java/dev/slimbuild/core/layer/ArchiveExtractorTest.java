package dev.slimbuild.core.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.Compressors;
import dev.slimbuild.core.SlimbuildException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class ArchiveExtractorTest {
  @TempDir Path tmp;

  /** Builds a tar by hand, names taken literally (absolute and ".." kept). */
  private static final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    TarBuilder() {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    TarBuilder file(String name, String content) throws IOException {
      byte[] b = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setSize(b.length);
      e.setMode(0640);
      e.setIds(1000, 1001);
      tar.putArchiveEntry(e);
      tar.write(b);
      tar.closeArchiveEntry();
      return this;
    }

    TarBuilder entry(String name, byte type, String link) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      if (link != null) {
        e.setLinkName(link);
      }
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
      return this;
    }

    byte[] bytes() throws IOException {
      tar.finish();
      return bytes.toByteArray();
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private List<LayerEntry> extract(byte[] archive) throws IOException {
    return extract(archive, ArchiveExtractor.DEFAULT_MAX_ENTRY_SIZE);
  }

  private List<LayerEntry> extract(byte[] archive, long limit) throws IOException {
    Path staging = Files.createDirectories(tmp.resolve("staging"));
    return new ArchiveExtractor(staging, limit).extract(write("a.tar", archive), "/dest/");
  }

  private static byte[] compress(byte[] tar, ArchiveExtractor.Format f) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStream c;
    switch (f) {
      case GZIP:
        c = Compressors.open(Compression.GZIP, 6, out);
        break;
      case ZSTD:
        c = Compressors.open(Compression.ZSTD, 3, out);
        break;
      case BZIP2:
        c = new BZip2CompressorOutputStream(out);
        break;
      case XZ:
        c = new XZOutputStream(out, new LZMA2Options());
        break;
      default:
        c = out;
    }
    try (OutputStream o = c) {
      o.write(tar);
    }
    return out.toByteArray();
  }

  private static String content(LayerEntry e) throws IOException {
    try (InputStream in = e.content().open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void extractsEveryFormatUnderTheDestination() throws IOException {
    byte[] tar =
        new TarBuilder()
            .entry("./", TarConstants.LF_DIR, null)
            .entry("./app/", TarConstants.LF_DIR, null)
            .file("./app/run.sh", "echo hi\n")
            .file("/abs/x", "absolute is relative to dest")
            .entry("app/link", TarConstants.LF_SYMLINK, "/etc/passwd")
            .entry("app/hard", TarConstants.LF_LINK, "app/run.sh")
            .bytes();
    for (ArchiveExtractor.Format f : ArchiveExtractor.Format.values()) {
      Path archive = write("a." + f, compress(tar, f));
      assertThat(ArchiveExtractor.detect(archive)).as(f.name()).contains(f);
      Path staging = Files.createDirectories(tmp.resolve("staging-" + f));
      Map<String, LayerEntry> got =
          new ArchiveExtractor(staging)
              .extract(archive, "dest").stream()
                  .collect(Collectors.toMap(LayerEntry::path, Function.identity()));
      assertThat(got.keySet())
          .containsExactlyInAnyOrder(
              "dest/app", "dest/app/run.sh", "dest/abs/x", "dest/app/link", "dest/app/hard");
      LayerEntry run = got.get("dest/app/run.sh");
      assertThat(content(run)).isEqualTo("echo hi\n");
      assertThat(run.mode()).isEqualTo(0640);
      assertThat(run.uid()).isEqualTo(1000);
      assertThat(run.gid()).isEqualTo(1001);
      assertThat(got.get("dest/app/link").linkTarget()).isEqualTo("/etc/passwd");
      assertThat(got.get("dest/app/hard").linkTarget()).isEqualTo("dest/app/run.sh");
    }
  }

  @Test
  void plainFilesAreNotArchives() throws IOException {
    assertThat(ArchiveExtractor.detect(write("t.txt", "hello".getBytes(StandardCharsets.UTF_8))))
        .isEmpty();
    byte[] gzText =
        compress("hello".getBytes(StandardCharsets.UTF_8), ArchiveExtractor.Format.GZIP);
    assertThat(ArchiveExtractor.detect(write("t.gz", gzText))).isEmpty();
  }

  @Test
  void laterEntryReplacesEarlier() throws IOException {
    List<LayerEntry> es = extract(new TarBuilder().file("f", "one").file("f", "two").bytes());
    assertThat(es).hasSize(1);
    assertThat(content(es.get(0))).isEqualTo("two");
  }

  @Test
  void dotDotEscapeIsRefused() {
    assertThatThrownBy(() -> extract(new TarBuilder().file("../evil", "x").bytes()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessage("ADD a.tar: entry '../evil' refused: escapes the destination");
    assertThatThrownBy(() -> extract(new TarBuilder().file("a/../../evil", "x").bytes()))
        .hasMessageContaining("'a/../../evil' refused: escapes");
  }

  @Test
  void dotDotStayingInsideIsAllowed() throws IOException {
    List<LayerEntry> es = extract(new TarBuilder().file("a/../b", "x").bytes());
    assertThat(es).extracting(LayerEntry::path).containsExactly("dest/b");
  }

  @Test
  void writingThroughAnArchiveSymlinkIsRefused() {
    assertThatThrownBy(
            () ->
                extract(
                    new TarBuilder()
                        .entry("etc", TarConstants.LF_SYMLINK, "/etc")
                        .file("etc/passwd", "owned")
                        .bytes()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("'etc/passwd' refused: goes through the symlink 'etc'");
    assertThatThrownBy(
            () ->
                extract(
                    new TarBuilder()
                        .entry("up", TarConstants.LF_SYMLINK, "../../..")
                        .file("up/x/y", "owned")
                        .bytes()))
        .hasMessageContaining("goes through the symlink 'up'");
  }

  @Test
  void badHardlinksAreRefused() {
    assertThatThrownBy(
            () ->
                extract(
                    new TarBuilder().entry("h", TarConstants.LF_LINK, "../../etc/shadow").bytes()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("'../../etc/shadow' refused: escapes");
    assertThatThrownBy(
            () ->
                extract(
                    new TarBuilder()
                        .entry("h", TarConstants.LF_LINK, "later")
                        .file("later", "x")
                        .bytes()))
        .hasMessageContaining("entry 'h' refused: hardlink to 'later', which is no earlier file");
    assertThatThrownBy(
            () ->
                extract(
                    new TarBuilder()
                        .entry("s", TarConstants.LF_SYMLINK, "/")
                        .entry("h", TarConstants.LF_LINK, "s/etc/shadow")
                        .bytes()))
        .hasMessageContaining("goes through the symlink 's'");
  }

  @Test
  void devicesAndFifosAreRefused() {
    for (byte type : new byte[] {TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO}) {
      assertThatThrownBy(() -> extract(new TarBuilder().entry("dev/x", type, null).bytes()))
          .isInstanceOf(SlimbuildException.class)
          .hasMessageContaining("'dev/x' refused: device nodes and fifos");
    }
  }

  @Test
  void whiteoutNamesAreRefused() {
    assertThatThrownBy(() -> extract(new TarBuilder().file("etc/.wh.passwd", "").bytes()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("whiteout");
  }

  @Test
  void sizeAboveTheLimitIsRefusedBeforeReading() {
    assertThatThrownBy(() -> extract(new TarBuilder().file("big", "0123456789x").bytes(), 10))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("'big' refused: size 11 is above the limit of 10");
  }

  @Test
  void sizeBeyondTheBytesPresentIsRefused() throws IOException {
    byte[] full = new TarBuilder().file("trunc", "x".repeat(5000)).bytes();
    byte[] cut = Arrays.copyOf(full, 512 + 100); // header + 100 of 5000 bytes
    assertThatThrownBy(() -> extract(cut))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("entry 'trunc' refused:");
  }

  @Test
  void fileUnderAFileIsRefused() {
    assertThatThrownBy(() -> extract(new TarBuilder().file("a", "1").file("a/b", "2").bytes()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("'dest/a/b' is below 'dest/a'");
  }
}
