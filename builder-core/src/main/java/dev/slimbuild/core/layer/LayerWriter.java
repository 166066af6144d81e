package dev.slimbuild.core.layer;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.Compressors;
import dev.slimbuild.compress.HashingOutputStream;
import dev.slimbuild.core.oci.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;

/**
 * Builds a layer blob in one streaming pass: tar bytes → SHA-256 and count (diff_id) → compressor
 * → SHA-256 and count (digest, size) → the caller's stream. Nothing is held in memory beyond fixed
 * buffers; every file is read once.
 */
public final class LayerWriter {
  /** Between the tar writer and the hashers: batches the tar's 512-byte records. */
  private static final int PIPE_BUFFER = 256 * 1024;

  private LayerWriter() {}

  /**
   * Writes the layer to {@code blobOut} (flushed, not closed) with the default zstd worker count.
   */
  public static LayerDigests write(
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
  public static LayerDigests write(
      Collection<LayerEntry> entries,
      Compression compression,
      int level,
      int zstdWorkers,
      long mtimeEpochSeconds,
      OutputStream blobOut)
      throws IOException {
    compression.checkLevel(level);
    if (compression == Compression.NONE) {
      // the blob is the tar: hash it once
      HashingOutputStream tarHash = new HashingOutputStream(new dev.slimbuild.compress.NonClosingOutputStream(blobOut));
      try (OutputStream pipe = new BufferedOutputStream(tarHash, PIPE_BUFFER)) {
        new TarLayerWriter(mtimeEpochSeconds).write(entries, pipe);
      }
      Digest d = Digest.sha256(tarHash.digest());
      return new LayerDigests(d, d, tarHash.count(), tarHash.count(), compression.mediaType());
    }
    HashingOutputStream compressed = new HashingOutputStream(new dev.slimbuild.compress.NonClosingOutputStream(blobOut));
    OutputStream compressor = Compressors.open(compression, level, zstdWorkers, compressed);
    HashingOutputStream tarHash = new HashingOutputStream(compressor);
    try (OutputStream pipe = new BufferedOutputStream(tarHash, PIPE_BUFFER)) {
      new TarLayerWriter(mtimeEpochSeconds).write(entries, pipe);
    }
    // closing the pipe finished the compressor; the blob stream was only flushed
    return new LayerDigests(
        Digest.sha256(tarHash.digest()),
        Digest.sha256(compressed.digest()),
        compressed.count(),
        tarHash.count(),
        compression.mediaType());
  }
}
