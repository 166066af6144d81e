package dev.slimbuild.core.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes directory trees (RUN work directories, staging and cache temp dirs). A RUN may leave
 * directories the builder cannot write (mode 0555 as in Debian's {@code /proc}, or 0000), so their
 * permissions are opened first; and it never
 * crosses into another filesystem: a mount left behind (a bind of a cache directory or of host
 * {@code /dev}) is reported instead of emptied.
 */
public final class Trees {
  private Trees() {}

  /** Deletes {@code dir} and everything in it; a missing {@code dir} is fine. */
  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Object dev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    deleteTree(dir, dev);
  }

  private static void deleteTree(Path dir, Object dev) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(dir);
      return;
    }
    if (!dev.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
      throw new IOException(dir + " is still a mount point; not deleting what is mounted there");
    }
    int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & 0700) != 0700) {
      Files.setAttribute(dir, "unix:mode", (mode & 07777) | 0700);
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        children.add(p);
      }
    }
    for (Path p : children) {
      deleteTree(p, dev);
    }
    Files.delete(dir);
  }
}
