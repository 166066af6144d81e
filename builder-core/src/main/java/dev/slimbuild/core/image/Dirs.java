package dev.slimbuild.core.image;

import dev.slimbuild.core.fs.Trees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** File helpers shared by the writers: atomic file writes, link-or-copy, recursive delete. */
public final class Dirs {
  private Dirs() {}

  /**
   * Writes {@code bytes} to {@code target} through a temporary file and an atomic rename: a reader
   * (another build) sees the old file or the new one, never half of it.
   */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    writeAtomically(target, new ByteArrayInputStream(bytes));
  }

  /** As {@link #writeAtomically(Path, byte[])}, streaming {@code in} (a blob) to the file. */
  public static void writeAtomically(Path target, InputStream in) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
    try {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      makeReadable(tmp, false);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Hard-links {@code source} as {@code target}, or copies it when linking is not possible. */
  static void linkOrCopy(Path source, Path target) throws IOException {
    try {
      Files.createLink(target, source);
    } catch (FileSystemException | UnsupportedOperationException e) {
      // Another filesystem (EXDEV), or links not supported: copy instead.
      Files.deleteIfExists(target);
      Files.copy(source, target);
    }
  }

  /** Temp files and directories are created owner-only; outputs are meant to be shared. */
  static void makeReadable(Path p, boolean directory) throws IOException {
    try {
      Files.setPosixFilePermissions(
          p, PosixFilePermissions.fromString(directory ? "rwxr-xr-x" : "rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX filesystem: keep the defaults
    }
  }

  /** Deletes {@code dir} and everything under it; a missing dir is fine. */
  static void deleteRecursively(Path dir) throws IOException {
    Trees.delete(dir);
  }

  /**
   * Replaces {@code dest} with the fully written {@code staged} directory (a sibling): the old
   * content is moved aside, the new one renamed in, then the old one deleted. If the second rename
   * fails, the old content is put back.
   */
  static void replaceDirectory(Path staged, Path dest) throws IOException {
    Path parent = dest.getParent();
    if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(staged, dest, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    Path old = Files.createTempDirectory(parent, "." + dest.getFileName() + ".old-");
    Files.delete(old);
    Files.move(dest, old, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(staged, dest, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.move(old, dest, StandardCopyOption.ATOMIC_MOVE);
      throw e;
    }
    deleteRecursively(old);
  }
}
