package dev.slimbuild.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/** Small tar archives for ADD tests, hostile ones included. */
final class Archives {
  private Archives() {}

  /** One entry: a tar header plus its data. */
  record Entry(TarArchiveEntry header, byte[] data) {}

  static Entry file(String name, int mode, String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setMode(0100000 | mode);
    e.setSize(data.length);
    return new Entry(e, data);
  }

  static Entry dir(String name, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setMode(040000 | mode);
    return new Entry(e, new byte[0]);
  }

  static Entry symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    e.setMode(0120777);
    return new Entry(e, new byte[0]);
  }

  static Entry hardlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    e.setLinkName(target);
    e.setMode(0100644);
    return new Entry(e, new byte[0]);
  }

  static byte[] tar(List<Entry> entries) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(buf)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        t.putArchiveEntry(e.header());
        t.write(e.data());
        t.closeArchiveEntry();
      }
    }
    return buf.toByteArray();
  }

  static void compress(byte[] data, Path dest, String kind) throws IOException {
    try (OutputStream file = Files.newOutputStream(dest);
        OutputStream out =
            switch (kind) {
              case "gz" -> new GzipCompressorOutputStream(file);
              case "xz" -> new XZCompressorOutputStream(file);
              case "bz2" -> new BZip2CompressorOutputStream(file);
              case "zst" -> new ZstdCompressorOutputStream(file);
              default -> throw new IllegalArgumentException(kind);
            }) {
      out.write(data);
    }
  }
}
