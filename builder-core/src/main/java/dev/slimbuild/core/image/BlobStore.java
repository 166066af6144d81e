package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * A content-addressed blob directory laid out as in an OCI image layout: {@code
 * ROOT/blobs/ALGORITHM/ENCODED}. Blobs are written through a {@link BlobWriter} into a temporary
 * file under {@code ROOT/ingest} (same filesystem) and renamed into place, so a blob path either
 * does not exist or holds the complete content. Two writers of the same blob are harmless: both
 * rename identical content to the same name.
 */
public final class BlobStore {
  private final Path root;

  /** A store rooted at {@code root}; directories are created on first write. */
  public BlobStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The root (the directory holding {@code blobs/}). */
  public Path root() {
    return root;
  }

  /** The path where {@code digest}'s content lives (whether or not it exists). */
  public Path path(Digest digest) {
    if (!digest.isRegistered()) {
      throw new IllegalArgumentException("cannot store blobs with digest algorithm " + digest);
    }
    return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  /** Whether the blob is present. */
  public boolean has(Digest digest) {
    return Files.isRegularFile(path(digest));
  }

  /** Opens the blob; {@link NoSuchFileException} names the digest if it is missing. */
  public InputStream open(Digest digest) throws IOException {
    Path p = path(digest);
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException("blob " + digest + " (" + p + ")");
    }
  }

  /** The size of a present blob. */
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(path(digest));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException("blob " + digest + " (" + path(digest) + ")");
    }
  }

  /** Stores {@code bytes}; returns their digest and size. */
  public BlobInfo putBytes(byte[] bytes) throws IOException {
    try (BlobWriter w = newWriter()) {
      w.write(bytes);
      return w.commit();
    }
  }

  /** Stores {@code bytes} and returns a descriptor of them with {@code mediaType}. */
  public Descriptor putBytes(byte[] bytes, String mediaType) throws IOException {
    return putBytes(bytes).descriptor(mediaType);
  }

  /** A streaming writer for a new blob (sha256). */
  public BlobWriter newWriter() throws IOException {
    Path ingest = root.resolve("ingest");
    Files.createDirectories(ingest);
    return new BlobWriter(this, Files.createTempFile(ingest, "blob-", ".part"));
  }

  /**
   * Reads the blob once and checks its size and digest against {@code expected}; returns null when
   * they match, else a sentence describing the difference.
   */
  public String verify(Descriptor expected) throws IOException {
    Digest d = expected.digest();
    if (!d.isRegistered()) {
      return "cannot verify " + d + ": unsupported algorithm";
    }
    if (!has(d)) {
      return "blob " + d + " is missing";
    }
    MessageDigest md = d.newHasher();
    long n = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = open(d)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
        n += r;
      }
    }
    String actual = java.util.HexFormat.of().formatHex(md.digest());
    if (!actual.equals(d.hex())) {
      return "blob " + d + " has content with digest " + d.algorithm() + ":" + actual;
    }
    if (n != expected.size()) {
      return "blob " + d + " is " + n + " bytes, descriptor says " + expected.size();
    }
    return null;
  }

  void install(Path temp, Digest digest) throws IOException {
    Path target = path(digest);
    Files.createDirectories(target.getParent());
    if (Files.isRegularFile(target)) {
      Files.deleteIfExists(temp);
      return;
    }
    try {
      Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      if (!Files.isRegularFile(target)) {
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "BlobStore[" + root + "]";
  }
}
