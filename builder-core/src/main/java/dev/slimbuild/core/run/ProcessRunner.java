package dev.slimbuild.core.run;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a sandbox process with exactly the given environment, pumps its stdout and stderr line by
 * line into an {@link OutputSink}, and kills its whole process tree when the timeout passes.
 */
final class ProcessRunner {
  /** Longer lines are delivered in pieces of this many chars, so memory stays bounded. */
  static final int MAX_LINE = 16 * 1024;

  private static final long DRAIN_SECONDS = 5;
  private static final int KILL_ROUNDS = 20;

  /** The exit status, or -1 with {@code timedOut}. */
  record Outcome(int exitCode, boolean timedOut) {}

  private ProcessRunner() {}

  static Outcome run(
      List<String> command, Map<String, String> env, Duration timeout, OutputSink sink)
      throws IOException {
    return run(command, env, timeout, sink, null);
  }

  /**
   * {@link #run}, the process reading {@code input} (then end of file) on its standard input, or
   * {@code /dev/null} when {@code input} is null: how a sandbox gets what must not be on its
   * command line, which any user of the machine may read.
   */
  static Outcome run(
      List<String> command,
      Map<String, String> env,
      Duration timeout,
      OutputSink sink,
      byte[] input)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(
        input == null
            ? ProcessBuilder.Redirect.from(new File("/dev/null"))
            : ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    Object lock = new Object();
    Thread out = pump(p.getInputStream(), OutputSink.Stream.STDOUT, sink, lock);
    Thread err = pump(p.getErrorStream(), OutputSink.Stream.STDERR, sink, lock);
    if (input != null) {
      try (OutputStream in = p.getOutputStream()) {
        in.write(input);
      } catch (IOException e) {
        // it ended before reading it all: its exit status says why
      }
    }
    boolean timedOut = false;
    try {
      if (timeout.isZero()) {
        p.waitFor();
      } else if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        timedOut = true;
        killTree(p.toHandle());
        p.waitFor();
      }
      // Output written just before the exit is still in the pipes: read it to the end, but do not
      // hang on a pipe some escaped background process still holds open.
      out.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS));
      err.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS));
    } catch (InterruptedException e) {
      killTree(p.toHandle());
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("RUN interrupted: " + String.join(" ", command));
    }
    return new Outcome(timedOut ? -1 : p.exitValue(), timedOut);
  }

  /**
   * Kills {@code root} and every descendant, in rounds, until none is left (processes that fork
   * while being killed are caught by the next round).
   */
  static void killTree(ProcessHandle root) {
    for (int round = 0; round < KILL_ROUNDS; round++) {
      List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
      if (root.isAlive()) {
        all.add(root);
      }
      if (all.isEmpty()) {
        return;
      }
      all.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle h : all) {
        try {
          h.onExit().get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
          // not our child or still dying: the next round looks again
        }
      }
    }
  }

  private static Thread pump(
      InputStream in, OutputSink.Stream stream, OutputSink sink, Object lock) {
    Thread t =
        new Thread(
            () -> {
              try (Reader r =
                  new InputStreamReader(
                      in,
                      StandardCharsets.UTF_8
                          .newDecoder()
                          .onMalformedInput(CodingErrorAction.REPLACE)
                          .onUnmappableCharacter(CodingErrorAction.REPLACE))) {
                StringBuilder line = new StringBuilder();
                char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) >= 0) {
                  for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                      deliver(sink, lock, stream, line);
                    } else {
                      line.append(c);
                      if (line.length() >= MAX_LINE) {
                        deliver(sink, lock, stream, line);
                      }
                    }
                  }
                }
                if (line.length() > 0) {
                  deliver(sink, lock, stream, line);
                }
              } catch (IOException e) {
                // the process is gone and its pipe closed: nothing more to read
              }
            },
            "run-" + stream.name().toLowerCase(Locale.ROOT));
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void deliver(
      OutputSink sink, Object lock, OutputSink.Stream stream, StringBuilder line) {
    String s = line.toString();
    line.setLength(0);
    synchronized (lock) {
      sink.line(stream, s);
    }
  }
}
