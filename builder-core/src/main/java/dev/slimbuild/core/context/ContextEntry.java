package dev.slimbuild.core.context;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file, directory or symbolic link of the build context, as a walk reports it. Ownership is
 * deliberately absent: layers take uid/gid from the Dockerfile, never from the host.
 *
 * @param path the path relative to the context root, {@code /}-separated, never empty
 * @param type what it is (symlinks are never followed)
 * @param size the byte size for a file, 0 otherwise
 * @param mode the permission bits including setuid/setgid/sticky ({@code 07777} at most)
 * @param linkTarget the symlink's target as stored, or null if not a symlink
 * @param file where to read it on the host
 */
public record ContextEntry(
    String path, Type type, long size, int mode, String linkTarget, Path file) {

  /** The kinds of entries a context holds; other special files are skipped. */
  public enum Type {
    FILE,
    DIRECTORY,
    SYMLINK
  }

  public ContextEntry {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(file, "file");
    if (path.isEmpty() || path.startsWith("/")) {
      throw new IllegalArgumentException("not a relative path: " + path);
    }
    if ((type == Type.SYMLINK) != (linkTarget != null)) {
      throw new IllegalArgumentException("link target must be set exactly for symlinks: " + path);
    }
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException("mode has more than permission bits: " + mode);
    }
  }

  /**
   * This entry's path relative to {@code dir} (a context-relative directory, "" or "." for the
   * root), e.g. to place it under a COPY destination.
   */
  public String relativeTo(String dir) {
    if (dir.isEmpty() || dir.equals(".")) {
      return path;
    }
    if (!path.startsWith(dir + "/")) {
      throw new IllegalArgumentException(path + " is not under " + dir);
    }
    return path.substring(dir.length() + 1);
  }
}
