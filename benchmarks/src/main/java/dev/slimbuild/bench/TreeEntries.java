package dev.slimbuild.bench;

import dev.slimbuild.core.fs.PosixModes;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Layer entries for benchmarks: from a directory on disk, or synthetic without any disk. */
public final class TreeEntries {
  private TreeEntries() {}

  /** Every file, directory and symlink below {@code root}, owned by root, contents by path. */
  public static List<LayerEntry> scan(Path root) throws IOException {
    List<LayerEntry> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        PosixFileAttributes a =
            Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = mode(a);
        if (a.isSymbolicLink()) {
          out.add(LayerEntry.symlink(rel, Files.readSymbolicLink(p).toString(), 0, 0));
        } else if (a.isDirectory()) {
          out.add(LayerEntry.dir(rel, mode, 0, 0));
        } else if (a.isRegularFile()) {
          out.add(LayerEntry.file(rel, mode, 0, 0, a.size(), ContentSource.ofPath(p)));
        }
      }
    }
    return out;
  }

  private static int mode(PosixFileAttributes a) {
    return PosixModes.mode(a.permissions());
  }

  /**
   * {@code totalBytes} of generated files (text-like, compressible), produced on the fly while the
   * layer is written: for memory tests that must not depend on a disk tree.
   */
  public static List<LayerEntry> synthetic(long totalBytes, long fileSize) {
    List<LayerEntry> out = new ArrayList<>();
    long left = totalBytes;
    for (int i = 0; left > 0; i++) {
      long size = Math.min(fileSize, left);
      long seed = i;
      out.add(
          LayerEntry.file(
              String.format("syn/d%03d/f%06d", i % 100, i),
              0644,
              0,
              0,
              size,
              () -> new Generated(size, seed)));
      left -= size;
    }
    return out;
  }

  /** Pseudo-random lowercase text, nothing retained. */
  private static final class Generated extends InputStream {
    private final Random r;
    private long left;

    Generated(long size, long seed) {
      this.left = size;
      this.r = new Random(seed);
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return 'a' + r.nextInt(8);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      for (int i = 0; i < n; ) {
        long bits = r.nextLong();
        for (int k = 0; k < 21 && i < n; k++, i++, bits >>>= 3) {
          b[off + i] = (byte) ('a' + (bits & 7));
        }
      }
      left -= n;
      return n;
    }
  }
}
