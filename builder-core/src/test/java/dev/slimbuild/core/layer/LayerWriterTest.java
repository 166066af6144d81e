package dev.slimbuild.core.layer;

import static dev.slimbuild.core.layer.Layers.EPOCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerWriterTest {
  /**
   * Pinned digests of {@link Layers#sample()}. A change here changes every image slimbuild builds:
   * only update it on purpose (for zstd, a zstd-jni upgrade can do it).
   */
  private static final String DIFF_ID =
      "sha256:8a795f20fd62f796c0447ffa03b3378a3c589ecb3581bb123f9710825c4d37b0";

  private static final Map<Compression, String> GOLDEN = new LinkedHashMap<>();

  static {
    GOLDEN.put(Compression.NONE, DIFF_ID);
    GOLDEN.put(
        Compression.GZIP,
        "sha256:dffc438094333c4734973220e05db71131925131a4f30258ec4b739bfcb69ce9");
    GOLDEN.put(
        Compression.ZSTD,
        "sha256:527dc85911a42bb464635ad5c5e8ee3ef543706e47f1c9d710765356ebb297f2");
  }

  private static final class Blob {
    final Layer digests;
    final byte[] bytes;

    Blob(Layer digests, byte[] bytes) {
      this.digests = digests;
      this.bytes = bytes;
    }
  }

  private static Blob write(List<LayerEntry> es, Compression c, int workers) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Layer d = LayerWriter.write(es, c, c.defaultLevel(), workers, EPOCH, out);
    return new Blob(d, out.toByteArray());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void digestsDescribeTheBlobAndItsTar(Compression c) throws IOException {
    Blob b = write(Layers.sample(), c, 1);
    byte[] tar;
    try (InputStream in = Decompressors.open(new ByteArrayInputStream(b.bytes))) {
      tar = in.readAllBytes();
    }
    assertThat(b.digests.descriptor().digest()).isEqualTo(Digest.sha256Of(b.bytes));
    assertThat(b.digests.descriptor().size()).isEqualTo(b.bytes.length);
    assertThat(b.digests.diffId()).isEqualTo(Digest.sha256Of(tar));
    assertThat(b.digests.uncompressedSize()).hasValue(tar.length);
    assertThat(b.digests.descriptor().mediaType()).isEqualTo(c.mediaType());
    assertThat(b.digests.diffId().toString()).isEqualTo(DIFF_ID);
    assertThat(b.digests.descriptor().digest().toString()).isEqualTo(GOLDEN.get(c));
  }

  @Test
  void zstdWorkerCountDoesNotChangeTheBlob() throws IOException {
    List<LayerEntry> es = new ArrayList<>(Layers.sample());
    byte[] big = new byte[5 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ((i * 31 + (i >> 9)) % 251);
    }
    es.add(LayerEntry.file("big", 0644, 0, 0, big.length, ContentSource.ofBytes(big)));
    assertThat(write(es, Compression.ZSTD, 2).bytes)
        .isEqualTo(write(es, Compression.ZSTD, 1).bytes);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripsThroughLayerReader(Compression c) throws IOException {
    Blob b = write(Layers.sample(), c, 1);
    Map<String, LayerEntry> read = new LinkedHashMap<>();
    Map<String, String> contents = new LinkedHashMap<>();
    try (LayerReader r = new LayerReader(new ByteArrayInputStream(b.bytes))) {
      for (LayerEntry e = r.next(); e != null; e = r.next()) {
        read.put(e.type() + " " + e.path(), e);
        if (e.type() == EntryType.FILE) {
          try (InputStream in = e.content().open()) {
            contents.put(e.path(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    // every entry of the model comes back with the same metadata (content sources differ)
    for (LayerEntry e : TarLayerWriter.plan(Layers.sample())) {
      LayerEntry back = read.get(e.type() + " " + e.path());
      assertThat(back).as(e.path()).isNotNull();
      assertThat(back.withoutContent()).isEqualTo(e.withoutContent());
    }
    assertThat(read).hasSize(TarLayerWriter.plan(Layers.sample()).size());
    assertThat(contents).containsEntry("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    assertThat(contents).containsEntry("srv/data", "abc");
    assertThat(read.get("WHITEOUT var/cache/gone")).isNotNull();
    assertThat(read.get("OPAQUE opt")).isNotNull();
  }

  @Test
  void readerRefusesAnEscapingHardlinkAsAnInputError() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.putArchiveEntry(new TarArchiveEntry("h", TarConstants.LF_LINK));
      tar.closeArchiveEntry();
    }
    byte[] b = bytes.toByteArray();
    // link name "../x": patch the header's linkname field (offset 157) and its checksum
    byte[] evil = "../x".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(evil, 0, b, 157, evil.length);
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b[i] & 0xff);
    }
    byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, b, 148, 8);
    try (LayerReader r = new LayerReader(new ByteArrayInputStream(b))) {
      Assertions.assertThatThrownBy(r::next)
          .isInstanceOf(LayerReader.RefusedEntry.class)
          .hasMessageContaining("entry 'h' refused")
          .hasMessageContaining("escapes the root");
    }
  }
}
