package dev.slimbuild.core.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Writes many files from one sequential stream (a layer's tar) with several threads. On some
 * filesystems creating a file costs far more than writing its bytes and is bound by latency, not
 * CPU, so creations in different directories overlap well. A small file's bytes are read from the
 * stream at once and written by a worker; a big one is written by the caller directly. The bytes
 * held for workers are bounded, so memory stays flat however big the stream.
 */
public final class ParallelFiles implements AutoCloseable {
  /** Files up to this size are handed to a worker. */
  private static final int SMALL = 256 * 1024;

  /** At most this many bytes wait for workers. */
  private static final int IN_FLIGHT = 16 * 1024 * 1024;

  /** What to do to a file once written (owner, mode), on the thread that wrote it. */
  @FunctionalInterface
  public interface Finish {
    void apply(Path file) throws IOException;
  }

  private final ExecutorService pool;
  private final Semaphore budget = new Semaphore(IN_FLIGHT);
  private final List<Future<?>> pending = new ArrayList<>();

  /** A writer with {@code threads} workers. */
  public ParallelFiles(int threads) {
    this.pool = Parallel.pool(threads, "slimbuild-files");
  }

  /**
   * Writes the next {@code size} bytes of {@code in} to the new file {@code target} (whose
   * directory exists), then runs {@code finish} on it; failures surface from {@link #await}.
   */
  public void write(Path target, InputStream in, long size, Finish finish) throws IOException {
    if (size > SMALL) {
      long copied;
      try (OutputStream out =
          Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        copied = in.transferTo(out);
      }
      check(target, copied, size);
      finish.apply(target);
      return;
    }
    byte[] bytes = in.readNBytes((int) size);
    check(target, bytes.length, size);
    int permits = Math.max(1, bytes.length);
    try {
      budget.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing " + target);
    }
    pending.add(
        pool.submit(
            () -> {
              try {
                Files.write(target, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                finish.apply(target);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } finally {
                budget.release(permits);
              }
              return null;
            }));
  }

  private static void check(Path target, long copied, long size) throws IOException {
    if (copied != size) {
      throw new IOException(target + ": " + copied + " bytes where " + size + " were expected");
    }
  }

  /** Waits for every file handed to a worker; throws the first failure. */
  public void await() throws IOException {
    List<Future<?>> all = new ArrayList<>(pending);
    pending.clear();
    Parallel.awaitAll(all);
  }

  /** Stops the workers (after {@link #await}, or abandoning what is left on a failure). */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
