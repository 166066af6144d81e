package dev.slimbuild.cli;

import dev.slimbuild.compress.Decompressors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the files under a directory whose bytes hold a secret: every regular file, a zstd or gzip
 * one (layer blobs) also decompressed, read in pieces (memory stays flat for large layers).
 */
final class SecretScan {
  private static final int CHUNK = 1 << 16;

  private SecretScan() {}

  /** The files under {@code root} but {@code except} that hold {@code secret}. */
  static List<Path> filesHolding(Path root, byte[] secret, Set<Path> except) throws IOException {
    List<Path> found = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> all = Files.walk(root)) {
      files = all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path f : files) {
      if (except.contains(f)) {
        continue;
      }
      boolean holds;
      try (InputStream raw = Files.newInputStream(f)) {
        holds = holds(raw, secret);
      }
      if (!holds) {
        try (InputStream in = Decompressors.open(Files.newInputStream(f))) {
          holds = holds(in, secret);
        } catch (IOException | RuntimeException e) {
          holds = false; // not compressed after all (or not fully): read raw above
        }
      }
      if (holds) {
        found.add(f);
      }
    }
    return found;
  }

  /** Whether {@code in}'s bytes hold {@code needle}, pieces overlapping by its length. */
  static boolean holds(InputStream in, byte[] needle) throws IOException {
    byte[] buf = new byte[CHUNK + needle.length];
    int kept = 0;
    for (int n = in.readNBytes(buf, kept, CHUNK); n > 0; n = in.readNBytes(buf, kept, CHUNK)) {
      int len = kept + n;
      if (indexOf(buf, len, needle) >= 0) {
        return true;
      }
      kept = Math.min(needle.length - 1, len);
      System.arraycopy(buf, len - kept, buf, 0, kept);
    }
    return false;
  }

  private static int indexOf(byte[] hay, int len, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= len; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
