package dev.slimbuild.compress;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes (SHA-256 unless told otherwise) and counts the bytes read through it; mark/reset is not
 * supported.
 */
public final class HashingInputStream extends FilterInputStream {
  private final MessageDigest md;
  private long count;

  /** Hashes what is read from {@code in}. */
  public HashingInputStream(InputStream in) {
    this(in, HashingOutputStream.sha256());
  }

  /** Feeds what is read from {@code in} to {@code md}, which the caller finishes. */
  public HashingInputStream(InputStream in, MessageDigest md) {
    super(in);
    this.md = md;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      md.update((byte) b);
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      md.update(b, off, n);
      count += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long left = n;
    while (left > 0) {
      int r = read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  /** Number of bytes read so far. */
  public long count() {
    return count;
  }

  /** Lowercase hex SHA-256 of the bytes read so far; reading may continue afterwards. */
  String hexDigest() {
    try {
      MessageDigest copy = (MessageDigest) md.clone();
      return HexFormat.of().formatHex(copy.digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }
}
