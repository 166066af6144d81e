package dev.slimbuild.compress;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;

/** Opens compressing streams whose output depends only on the input, the level and the workers. */
public final class Compressors {
  /**
   * zstd worker threads used unless the caller asks otherwise. zstd output is identical for any
   * worker count ≥ 1 but differs from 0 (single-threaded mode), so it must never be 0.
   */
  public static final int DEFAULT_ZSTD_WORKERS = 1;

  private Compressors() {}

  /**
   * Opens a compressor writing to {@code out} with {@link #DEFAULT_ZSTD_WORKERS}. Closing the
   * returned stream finishes the compressed stream and closes {@code out}.
   */
  public static OutputStream open(Compression compression, int level, OutputStream out)
      throws IOException {
    return open(compression, level, DEFAULT_ZSTD_WORKERS, out);
  }

  /**
   * Opens a compressor; {@code zstdWorkers} (≥ 1) is the zstd worker thread count and is ignored by
   * the other compressions. Closing the returned stream finishes it and closes {@code out}.
   */
  public static OutputStream open(
      Compression compression, int level, int zstdWorkers, OutputStream out) throws IOException {
    compression.checkLevel(level);
    switch (compression) {
      case ZSTD:
        if (zstdWorkers < 1) {
          throw new IllegalArgumentException(
              "zstd workers must be >= 1 (0 changes the output): " + zstdWorkers);
        }
        ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, level);
        try {
          z.setWorkers(zstdWorkers);
        } catch (IOException | RuntimeException e) {
          z.close();
          throw e;
        }
        return z;
      case GZIP:
        return new DeterministicGzipOutputStream(out, level);
      case NONE:
        return out;
      default:
        throw new IllegalStateException(compression.name());
    }
  }
}
