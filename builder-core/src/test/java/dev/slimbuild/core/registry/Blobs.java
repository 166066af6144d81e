package dev.slimbuild.core.registry;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/** Seeded blob content generated as a stream (never held whole), and its digest. */
final class Blobs {
  private Blobs() {}

  /** {@code size} pseudo-random bytes from {@code seed}; the same each time it is opened. */
  static InputStream stream(long seed, long size) {
    return new InputStream() {
      private final SplittableRandom random = new SplittableRandom(seed);
      private long left = size;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
          b[off + i] = (byte) random.nextInt(256);
        }
        left -= n;
        return n;
      }
    };
  }

  static Descriptor descriptor(String mediaType, long seed, long size) throws IOException {
    return Descriptor.of(mediaType, digest(stream(seed, size)), size);
  }

  /** The sha256 of a stream, read once. */
  static Digest digest(InputStream in) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[1 << 16];
    try (in) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.sha256(md.digest());
  }
}
