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

  /**
   * Records that layer blob {@code blob} uncompresses to a tar of {@code size} bytes (learnt while
   * writing or unpacking it), so that a writer needing the size first (a docker archive's tar
   * entry) need not decompress the layer an extra time. Kept beside the blobs, under {@code
   * ROOT/tar-sizes}.
   */
  public void recordTarSize(Digest blob, long size) throws IOException {
    Path p = tarSizePath(blob);
    if (Files.isRegularFile(p)) {
      return;
    }
    Files.createDirectories(p.getParent());
    Path tmp = Files.createTempFile(p.getParent(), "." + blob.hex(), ".tmp");
    try {
      Files.writeString(tmp, Long.toString(size));
      Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The uncompressed size {@link #recordTarSize} recorded for {@code blob}, if any. */
  public java.util.OptionalLong tarSize(Digest blob) {
    try {
      return java.util.OptionalLong.of(Long.parseLong(Files.readString(tarSizePath(blob)).strip()));
    } catch (IOException | NumberFormatException e) {
      return java.util.OptionalLong.empty();
    }
  }

  private Path tarSizePath(Digest blob) {
    return root.resolve("tar-sizes").resolve(blob.algorithm()).resolve(path(blob).getFileName());
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

  /** The largest document (manifest, index, config) {@link #readDocument} reads. */
  public static final long MAX_DOCUMENT = 4L * 1024 * 1024;

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
  public byte[] readDocument(Descriptor d) throws IOException {
    Digest digest = d.digest();
    if (!digest.isRegistered()) {
      throw new BadBlob("cannot verify " + digest + ": unsupported algorithm");
    }
    if (!has(digest)) {
      throw new BadBlob("blob " + digest + " is missing");
    }
    if (d.size() > MAX_DOCUMENT) {
      throw new BadBlob(digest + ": document of " + d.size() + " bytes is too large");
    }
    byte[] bytes;
    try (InputStream in = open(digest)) {
      bytes = in.readNBytes((int) d.size() + 1);
    }
    if (bytes.length > d.size()) {
      throw new BadBlob("blob " + digest + " is larger than its descriptor's " + d.size()
          + " bytes");
    }
    MessageDigest md = digest.newHasher();
    md.update(bytes);
    String actual = java.util.HexFormat.of().formatHex(md.digest());
    if (!actual.equals(digest.hex())) {
      throw new BadBlob("blob " + digest + " has content with digest " + digest.algorithm() + ":"
          + actual);
    }
    if (bytes.length != d.size()) {
      throw new BadBlob("blob " + digest + " is " + bytes.length + " bytes, descriptor says "
          + d.size());
    }
    return bytes;
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
