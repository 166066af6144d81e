package dev.slimbuild.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class CompressorsTest {
  /** 6 MiB: more than one zstd job at level 3 so workers could matter. */
  private static byte[] sample() {
    Random r = new Random(42);
    byte[] b = new byte[6 * 1024 * 1024];
    String words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod ";
    for (int i = 0; i < b.length; i++) {
      b[i] = i % 7 == 0 ? (byte) r.nextInt(256) : (byte) words.charAt(r.nextInt(words.length()));
    }
    return b;
  }

  private static byte[] compress(Compression c, int level, int workers, byte[] in)
      throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream out = Compressors.open(c, level, workers, bos)) {
      // uneven write sizes must not change the output
      int off = 0;
      int step = 1;
      while (off < in.length) {
        int n = Math.min(step, in.length - off);
        out.write(in, off, n);
        off += n;
        step = step * 3 % 100_003 + 1;
      }
    }
    return bos.toByteArray();
  }

  private static byte[] decompress(byte[] blob) throws IOException {
    try (InputStream in = Decompressors.open(new ByteArrayInputStream(blob))) {
      return in.readAllBytes();
    }
  }

  @Test
  void zstdOutputIsTheSameForOneAndTwoWorkers() throws IOException {
    byte[] in = sample();
    byte[] one = compress(Compression.ZSTD, 3, 1, in);
    byte[] two = compress(Compression.ZSTD, 3, 2, in);
    assertThat(two).isEqualTo(one);
    assertThat(Arrays.copyOf(one, 4)).containsExactly(0x28, 0xb5, 0x2f, 0xfd);
    assertThat(decompress(one)).isEqualTo(in);
  }

  @Test
  void zeroZstdWorkersAreRefused() {
    assertThatThrownBy(() -> Compressors.open(Compression.ZSTD, 3, 0, new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workers");
  }

  @Test
  void invalidLevelIsRefused() {
    assertThatThrownBy(() -> Compressors.open(Compression.GZIP, 11, new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gzipHasAFixedHeaderAndIsReadableByTheJdk() throws IOException {
    byte[] in = sample();
    byte[] a = compress(Compression.GZIP, 6, 1, in);
    byte[] b = compress(Compression.GZIP, 6, 1, in);
    assertThat(a).isEqualTo(b);
    assertThat(Arrays.copyOf(a, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(a))) {
      assertThat(gz.readAllBytes()).isEqualTo(in);
    }
    assertThat(compress(Compression.GZIP, 1, 1, in)).isNotEqualTo(a);
  }

  @Test
  void emptyInputRoundTripsForEveryCompression() throws IOException {
    for (Compression c : Compression.values()) {
      byte[] blob = compress(c, c.defaultLevel(), 1, new byte[0]);
      assertThat(decompress(blob)).as(c.name()).isEmpty();
    }
  }

  @Test
  void decompressorsSniffMagicAndHonourMediaTypes() throws IOException {
    byte[] in = "plain tar bytes, or anything else".getBytes(StandardCharsets.UTF_8);
    for (Compression c : Compression.values()) {
      byte[] blob = compress(c, c.defaultLevel(), 1, in);
      assertThat(Decompressors.sniff(blob, blob.length)).isEqualTo(c);
      assertThat(decompress(blob)).isEqualTo(in);
      try (InputStream d = Decompressors.open(new ByteArrayInputStream(blob), c.mediaType())) {
        assertThat(d.readAllBytes()).isEqualTo(in);
      }
    }
    assertThat(Decompressors.sniff(new byte[] {0x1f}, 1)).isEqualTo(Compression.NONE);
  }

  @Test
  void truncatedZstdIsAnError() throws IOException {
    byte[] blob = compress(Compression.ZSTD, 3, 1, sample());
    byte[] cut = Arrays.copyOf(blob, blob.length / 2);
    assertThatThrownBy(() -> decompress(cut)).isInstanceOf(IOException.class);
  }
}
