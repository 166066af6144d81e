package dev.slimbuild.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Generates a seeded tree of files for benchmarks: many small files and a few large ones, a mix of
 * text-like (compressible) and random (incompressible) content. Generated once and reused: a marker
 * file records the parameters.
 */
public final class TreeGenerator {
  private static final String MARKER = ".slimbuild-bench-tree";
  private static final String[] WORDS =
      ("the of and to in is that for it as was with be by on not he this are or his from at which"
              + " but have an they you were her all she there would their we him been has when who"
              + " will more no if out so said what up its about into than them can only other new"
              + " some could time these two may then do first any my now such like our over man me"
              + " public static final void return class import package private int long String")
          .split(" ");

  private TreeGenerator() {}

  /** Usage: {@code TreeGenerator DIR SIZE_MIB [SEED]}. */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: TreeGenerator DIR SIZE_MIB [SEED]");
      System.exit(2);
    }
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    Path dir = Path.of(args[0]);
    boolean made = ensure(dir, Long.parseLong(args[1]) << 20, seed);
    System.out.println((made ? "generated " : "reusing ") + dir);
  }

  /**
   * Makes sure {@code dir} holds the tree for these parameters; returns true when it had to be
   * generated.
   */
  public static boolean ensure(Path dir, long totalBytes, long seed) throws IOException {
    String params = "bytes=" + totalBytes + " seed=" + seed + " v=1\n";
    Path marker = dir.resolve(MARKER);
    if (Files.isRegularFile(marker) && Files.readString(marker).equals(params)) {
      return false;
    }
    if (Files.exists(dir)) {
      throw new IOException(dir + " exists but is not this tree; remove it first");
    }
    Files.createDirectories(dir);
    Random r = new Random(seed);
    byte[] buf = new byte[1 << 20];
    long written = 0;
    int n = 0;
    while (written < totalBytes) {
      long size = pickSize(r);
      size = Math.min(size, totalBytes - written);
      Path file = dir.resolve(String.format("d%02d/s%d/f%05d.%s", n % 29, n % 7, n, ext(n)));
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        fill(out, size, r, buf, n % 10 < 6 ? Kind.TEXT : n % 10 < 9 ? Kind.RANDOM : Kind.ZEROS);
      }
      written += size;
      n++;
    }
    Files.writeString(marker, params);
    return true;
  }

  private enum Kind {
    TEXT,
    RANDOM,
    ZEROS
  }

  private static String ext(int n) {
    return new String[] {"txt", "bin", "java", "so", "json"}[n % 5];
  }

  /** ~85 % small (≤ 16 KiB), ~14 % medium (≤ 1 MiB), ~1 % large (4–32 MiB). */
  private static long pickSize(Random r) {
    int p = r.nextInt(100);
    if (p < 85) {
      return 1L + r.nextInt(16 << 10);
    }
    if (p < 99) {
      return (16L << 10) + r.nextInt(1 << 20);
    }
    return (4L << 20) + r.nextInt(28 << 20);
  }

  private static void fill(OutputStream out, long size, Random r, byte[] buf, Kind kind)
      throws IOException {
    long left = size;
    while (left > 0) {
      int n = (int) Math.min(buf.length, left);
      switch (kind) {
        case RANDOM:
          r.nextBytes(buf);
          break;
        case ZEROS:
          Arrays.fill(buf, 0, n, (byte) 0);
          break;
        default:
          int i = 0;
          while (i < n) {
            byte[] w = WORDS[r.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
            for (int j = 0; j < w.length && i < n; j++) {
              buf[i++] = w[j];
            }
            if (i < n) {
              buf[i++] = (byte) (r.nextInt(12) == 0 ? '\n' : ' ');
            }
          }
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }
}
