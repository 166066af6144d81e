package dev.slimbuild.core.event;

import dev.slimbuild.core.event.BuildEvent.Transfer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Counts the bytes of one blob as they move and reports them as {@link Transfer} events: when it
 * starts, at most once per {@link #INTERVAL} while bytes arrive, and when it ends. The counting is
 * on the stream that carries the bytes, so it costs one addition per read.
 */
public final class TransferMeter {
  /** The shortest time between two reports of bytes in flight. */
  static final Duration INTERVAL = Duration.ofMillis(100);

  private final EventSink events;
  private final Transfer.Direction direction;
  private final String repository;
  private final String blob;
  private final long total;
  private final LongSupplier nanos;
  private long started;
  private long reported;
  private long done;

  /** A meter of {@code blob} ({@code total} bytes) to or from {@code repository}. */
  public TransferMeter(
      EventSink events, Transfer.Direction direction, String repository, String blob, long total) {
    this(events, direction, repository, blob, total, System::nanoTime);
  }

  /** As {@link #TransferMeter(EventSink, Transfer.Direction, String, String, long)} on a clock. */
  TransferMeter(
      EventSink events,
      Transfer.Direction direction,
      String repository,
      String blob,
      long total,
      LongSupplier nanos) {
    this.events = events;
    this.direction = direction;
    this.repository = repository;
    this.blob = blob;
    this.total = total;
    this.nanos = nanos;
  }

  /** The bytes start moving (again, for a retry): reports 0 done. */
  public synchronized void start() {
    started = nanos.getAsLong();
    reported = started;
    done = 0;
    report(false);
  }

  /** {@code n} more bytes moved; reported if the last report is {@link #INTERVAL} old. */
  public synchronized void add(long n) {
    done += n;
    long now = nanos.getAsLong();
    if (now - reported >= INTERVAL.toNanos()) {
      reported = now;
      report(false);
    }
  }

  /** The blob has moved: reports its final count. */
  public synchronized void finish() {
    report(true);
  }

  /** {@code in}, with every byte read from it counted (started at once). */
  public InputStream counting(InputStream in) {
    start();
    if (events == EventSink.NONE) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          add(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int r = super.read(buf, off, len);
        if (r > 0) {
          add(r);
        }
        return r;
      }

      @Override
      public long skip(long n) throws IOException {
        long s = super.skip(n);
        add(s);
        return s;
      }
    };
  }

  private void report(boolean finished) {
    events.accept(
        new Transfer(
            direction,
            repository,
            blob,
            done,
            total,
            Duration.ofNanos(nanos.getAsLong() - started),
            finished));
  }
}
