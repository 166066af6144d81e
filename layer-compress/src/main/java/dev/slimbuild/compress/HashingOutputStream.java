package dev.slimbuild.compress;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Passes bytes through to another stream while hashing them (SHA-256) and counting them. Closing it
 * closes the downstream; {@link #digest()} and {@link #count()} stay readable afterwards.
 */
public final class HashingOutputStream extends FilterOutputStream {
  private final MessageDigest md;
  private long count;
  private byte[] digest;

  /** Hashes with SHA-256 on the way to {@code out}. */
  public HashingOutputStream(OutputStream out) {
    super(out);
    this.md = sha256();
  }

  @Override
  public void write(int b) throws IOException {
    checkOpen();
    md.update((byte) b);
    count++;
    out.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    checkOpen();
    md.update(b, off, len);
    count += len;
    out.write(b, off, len);
  }

  private void checkOpen() throws IOException {
    if (digest != null) {
      throw new IOException("hashing stream already finished");
    }
  }

  /** Number of bytes written so far. */
  public long count() {
    return count;
  }

  /**
   * The SHA-256 of every byte written; after the first call no more bytes may be written. Returns a
   * copy.
   */
  public byte[] digest() {
    if (digest == null) {
      digest = md.digest();
    }
    return digest.clone();
  }

  /** {@link #digest()} as lowercase hex. */
  String hexDigest() {
    return HexFormat.of().formatHex(digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
