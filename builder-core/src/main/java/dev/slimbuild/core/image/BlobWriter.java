package dev.slimbuild.core.image;

import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Writes one blob: bytes go to a temporary file while being hashed; {@link #commit()} moves the
 * file to its content address. Closing without committing deletes the temporary file.
 */
public final class BlobWriter extends OutputStream {
  private final BlobStore store;
  private final Path temp;
  private final OutputStream out;
  private final MessageDigest sha256 = Digest.newSha256();
  private long size;
  private boolean done;

  BlobWriter(BlobStore store, Path temp) throws IOException {
    this.store = store;
    this.temp = temp;
    this.out = Files.newOutputStream(temp);
  }

  @Override
  public void write(int b) throws IOException {
    checkOpen();
    out.write(b);
    sha256.update((byte) b);
    size++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    checkOpen();
    out.write(b, off, len);
    sha256.update(b, off, len);
    size += len;
  }

  /** Bytes written so far. */
  public long size() {
    return size;
  }

  /** Finishes the blob and moves it to its content address; returns its digest. */
  public Digest commit() throws IOException {
    return commit(null);
  }

  /**
   * Finishes a layer blob of {@code mediaType} whose uncompressed tar has {@code diffId} and {@code
   * tarSize} bytes, and records the tar's size ({@link BlobStore#recordTarSize}) for outputs that
   * need it before the layer's bytes.
   */
  public Layer commitLayer(String mediaType, Digest diffId, long tarSize) throws IOException {
    long blobSize = size;
    Digest digest = commit(null);
    store.recordTarSize(diffId, tarSize);
    return Layer.written(Descriptor.of(mediaType, digest, blobSize), diffId, tarSize);
  }

  /**
   * Finishes the blob, checking it has digest {@code expected} (if not null): on a mismatch the
   * content is discarded and {@link DigestMismatchException} thrown.
   */
  public Digest commit(Digest expected) throws IOException {
    checkOpen();
    done = true;
    out.close();
    Digest actual = Digest.sha256(sha256.digest());
    if (expected != null && !expected.equals(actual)) {
      Files.deleteIfExists(temp);
      throw new DigestMismatchException("blob", expected, actual);
    }
    store.install(temp, actual);
    return actual;
  }

  private void checkOpen() throws IOException {
    if (done) {
      throw new IOException("blob writer already committed or closed");
    }
  }

  @Override
  public void close() throws IOException {
    if (!done) {
      done = true;
      try {
        out.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }
}
