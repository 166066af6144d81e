package dev.slimbuild.core.image;

import dev.slimbuild.compress.HashingInputStream;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.OptionalLong;

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

  /**
   * Records that the layer tar with digest {@code diffId} is {@code size} bytes (learnt while
   * writing or unpacking a blob of it, whatever its compression), so that a writer needing the size
   * first (a docker archive's tar entry) need not decompress the layer an extra time. Kept beside
   * the blobs, under {@code ROOT/tar-sizes}.
   */
  public void recordTarSize(Digest diffId, long size) throws IOException {
    Path p = tarSizePath(diffId);
    if (!Files.isRegularFile(p)) {
      Files.createDirectories(p.getParent());
      Dirs.writeAtomically(p, Long.toString(size).getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** The size {@link #recordTarSize} recorded for the tar {@code diffId}, if any. */
  public OptionalLong tarSize(Digest diffId) {
    try {
      String recorded = Files.readString(tarSizePath(diffId)).strip();
      return OptionalLong.of(Long.parseLong(recorded));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private Path tarSizePath(Digest diffId) {
    return root.resolve("tar-sizes").resolve(diffId.algorithm()).resolve(diffId.hex());
  }

  /** Stores {@code bytes}; returns their digest. */
  public Digest putBytes(byte[] bytes) throws IOException {
    try (BlobWriter w = newWriter()) {
      w.write(bytes);
      return w.commit();
    }
  }

  /** Stores {@code bytes} and returns a descriptor of them with {@code mediaType}. */
  public Descriptor putBytes(byte[] bytes, String mediaType) throws IOException {
    return Descriptor.of(mediaType, putBytes(bytes), bytes.length);
  }

  /** A streaming writer for a new blob (sha256). */
  public BlobWriter newWriter() throws IOException {
    Path ingest = root.resolve("ingest");
    Files.createDirectories(ingest);
    return new BlobWriter(this, Files.createTempFile(ingest, "blob-", ".part"));
  }

  /**
   * The largest document (manifest, index, config) {@link #readDocument} reads, and the largest a
   * pull accepts: what was pulled can always be read back (for a push, an output).
   */
  public static final long MAX_DOCUMENT = 8L * 1024 * 1024;

  /** A stored blob that is missing or not what its descriptor says. */
  public static final class BadBlob extends IOException {
    private static final long serialVersionUID = 1L;

    BadBlob(String reason) {
      super(reason);
    }
  }

  /**
   * The bytes of the small blob {@code d} (a manifest, index or config), read once and checked
   * against its digest and size; a missing, altered or too large blob throws {@link BadBlob} with
   * the reason {@link #verify} gives.
   */
  byte[] readDocument(Descriptor d) throws IOException {
    Digest digest = d.digest();
    String unreadable = unreadable(digest);
    if (unreadable != null) {
      throw new BadBlob(unreadable);
    }
    if (d.size() > MAX_DOCUMENT) {
      throw new BadBlob(digest + ": document of " + d.size() + " bytes is too large");
    }
    byte[] bytes;
    try (InputStream in = open(digest)) {
      bytes = in.readNBytes((int) d.size() + 1);
    }
    if (bytes.length > d.size()) {
      throw new BadBlob(
          "blob " + digest + " is larger than its descriptor's " + d.size() + " bytes");
    }
    String wrong =
        mismatch(d, Digest.of(digest.algorithm(), digest.newHasher().digest(bytes)), bytes.length);
    if (wrong != null) {
      throw new BadBlob(wrong);
    }
    return bytes;
  }

  /**
   * Reads the blob once and checks its size and digest against {@code expected}; returns null when
   * they match, else a sentence describing the difference.
   */
  public String verify(Descriptor expected) throws IOException {
    Digest d = expected.digest();
    String unreadable = unreadable(d);
    if (unreadable != null) {
      return unreadable;
    }
    MessageDigest md = d.newHasher();
    long n;
    try (HashingInputStream in = new HashingInputStream(open(d), md)) {
      in.transferTo(OutputStream.nullOutputStream());
      n = in.count();
    }
    return mismatch(expected, Digest.of(d.algorithm(), md.digest()), n);
  }

  /** Why blob {@code d} cannot be checked at all, or null. */
  private String unreadable(Digest d) {
    if (!d.isRegistered()) {
      return "cannot verify " + d + ": unsupported algorithm";
    }
    return has(d) ? null : "blob " + d + " is missing";
  }

  /** How a blob of {@code n} bytes hashing to {@code actual} differs from {@code expected}. */
  private static String mismatch(Descriptor expected, Digest actual, long n) {
    Digest d = expected.digest();
    if (!actual.equals(d)) {
      return "blob " + d + " has content with digest " + actual;
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
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
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
