package dev.slimbuild.bench;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.layer.Layer;
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
 * blob, and prints MB/s of tar stream per repetition and the median. With {@code --native CMD
 * --native-bytes N} it runs the shell pipeline CMD (producing N tar bytes) between its own
 * repetitions, so both see the same machine load, and prints both medians and their ratio. Usage:
 * {@code LayerPipelineMain TREE | --synthetic-mib N [--reps N] [--warmup N] [--compression zstd]
 * [--level L] [--workers W] [--native CMD --native-bytes N]}.
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
    int warmup = 1;
    String nativeCmd = null;
    long nativeBytes = 0;
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
        case "--warmup":
          warmup = Integer.parseInt(args[++i]);
          break;
        case "--native":
          nativeCmd = args[++i];
          break;
        case "--native-bytes":
          nativeBytes = Long.parseLong(args[++i]);
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
    Layer d = null;
    for (int w = 0; w < warmup; w++) {
      d = LayerWriter.write(entries, c, lvl, workers, 0, OutputStream.nullOutputStream());
    }
    double[] mbps = new double[reps];
    double[] nativeMbps = new double[reps];
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      d = LayerWriter.write(entries, c, lvl, workers, 0, OutputStream.nullOutputStream());
      double secs = (System.nanoTime() - t0) / 1e9;
      mbps[r] = d.uncompressedSize().getAsLong() / 1e6 / secs;
      System.out.printf(
          Locale.ROOT,
          "rep %d: slimbuild %.1f MB/s (%d tar bytes, %d compressed, %.2f s)%n",
          r + 1,
          mbps[r],
          d.uncompressedSize().getAsLong(),
          d.descriptor().size(),
          secs);
      if (nativeCmd != null) {
        double ns = runNative(nativeCmd);
        nativeMbps[r] = nativeBytes / 1e6 / (ns / 1e9);
        System.out.printf(
            Locale.ROOT, "rep %d: native    %.1f MB/s (%.2f s)%n", r + 1, nativeMbps[r], ns / 1e9);
      }
    }
    double median = median(mbps);
    System.out.printf(
        Locale.ROOT,
        "entries=%d tar_bytes=%d compressed_bytes=%d diff_id=%s median_mbps=%.1f max_heap_mib=%d%n",
        entries.size(),
        d.uncompressedSize().getAsLong(),
        d.descriptor().size(),
        d.diffId(),
        median,
        Runtime.getRuntime().maxMemory() >> 20);
    if (nativeCmd != null) {
      double nat = median(nativeMbps);
      System.out.printf(Locale.ROOT, "native_median_mbps=%.1f ratio=%.2f%n", nat, median / nat);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Runs {@code cmd} with bash, output discarded; returns its wall time in nanoseconds. */
  private static double runNative(String cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c", cmd);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IOException("native pipeline failed with exit code " + rc + ": " + cmd);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return System.nanoTime() - t0;
  }
}
