package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.optimize.Sizes;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Renders build events for {@code --progress}. {@code plain} prints a line when each step starts
 * and when it ends (with its time), the layers with their sizes, each FROM's base image with its
 * size, each pulled blob with its size, and a RUN's output (for CI logs); {@code tty} is the live
 * view ({@link LiveProgress}); {@code auto} is {@code tty} when stderr is a terminal, else {@code
 * plain}; {@code quiet} prints only warnings; {@code rawjson} prints every event as one JSON object
 * a line ({@code {"type":"step.finished",...}}: slimbuild's events, not BuildKit's SolveStatus). A
 * command runs its work {@link #around} so that the live view ends however it ends.
 */
final class ProgressPrinter implements EventSink {
  /** The values {@code --progress} takes. */
  enum Mode {
    AUTO,
    PLAIN,
    TTY,
    QUIET,
    RAWJSON;

    static Mode parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new SlimbuildException(
            "invalid --progress '" + s + "': expected auto, plain, tty, quiet or rawjson");
      }
    }
  }

  private final PrintWriter err;
  private final Mode mode;
  private final LiveProgress live;

  /**
   * A printer in {@code mode}, where {@code auto} is the live view when {@code terminal} (stderr is
   * a terminal); the live view's width comes from {@code env} or the terminal.
   */
  private ProgressPrinter(PrintWriter err, Mode mode, boolean terminal, Map<String, String> env) {
    this.err = err;
    this.mode = mode == Mode.AUTO ? (terminal ? Mode.TTY : Mode.PLAIN) : mode;
    this.live =
        this.mode == Mode.TTY
            ? new LiveProgress(err, Terminal.width(env), System::nanoTime, true)
            : null;
  }

  /** {@code --progress VALUE} of a command of {@code main} (whose stderr may be a terminal). */
  static ProgressPrinter of(PrintWriter err, String value, Main main) {
    return new ProgressPrinter(err, Mode.parse(value), main.stderrIsTerminal(), main.env());
  }

  /** The mode, {@code auto} resolved. */
  Mode mode() {
    return mode;
  }

  /** What a command does while this printer shows its progress; returns the exit code. */
  @FunctionalInterface
  interface Work {
    int run() throws IOException;
  }

  /**
   * Runs {@code work}, then ends the live view (if any) with a summary of whether it succeeded,
   * before an error is printed.
   */
  int around(Work work) throws IOException {
    boolean ok = false;
    try {
      int code = work.run();
      ok = true;
      return code;
    } finally {
      if (live != null) {
        live.finish(ok);
      }
    }
  }

  @Override
  public synchronized void accept(BuildEvent event) {
    if (mode == Mode.RAWJSON) {
      err.println(Json.writeString(json(event)));
      err.flush();
      return;
    }
    if (mode == Mode.QUIET) {
      if (event instanceof BuildEvent.Warning w) {
        err.println(line(w));
        err.flush();
      }
      return;
    }
    String line = line(event);
    if (live != null) {
      live.accept(event, line);
    } else if (line != null) {
      err.println(line);
      err.flush();
    }
  }

  /** What plain progress prints for {@code event}; null for nothing. */
  static String line(BuildEvent event) {
    if (event instanceof BuildEvent.StepStarted s) {
      return String.format(
          Locale.ROOT,
          "[%s] [%s %d/%d] %s",
          s.platform(),
          s.stage(),
          s.step(),
          s.steps(),
          oneLine(s.text()));
    } else if (event instanceof BuildEvent.StepFinished f) {
      return String.format(
          Locale.ROOT,
          "[%s] [%s %d/%d] %s  %.2fs",
          f.platform(),
          f.stage(),
          f.step(),
          f.steps(),
          oneLine(f.text()),
          f.elapsed().toNanos() / 1e9);
    } else if (event instanceof BuildEvent.StepCached c) {
      return String.format(
          Locale.ROOT,
          "[%s] [%s %d/%d] CACHED (%s) %s",
          c.platform(),
          c.stage(),
          c.step(),
          c.steps(),
          c.from(),
          oneLine(c.text()));
    } else if (event instanceof BuildEvent.StepOutput o) {
      return "  [" + o.stage() + "] " + o.line();
    } else if (event instanceof BuildEvent.BaseImage b) {
      return String.format(
          Locale.ROOT,
          "[%s] [%s] FROM %s (%s, %d layers, %s)",
          b.platform(),
          b.stage(),
          b.reference(),
          b.digest(),
          b.layers(),
          Sizes.format(b.bytes()));
    } else if (event instanceof BuildEvent.Transfer t) {
      if (t.finished() && t.direction() == BuildEvent.Transfer.Direction.PULL) {
        return String.format(
            Locale.ROOT,
            "pulled %s %s: %s in %.2fs",
            t.repository(),
            t.blob(),
            Sizes.format(t.done()),
            t.elapsed().toNanos() / 1e9);
      }
      return null; // a push's blobs are each reported by a line of their own (Info)
    } else if (event instanceof BuildEvent.LayerWritten l) {
      return String.format(
          Locale.ROOT,
          "[%s] [%s %d] %s  stripped %s  dedup %s  wasted %s  %s",
          l.platform(),
          l.stage(),
          l.step(),
          l.compressedBytes() < 0
              ? "no layer (everything left out)"
              : "layer "
                  + Sizes.format(l.compressedBytes())
                  + "  tar "
                  + Sizes.format(l.uncompressedBytes())
                  + (l.files() < 0 ? "" : "  " + l.files() + " files"),
          Sizes.format(l.strippedBytes()),
          Sizes.format(l.deduplicatedBytes()),
          Sizes.format(l.wastedBytes()),
          oneLine(l.text()));
    } else if (event instanceof BuildEvent.Warning w) {
      return "WARNING: " + w.message();
    } else if (event instanceof BuildEvent.Info i) {
      return i.message();
    }
    return null;
  }

  /** {@code --progress rawjson}: one event as a JSON object. */
  static JsonObject json(BuildEvent event) {
    var b = JsonObject.builder();
    if (event instanceof BuildEvent.StepStarted s) {
      b.put("type", "step.started")
          .put("platform", s.platform())
          .put("stage", s.stage())
          .put("step", s.step())
          .put("steps", s.steps())
          .put("text", s.text());
    } else if (event instanceof BuildEvent.StepFinished f) {
      b.put("type", "step.finished")
          .put("platform", f.platform())
          .put("stage", f.stage())
          .put("step", f.step())
          .put("steps", f.steps())
          .put("text", f.text())
          .put("elapsedMillis", f.elapsed().toMillis());
    } else if (event instanceof BuildEvent.StepCached c) {
      b.put("type", "step.cached")
          .put("platform", c.platform())
          .put("stage", c.stage())
          .put("step", c.step())
          .put("steps", c.steps())
          .put("text", c.text())
          .put("from", c.from());
    } else if (event instanceof BuildEvent.StepOutput o) {
      b.put("type", "step.output")
          .put("platform", o.platform())
          .put("stage", o.stage())
          .put("step", o.step())
          .put("line", o.line());
    } else if (event instanceof BuildEvent.BaseImage i) {
      b.put("type", "base.image")
          .put("platform", i.platform())
          .put("stage", i.stage())
          .put("reference", i.reference())
          .put("digest", i.digest())
          .put("layers", i.layers())
          .put("bytes", i.bytes());
    } else if (event instanceof BuildEvent.Transfer t) {
      b.put("type", "transfer")
          .put("direction", t.direction().name().toLowerCase(Locale.ROOT))
          .put("repository", t.repository())
          .put("blob", t.blob())
          .put("done", t.done())
          .put("total", t.total())
          .put("elapsedMillis", t.elapsed().toMillis())
          .put("finished", t.finished());
    } else if (event instanceof BuildEvent.LayerWritten l) {
      b.put("type", "layer.written")
          .put("platform", l.platform())
          .put("stage", l.stage())
          .put("step", l.step())
          .put("text", l.text())
          .put("compressedBytes", l.compressedBytes())
          .put("uncompressedBytes", l.uncompressedBytes())
          .put("files", l.files())
          .put("strippedBytes", l.strippedBytes())
          .put("deduplicatedBytes", l.deduplicatedBytes())
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
