package dev.slimbuild.cli;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.optimize.Sizes;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders build events for {@code --progress}. {@code plain} prints one line per finished step
 * with its time and layer size (for CI logs); {@code quiet} prints only warnings; {@code auto} is
 * plain (slimbuild has no interactive renderer yet).
 */
final class ProgressPrinter implements EventSink {
  /** The values {@code --progress} takes. */
  enum Mode {
    AUTO,
    PLAIN,
    QUIET;

    static Mode parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new dev.slimbuild.core.SlimbuildException(
            "invalid --progress '" + s + "': expected auto, plain or quiet");
      }
    }
  }

  private final PrintWriter err;
  private final Mode mode;

  ProgressPrinter(PrintWriter err, Mode mode) {
    this.err = err;
    this.mode = mode;
  }

  Mode mode() {
    return mode;
  }

  @Override
  public synchronized void accept(BuildEvent event) {
    if (event instanceof BuildEvent.Warning w) {
      err.println("WARNING: " + w.message());
    } else if (mode == Mode.QUIET) {
      return;
    } else if (event instanceof BuildEvent.StepFinished f) {
      err.printf(
          Locale.ROOT,
          "[%s] [%s %d/%d] %s  %.2fs%n",
          f.platform(),
          f.stage(),
          f.step(),
          f.steps(),
          oneLine(f.text()),
          f.elapsed().toNanos() / 1e9);
    } else if (event instanceof BuildEvent.StepCached c) {
      err.printf(
          Locale.ROOT,
          "[%s] [%s %d/%d] CACHED (%s) %s%n",
          c.platform(),
          c.stage(),
          c.step(),
          c.steps(),
          c.from(),
          oneLine(c.text()));
    } else if (event instanceof BuildEvent.LayerWritten l) {
      err.printf(
          Locale.ROOT,
          "[%s] [%s %d] %s  stripped %s  dedup %s  wasted %s  %s%n",
          l.platform(),
          l.stage(),
          l.step(),
          l.compressedBytes() < 0
              ? "no layer (everything left out)"
              : "layer " + Sizes.format(l.compressedBytes()) + "  tar "
                  + Sizes.format(l.uncompressedBytes())
                  + (l.files() < 0 ? "" : "  " + l.files() + " files"),
          Sizes.format(l.strippedBytes()),
          Sizes.format(l.deduplicatedBytes()),
          Sizes.format(l.wastedBytes()),
          oneLine(l.text()));
    } else if (event instanceof BuildEvent.Info i) {
      err.println(i.message());
    }
    err.flush();
  }

  private static String oneLine(String text) {
    String s = text.replace('\n', ' ');
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }
}
