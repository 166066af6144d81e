package dev.slimbuild.core.fs;

import java.io.IOException;
import java.io.InputStream;

/**
 * At most {@code length} bytes of another stream (fewer at its end). Closing the slice closes the
 * stream under it only when asked to: a slice of a shared stream leaves it open.
 */
public final class Slice extends InputStream {
  private final InputStream in;
  private final boolean closeUnder;
  private long remaining;

  /** The next {@code length} bytes of {@code in}; {@code closeUnder}: close closes {@code in}. */
  public Slice(InputStream in, long length, boolean closeUnder) {
    this.in = in;
    this.remaining = length;
    this.closeUnder = closeUnder;
  }

  /** Bytes of the slice not read yet. */
  public long remaining() {
    return remaining;
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int n) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int got = in.read(buf, off, (int) Math.min(n, remaining));
    if (got > 0) {
      remaining -= got;
    }
    return got;
  }

  @Override
  public void close() throws IOException {
    if (closeUnder) {
      in.close();
    }
  }
}
