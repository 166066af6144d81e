package dev.slimbuild.cli;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.optimize.Sizes;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders build events for {@code --progress}. {@code plain} prints one line per finished step
 * with its time and layer size (for CI logs); {@code quiet} prints only warnings; {@code auto} and
 * {@code tty} are plain (slimbuild has no interactive renderer yet); {@code rawjson} prints every
 * event as one JSON object a line ({@code {"type":"step.finished",...}}: slimbuild's events, not
 * BuildKit's SolveStatus).
 */
final class ProgressPrinter implements EventSink {
  /** The values {@code --progress} takes. */
  enum Mode {
    AUTO,
    PLAIN,
    QUIET,
    RAWJSON;

    static Mode parse(String s) {
      if (s.equals("tty")) {
        return PLAIN;
      }
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new dev.slimbuild.core.SlimbuildException(
            "invalid --progress '" + s + "': expected auto, plain, tty, quiet or rawjson");
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
    if (mode == Mode.RAWJSON) {
      err.println(dev.slimbuild.core.json.Json.writeString(json(event)));
      err.flush();
      return;
    }
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

  /** {@code --progress rawjson}: one event as a JSON object. */
  static dev.slimbuild.core.json.JsonObject json(BuildEvent event) {
    var b = dev.slimbuild.core.json.JsonObject.builder();
    if (event instanceof BuildEvent.StepStarted s) {
      b.put("type", "step.started").put("platform", s.platform()).put("stage", s.stage())
          .put("step", s.step()).put("steps", s.steps()).put("text", s.text());
    } else if (event instanceof BuildEvent.StepFinished f) {
      b.put("type", "step.finished").put("platform", f.platform()).put("stage", f.stage())
          .put("step", f.step()).put("steps", f.steps()).put("text", f.text())
          .put("elapsedMillis", f.elapsed().toMillis());
    } else if (event instanceof BuildEvent.StepCached c) {
      b.put("type", "step.cached").put("platform", c.platform()).put("stage", c.stage())
          .put("step", c.step()).put("steps", c.steps()).put("text", c.text())
          .put("from", c.from());
    } else if (event instanceof BuildEvent.LayerWritten l) {
      b.put("type", "layer.written").put("platform", l.platform()).put("stage", l.stage())
          .put("step", l.step()).put("text", l.text()).put("compressedBytes", l.compressedBytes())
          .put("uncompressedBytes", l.uncompressedBytes()).put("files", l.files())
          .put("strippedBytes", l.strippedBytes()).put("deduplicatedBytes", l.deduplicatedBytes())
          .put("wastedBytes", l.wastedBytes());
    } else if (event instanceof BuildEvent.Warning w) {
      b.put("type", "warning").put("message", w.message());
    } else if (event instanceof BuildEvent.Info i) {
      b.put("type", "info").put("message", i.message());
    }
    return b.build();
  }

  private static String oneLine(String text) {
    String s = text.replace('\n', ' ');
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }
}
