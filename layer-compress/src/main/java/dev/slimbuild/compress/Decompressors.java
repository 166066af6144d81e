package dev.slimbuild.compress;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Opens decompressing streams over layer blobs. Closing the result closes the source. */
public final class Decompressors {
  private static final int BUFFER = 64 * 1024;

  private Decompressors() {}

  /**
   * Sniffs the first bytes of {@code in}: zstd ({@code 28 b5 2f fd}), gzip ({@code 1f 8b}), or
   * anything else as an uncompressed tar.
   */
  public static InputStream open(InputStream in) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, BUFFER);
    return open(b, sniff(b));
  }

  /** Opens {@code in} as the compression of a layer media type (see Compression#fromMediaType). */
  public static InputStream open(InputStream in, String mediaType) throws IOException {
    return open(in, Compression.fromMediaType(mediaType));
  }

  /** Opens {@code in} as compressed with {@code compression}. */
  public static InputStream open(InputStream in, Compression compression) throws IOException {
    switch (compression) {
      case ZSTD:
        // continuous=false: a truncated frame is an error, not a silent end of stream
        return new ZstdInputStreamNoFinalizer(in);
      case GZIP:
        return new GZIPInputStream(in, BUFFER);
      case NONE:
        return in;
      default:
        throw new IllegalStateException(compression.name());
    }
  }

  /**
   * Returns the compression whose magic bytes start {@code in}, without consuming them; {@code in}
   * must support mark/reset.
   */
  public static Compression sniff(InputStream in) throws IOException {
    if (!in.markSupported()) {
      throw new IllegalArgumentException("sniff needs a stream that supports mark/reset");
    }
    byte[] head = new byte[4];
    in.mark(head.length);
    int n = 0;
    try {
      while (n < head.length) {
        int r = in.read(head, n, head.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } finally {
      in.reset();
    }
    return sniff(head, n);
  }

  /** Returns the compression whose magic bytes start {@code head[0..len)}. */
  public static Compression sniff(byte[] head, int len) {
    if (len >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return Compression.ZSTD;
    }
    if (len >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return Compression.GZIP;
    }
    return Compression.NONE;
  }
}
