package dev.slimbuild.bench;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.layer.LayerDigests;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs slimbuild's layer pipeline (tar → SHA-256 → compress → SHA-256) over a tree, discarding the
 * blob, and prints MB/s of tar stream per repetition and the median. Usage: {@code
 * LayerPipelineMain TREE | --synthetic-mib N  [--reps N] [--compression zstd] [--level L]
 * [--workers W]}.
 */
public final class LayerPipelineMain {
  private LayerPipelineMain() {}

  public static void main(String[] args) throws IOException {
    String tree = null;
    long syntheticMib = 0;
    int reps = 5;
    Compression c = Compression.ZSTD;
    Integer level = null;
    int workers = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps":
          reps = Integer.parseInt(args[++i]);
          break;
        case "--compression":
          c = Compression.parse(args[++i]);
          break;
        case "--level":
          level = Integer.parseInt(args[++i]);
          break;
        case "--workers":
          workers = Integer.parseInt(args[++i]);
          break;
        case "--synthetic-mib":
          syntheticMib = Long.parseLong(args[++i]);
          break;
        default:
          tree = args[i];
      }
    }
    int lvl = level == null ? c.defaultLevel() : level;
    List<LayerEntry> entries =
        syntheticMib > 0
            ? TreeEntries.synthetic(syntheticMib << 20, 64L << 20)
            : TreeEntries.scan(Path.of(tree));
    double[] mbps = new double[reps];
    LayerDigests d = null;
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      d = LayerWriter.write(entries, c, lvl, workers, 0, OutputStream.nullOutputStream());
      double secs = (System.nanoTime() - t0) / 1e9;
      mbps[r] = d.uncompressedSize() / 1e6 / secs;
      System.out.printf(
          Locale.ROOT,
          "rep %d: %.1f MB/s (%d tar bytes, %d compressed, %.2f s)%n",
          r + 1,
          mbps[r],
          d.uncompressedSize(),
          d.compressedSize(),
          secs);
    }
    double[] sorted = mbps.clone();
    Arrays.sort(sorted);
    double median =
        reps % 2 == 1 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
    System.out.printf(
        Locale.ROOT,
        "entries=%d tar_bytes=%d compressed_bytes=%d diff_id=%s median_mbps=%.1f max_heap_mib=%d%n",
        entries.size(),
        d.uncompressedSize(),
        d.compressedSize(),
        d.diffId(),
        median,
        Runtime.getRuntime().maxMemory() >> 20);
  }
}
