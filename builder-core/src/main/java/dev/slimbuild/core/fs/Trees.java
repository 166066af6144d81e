package dev.slimbuild.core.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.Supplier;

/**
 * Deletes directory trees (RUN work directories, staging and cache temp dirs). A RUN may leave
 * directories the builder cannot write (mode 0555 as in Debian's {@code /proc}, or 0000), so their
 * permissions are opened first; and it never crosses into another filesystem: a mount left behind
 * (a bind of a cache directory or of host {@code /dev}) is reported instead of emptied.
 */
public final class Trees {
  private Trees() {}

  /**
   * The answer of a probe that works in the scratch directory {@code dir}, which is deleted
   * afterwards whatever the answer (a leftover is the build's own clean-up's to delete).
   */
  public static <T> T deletingAfter(Path dir, Supplier<T> probe) {
    try {
      return probe.get();
    } finally {
      try {
        delete(dir);
      } catch (IOException e) {
        // left for the build's own clean-up
      }
    }
  }

  /** Deletes {@code dir} and everything in it; a missing {@code dir} is fine. */
  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Object dev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(dir);
      return;
    }
    if (isEmpty(dir)) {
      // no pool for nothing to do (a build's staging directory, most often)
      deleteTree(dir, dev, 0);
      return;
    }
    // the top levels by several threads: removing entries, like creating them, waits on the
    // file system more than on the CPU
    ForkJoinPool pool = new ForkJoinPool(Parallel.FILE_THREADS);
    try {
      pool.invoke(new Delete(dir, dev, PARALLEL_LEVELS));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      pool.shutdownNow();
    }
  }

  private static final int PARALLEL_LEVELS = 3;

  /** Whether {@code dir} is empty; a directory this process cannot read is taken as not. */
  private static boolean isEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    } catch (AccessDeniedException e) {
      return false;
    }
  }

  /** Deletes one directory's tree, its subdirectories as subtasks for the top levels. */
  private static final class Delete extends RecursiveAction {
    private final Path dir;
    private final Object dev;
    private final int parallelLevels;

    Delete(Path dir, Object dev, int parallelLevels) {
      this.dir = dir;
      this.dev = dev;
      this.parallelLevels = parallelLevels;
    }

    @Override
    protected void compute() {
      try {
        deleteTree(dir, dev, parallelLevels);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void deleteTree(Path dir, Object dev, int parallelLevels) throws IOException {
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
    if (parallelLevels > 0 && children.size() > 1) {
      List<Delete> tasks = new ArrayList<>(children.size());
      for (Path p : children) {
        tasks.add(new Delete(p, dev, parallelLevels - 1));
      }
      ForkJoinTask.invokeAll(tasks);
    } else {
      for (Path p : children) {
        deleteTree(p, dev, 0);
      }
    }
    Files.delete(dir);
  }
}
