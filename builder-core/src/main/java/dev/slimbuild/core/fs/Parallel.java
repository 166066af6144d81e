package dev.slimbuild.core.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * File-system work spread over a few threads. Creating files and directories is bound by the file
 * system's latency rather than by CPU on the machines slimbuild runs on, so a handful of threads
 * creating in different directories finish several times sooner than one.
 */
public final class Parallel {
  /** Threads for creating files: more than the cores, since they mostly wait. */
  public static final int FILE_THREADS = 8;

  /** One step on one item. */
  @FunctionalInterface
  public interface IoAction<T> {
    void apply(T item) throws IOException;
  }

  private Parallel() {}

  /** A pool of daemon threads named {@code name}; shut it down when done. */
  public static ExecutorService pool(int threads, String name) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** Runs {@code action} on every item on {@code pool}, waits for all, throws the first failure. */
  public static <T> void each(ExecutorService pool, Collection<T> items, IoAction<T> action)
      throws IOException {
    List<Future<?>> futures = new ArrayList<>(items.size());
    for (T item : items) {
      futures.add(
          pool.submit(
              () -> {
                try {
                  action.apply(item);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return null;
              }));
    }
    awaitAll(futures);
  }

  /** Waits for every future; throws the first failure as an IOException. */
  static void awaitAll(List<Future<?>> futures) throws IOException {
    IOException first = null;
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        IOException io =
            c instanceof UncheckedIOException u
                ? u.getCause()
                : c instanceof IOException i ? i : new IOException(c);
        if (first == null) {
          first = io;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while writing files");
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
