package dev.slimbuild.cli;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.optimize.Sizes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * {@code --progress tty}: a live view of the build at the bottom of the terminal, as BuildKit's.
 * Above it, the lines plain progress prints (finished and cached steps, layers, FROM, pulls,
 * warnings) scroll as they come; below them the live area shows the running steps with their
 * elapsed time and the last {@link #TAIL} lines of each one's output, and the pulls and pushes in
 * flight with bytes done, total and rate. The live area is redrawn in place (cursor up, clear to
 * the end of the screen) at most every {@link #FRAME} by one daemon thread, and erased as soon as
 * nothing runs, so that whatever else writes to the terminal between steps lands below finished
 * lines, never inside the live area. Its lines are cut to the terminal's width and stripped of
 * control characters, so none wraps and the cursor arithmetic holds. {@link #finish} stops the
 * thread, erases the live area and prints a summary; a shutdown hook does the same on Ctrl-C. The
 * escape sequences are written by hand: two of them, where a terminal library would cost start-up
 * time and, for the width, run {@code stty} all the same.
 */
final class LiveProgress {
  /** Output lines shown under each running step. */
  static final int TAIL = 6;

  /** The shortest time between two frames. */
  static final Duration FRAME = Duration.ofMillis(100);

  private static final String ESC = "\u001b[";
  private static final Pattern ESCAPES = Pattern.compile("\u001b(\\[[0-9;?]*[ -/]*[@-~]|.)?");

  /** A running step. */
  private static final class Running {
    final String label;
    final long started;
    final Deque<String> tail = new ArrayDeque<>();

    Running(String label, long started) {
      this.label = label;
      this.started = started;
    }
  }

  private final PrintWriter out;
  private final LongSupplier nanos;
  private final int width;
  private final boolean threaded;
  private final long started;
  private final Map<String, Running> running = new LinkedHashMap<>();
  private final Map<String, BuildEvent.Transfer> moving = new LinkedHashMap<>();
  private final List<String> pending = new ArrayList<>();
  private int drawn;
  private int steps;
  private int cached;
  private long pulled;
  private long pushed;
  private boolean seen;
  private boolean finished;
  private Thread frames;
  private Thread hook;

  /**
   * A view writing to {@code out}, {@code width} columns wide, timed by {@code nanos}; with {@code
   * threaded}, a thread draws a frame every {@link #FRAME} while something runs (without, the
   * caller calls {@link #tick}).
   */
  LiveProgress(PrintWriter out, int width, LongSupplier nanos, boolean threaded) {
    this.out = out;
    this.width = Math.max(20, width);
    this.nanos = nanos;
    this.threaded = threaded;
    this.started = nanos.getAsLong();
  }

  /** Takes in {@code event}; {@code line} is what plain progress prints for it, if anything. */
  synchronized void accept(BuildEvent event, String line) {
    if (finished) {
      if (line != null) {
        out.println(line);
        out.flush();
      }
      return;
    }
    seen = true;
    if (event instanceof BuildEvent.StepStarted s) {
      running.put(
          key(s.platform(), s.stage(), s.step()),
          new Running(
              "["
                  + s.platform()
                  + "] ["
                  + s.stage()
                  + " "
                  + s.step()
                  + "/"
                  + s.steps()
                  + "] "
                  + s.text().replace('\n', ' '),
              nanos.getAsLong()));
      line = null; // the live area shows it
    } else if (event instanceof BuildEvent.StepFinished f) {
      running.remove(key(f.platform(), f.stage(), f.step()));
      steps++;
    } else if (event instanceof BuildEvent.StepCached c) {
      running.remove(key(c.platform(), c.stage(), c.step()));
      steps++;
      cached++;
    } else if (event instanceof BuildEvent.StepOutput o) {
      Running r = running.get(key(o.platform(), o.stage(), o.step()));
      if (r != null) {
        if (r.tail.size() == TAIL) {
          r.tail.removeFirst();
        }
        r.tail.addLast(o.line());
      }
      line = null; // shown under its step while it runs; a failure's message repeats the last
    } else if (event instanceof BuildEvent.Transfer t) {
      String k = t.direction() + " " + t.repository() + " " + t.blob();
      if (t.finished()) {
        moving.remove(k);
        if (t.direction() == BuildEvent.Transfer.Direction.PULL) {
          pulled += t.done();
        } else {
          pushed += t.done();
        }
      } else {
        moving.put(k, t);
      }
    }
    if (line != null) {
      pending.add(line);
    }
    if (running.isEmpty() && moving.isEmpty()) {
      draw(); // nothing live: the screen holds only finished lines until something runs again
    } else if (threaded && frames == null) {
      start();
    }
  }

  /** Draws a frame if something runs (the elapsed times move on). */
  synchronized void tick() {
    if (!finished && !(running.isEmpty() && moving.isEmpty() && pending.isEmpty())) {
      draw();
    }
  }

  /**
   * Stops the frames, erases the live area and prints what is pending and a summary: of a build
   * that succeeded, or of one that failed (naming the steps that were running).
   */
  void finish(boolean ok) {
    Thread t;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      t = frames;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(FRAME.toMillis() * 10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (hook != null && Thread.currentThread() != hook) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down: the hook is running or ran
        }
      }
      if (!seen) {
        return; // refused before it began: the error says why
      }
      List<String> summary = new ArrayList<>();
      summary.add(
          (ok ? "[+] Built in " : "[+] Failed after ")
              + seconds(nanos.getAsLong() - started)
              + ": "
              + totals());
      if (!ok) {
        for (Running r : running.values()) {
          summary.add("    while running " + r.label);
        }
      }
      running.clear();
      moving.clear();
      pending.addAll(summary);
      draw();
    }
  }

  private void start() {
    frames =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(FRAME.toMillis());
                  tick();
                }
              } catch (InterruptedException e) {
                // finished
              }
            },
            "slimbuild-progress");
    frames.setDaemon(true);
    frames.start();
    hook = new Thread(() -> finish(false), "slimbuild-progress-exit");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException e) {
      hook = null; // shutting down already
    }
  }

  /** Erases the live area, prints the pending lines and draws the live area anew. */
  private void draw() {
    StringBuilder frame = new StringBuilder();
    if (drawn > 0) {
      frame.append('\r').append(ESC).append(drawn).append('A').append(ESC).append('J');
    }
    for (String l : pending) {
      frame.append(l).append('\n');
    }
    pending.clear();
    List<String> live = liveLines();
    for (String l : live) {
      frame.append(l).append('\n');
    }
    drawn = live.size();
    if (frame.length() > 0) {
      out.print(frame);
      out.flush();
    }
  }

  /** The live area: a header, the running steps with their output, the transfers. */
  private List<String> liveLines() {
    List<String> lines = new ArrayList<>();
    if (finished || (running.isEmpty() && moving.isEmpty())) {
      return lines;
    }
    long now = nanos.getAsLong();
    lines.add(fit("[+] Building " + seconds(now - started) + ": " + totals(), 0));
    for (Running r : running.values()) {
      lines.add(rightAligned("=> " + r.label, " " + seconds(now - r.started)));
      for (String t : r.tail) {
        lines.add(fit("   " + t, 0));
      }
    }
    for (BuildEvent.Transfer t : moving.values()) {
      String rate =
          t.elapsed().toMillis() <= 0
              ? ""
              : "  " + Sizes.format(t.done() * 1000 / t.elapsed().toMillis()) + "/s";
      String bytes = "  " + Sizes.format(t.done()) + " / " + Sizes.format(t.total()) + rate;
      String what =
          "=> "
              + t.direction().name().toLowerCase(Locale.ROOT)
              + " "
              + t.repository()
              + " "
              + shortBlob(t.blob());
      lines.add(rightAligned(what, bytes));
    }
    return lines;
  }

  private String totals() {
    StringBuilder s = new StringBuilder(steps + (steps == 1 ? " step" : " steps"));
    if (cached > 0) {
      s.append(" (").append(cached).append(" cached)");
    }
    if (pulled > 0) {
      s.append(", pulled ").append(Sizes.format(pulled));
    }
    if (pushed > 0) {
      s.append(", pushed ").append(Sizes.format(pushed));
    }
    return s.toString();
  }

  /**
   * {@code text} as one terminal line that leaves {@code reserved} columns free and the last one
   * blank: what follows a carriage return, without escape sequences or control characters, wide
   * characters counted twice.
   */
  String fit(String text, int reserved) {
    String s = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    s = s.substring(s.lastIndexOf('\r') + 1);
    s = ESCAPES.matcher(s).replaceAll("");
    int room = width - 1 - reserved;
    StringBuilder b = new StringBuilder();
    int used = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\t') {
        cp = ' ';
      } else if (Character.isISOControl(cp)) {
        continue;
      }
      int w = columns(cp);
      if (used + w > room) {
        break;
      }
      b.appendCodePoint(cp);
      used += w;
    }
    return b.toString();
  }

  /** {@code text} cut to leave room for {@code right}, which ends at the last usable column. */
  private String rightAligned(String text, String right) {
    String left = fit(text, right.length());
    return left + " ".repeat(Math.max(0, width - 1 - right.length() - columns(left))) + right;
  }

  private static int columns(String s) {
    return s.codePoints().map(LiveProgress::columns).sum();
  }

  /** East Asian wide characters and emoji take two columns (a guess that errs on the wide side). */
  private static int columns(int codePoint) {
    return codePoint >= 0x1100 ? 2 : 1;
  }

  private static String key(String platform, String stage, int step) {
    return platform + "\0" + stage + "\0" + step;
  }

  private static String shortBlob(String digest) {
    int colon = digest.indexOf(':');
    return colon >= 0 && digest.length() > colon + 13
        ? digest.substring(colon + 1, colon + 13)
        : digest;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
  }
}
