package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Digest;
import java.io.IOException;

/** Content whose digest is not the one it was expected to have. */
public final class DigestMismatchException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Digest expected;
  private final transient Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super("digest mismatch for " + what + ": expected " + expected + ", got " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
