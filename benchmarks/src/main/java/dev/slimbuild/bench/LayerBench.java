package dev.slimbuild.bench;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.HashingOutputStream;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerWriter;
import dev.slimbuild.core.layer.TarLayerWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The layer hot path on a generated tree ({@code -Dslimbuild.bench.tree=DIR}, default {@code
 * benchmarks/target/bench-tree-256m}, {@code -Dslimbuild.bench.mib=256}). The {@code tarBytes}
 * counter is the throughput in bytes of tar stream per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class LayerBench {

  /** The tree, scanned once per trial. */
  @State(Scope.Benchmark)
  public static class Tree {
    List<LayerEntry> entries;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      long mib = Long.getLong("slimbuild.bench.mib", 256);
      Path dir =
          Path.of(
              System.getProperty(
                  "slimbuild.bench.tree", "benchmarks/target/bench-tree-" + mib + "m"));
      TreeGenerator.ensure(dir, mib << 20, 1);
      entries = TreeEntries.scan(dir);
    }
  }

  /** Bytes of tar stream produced, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long tarBytes;

    @Setup(Level.Iteration)
    public void reset() {
      tarBytes = 0;
    }
  }

  /** zstd parameters. */
  @State(Scope.Benchmark)
  public static class Zstd {
    @Param({"1", "3", "6"})
    public int level;

    @Param({"1", "2"})
    public int workers;
  }

  /** gzip parameters. */
  @State(Scope.Benchmark)
  public static class Gzip {
    @Param({"1", "6"})
    public int level;
  }

  @Benchmark
  public Layer tarSha256Zstd(Tree t, Zstd z, Counters c) throws IOException {
    Layer d =
        LayerWriter.write(
            t.entries, Compression.ZSTD, z.level, z.workers, 0, OutputStream.nullOutputStream());
    c.tarBytes += d.uncompressedSize().getAsLong();
    return d;
  }

  @Benchmark
  public Layer tarSha256Gzip(Tree t, Gzip g, Counters c) throws IOException {
    Layer d =
        LayerWriter.write(t.entries, Compression.GZIP, g.level, 0, OutputStream.nullOutputStream());
    c.tarBytes += d.uncompressedSize().getAsLong();
    return d;
  }

  /** Tar + SHA-256, no compression: the floor under every compressed variant. */
  @Benchmark
  public Layer tarSha256(Tree t, Counters c) throws IOException {
    Layer d = LayerWriter.write(t.entries, Compression.NONE, 0, 0, OutputStream.nullOutputStream());
    c.tarBytes += d.uncompressedSize().getAsLong();
    return d;
  }

  /** Tar alone, no hashing: the cost of reading files and writing headers. */
  @Benchmark
  public long tarOnly(Tree t, Counters c) throws IOException {
    long n = new TarLayerWriter(0).write(t.entries, OutputStream.nullOutputStream());
    c.tarBytes += n;
    return n;
  }

  /** SHA-256 alone over the tar stream. */
  @Benchmark
  public byte[] sha256Only(Tree t, Counters c) throws IOException {
    HashingOutputStream h = new HashingOutputStream(OutputStream.nullOutputStream());
    long n = new TarLayerWriter(0).write(t.entries, h);
    c.tarBytes += n;
    return h.digest();
  }
}
