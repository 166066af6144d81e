package dev.slimbuild.core.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File-to-file copies by the kernel (copy_file_range or sendfile), never through the heap. */
public final class Copy {
  private Copy() {}

  /**
   * Copies {@code size} bytes of {@code source} from offset {@code from} ({@code size} -1: to its
   * end) into the new file {@code target}; returns how many were copied (fewer if the source is
   * shorter).
   */
  public static long range(Path source, long from, long size, Path target) throws IOException {
    try (FileChannel in = FileChannel.open(source);
        FileChannel out =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long want = size < 0 ? in.size() - from : size;
      long copied = 0;
      while (copied < want) {
        long n = in.transferTo(from + copied, want - copied, out);
        if (n <= 0) {
          break;
        }
        copied += n;
      }
      return copied;
    }
  }
}
