package dev.slimbuild.core.layer;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.Compressors;
import dev.slimbuild.compress.HashingOutputStream;
import dev.slimbuild.compress.NonClosingOutputStream;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;

/**
 * Builds a layer blob in one streaming pass: tar bytes → SHA-256 and count (diff_id) → compressor →
 * SHA-256 and count (digest, size) → the caller's stream. Nothing is held in memory beyond fixed
 * buffers; every file is read once.
 */
public final class LayerWriter {
  /** Between the tar writer and the hashers: batches the tar's 512-byte records. */
  private static final int PIPE_BUFFER = 256 * 1024;

  private LayerWriter() {}

  /**
   * Writes the layer to {@code blobOut} (flushed, not closed) with the default zstd worker count;
   * returns it as written (no source repository).
   */
  public static Layer write(
      Collection<LayerEntry> entries,
      Compression compression,
      int level,
      long mtimeEpochSeconds,
      OutputStream blobOut)
      throws IOException {
    return write(
        entries, compression, level, Compressors.DEFAULT_ZSTD_WORKERS, mtimeEpochSeconds, blobOut);
  }

  /** Like {@link #write(Collection, Compression, int, long, OutputStream)} with zstd workers. */
  public static Layer write(
      Collection<LayerEntry> entries,
      Compression compression,
      int level,
      int zstdWorkers,
      long mtimeEpochSeconds,
      OutputStream blobOut)
      throws IOException {
    TarBody body = tarOf(entries, mtimeEpochSeconds);
    if (compression == Compression.NONE) {
      // the blob is the tar: hash it once
      HashingOutputStream tar = encode(compression, level, zstdWorkers, blobOut, body);
      Digest diffId = Digest.sha256(tar.digest());
      return Layer.written(
          Descriptor.of(compression.mediaType(), diffId, tar.count()), diffId, tar.count());
    }
    HashingOutputStream compressed = new HashingOutputStream(new NonClosingOutputStream(blobOut));
    HashingOutputStream tar = encode(compression, level, zstdWorkers, compressed, body);
    return Layer.written(
        Descriptor.of(
            compression.mediaType(), Digest.sha256(compressed.digest()), compressed.count()),
        Digest.sha256(tar.digest()),
        tar.count());
  }

  /** Writes an uncompressed tar to the stream it is given. */
  @FunctionalInterface
  public interface TarBody {
    void writeTo(OutputStream tar) throws IOException;
  }

  /**
   * Compresses the tar {@code body} writes into {@code blobOut} (flushed, not closed), hashing only
   * the tar: for a destination that hashes the blob itself, such as a blob store's writer, so no
   * byte is hashed twice. Returns the tar's hasher, finished: its digest is the layer's diff_id,
   * its count the tar's size (what the blob store's {@code commitLayer} takes).
   */
  public static HashingOutputStream encode(
      Compression compression, int level, int zstdWorkers, OutputStream blobOut, TarBody body)
      throws IOException {
    compression.checkLevel(level);
    OutputStream sink = new NonClosingOutputStream(blobOut);
    OutputStream blob =
        compression == Compression.NONE
            ? sink
            : Compressors.open(compression, level, zstdWorkers, sink);
    HashingOutputStream tarHash = new HashingOutputStream(blob);
    try (OutputStream pipe = new BufferedOutputStream(tarHash, PIPE_BUFFER)) {
      body.writeTo(pipe);
    }
    // closing the pipe finished the compressor; the blob stream was only flushed
    tarHash.digest(); // nothing more may be written
    return tarHash;
  }

  /** {@link #encode} of the layer's tar, with the default zstd worker count. */
  public static HashingOutputStream writeTar(
      Collection<LayerEntry> entries,
      Compression compression,
      int level,
      long mtimeEpochSeconds,
      OutputStream blobOut)
      throws IOException {
    return encode(
        compression,
        level,
        Compressors.DEFAULT_ZSTD_WORKERS,
        blobOut,
        tarOf(entries, mtimeEpochSeconds));
  }

  /** The layer's tar, written by {@link TarLayerWriter}. */
  private static TarBody tarOf(Collection<LayerEntry> entries, long mtimeEpochSeconds) {
    return pipe -> new TarLayerWriter(mtimeEpochSeconds).write(entries, pipe);
  }
}
