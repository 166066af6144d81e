package dev.slimbuild.core.export;

import dev.slimbuild.compress.NonClosingOutputStream;
import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/** Writes a file by a temporary sibling and a rename, or to standard output for {@code -}. */
final class AtomicFile {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFile() {}

  /** The body of a file. */
  @FunctionalInterface
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  static void write(Path dest, OutputStream stdout, Body body) throws IOException {
    if (dest.toString().equals("-")) {
      OutputStream keepOpen = new NonClosingOutputStream(stdout);
      body.write(keepOpen);
      keepOpen.flush();
      return;
    }
    Path target = dest.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    // created as any new file is (0666 less the umask, as docker and buildx write theirs), not
    // 0600 as a temporary file would be
    Path tmp =
        target.resolveSibling(
            "."
                + target.getFileName()
                + "."
                + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + ".tmp");
    try {
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        body.write(out);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Fails unless {@code dest} can become a file: standard output, absent, or a file; {@code what}
   * names it in the error ("type=docker output", "--iidfile").
   */
  static void checkFile(Path dest, String what) {
    if (dest.toString().equals("-")) {
      return;
    }
    Path target = dest.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new SlimbuildException(what + " " + target + " is a directory; it writes a file");
    }
  }
}
