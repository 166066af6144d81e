package dev.slimbuild.cli;

import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What slimbuild knows of the terminal its stderr goes to, for {@code --progress auto}. Java has no
 * isatty for stderr ({@code System.console()} looks at stdin and stdout), so this reads where file
 * descriptor 2 points on Linux, the only system slimbuild runs on.
 */
final class Terminal {
  /** The width when nothing says otherwise. */
  static final int DEFAULT_WIDTH = 80;

  private Terminal() {}

  /** Whether this process's stderr is a terminal that understands cursor movement. */
  static boolean stderrIsTerminal(Map<String, String> env) {
    if ("dumb".equals(env.get("TERM"))) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.matches("/dev/tty\\w*");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /**
   * The console to ask a password on, or null when stdin and stdout are not a terminal. On JDK 22
   * to 24 {@code System.console()} is there even when they are redirected, and only {@code
   * Console.isTerminal()}, which JDK 17 lacks, says whether anyone can type. (The release's JDK 25
   * returns null again, as JDK 17 does; the jar also runs on whatever JDK a user has.)
   */
  @SuppressWarnings("SystemConsoleNull") // the null check is JDK 17's answer, isTerminal() later's
  static Console console() {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return Boolean.TRUE.equals(isTerminal.invoke(console)) ? console : null;
    } catch (ReflectiveOperationException e) {
      return console; // before JDK 22 a console exists only for a terminal
    }
  }

  /**
   * The terminal's columns: {@code $COLUMNS}, else what {@code stty size} says of the controlling
   * terminal, else {@link #DEFAULT_WIDTH}.
   */
  static int width(Map<String, String> env) {
    String columns = env.get("COLUMNS");
    if (columns != null && columns.matches("\\d{1,4}") && Integer.parseInt(columns) > 0) {
      return Integer.parseInt(columns);
    }
    File tty = new File("/dev/tty");
    if (!tty.canRead()) {
      return DEFAULT_WIDTH;
    }
    try {
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(tty)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return DEFAULT_WIDTH;
      }
      String[] rowsColumns = out.split("\\s+");
      if (p.exitValue() == 0
          && rowsColumns.length == 2
          && rowsColumns[1].matches("\\d{1,4}")
          && Integer.parseInt(rowsColumns[1]) > 0) {
        return Integer.parseInt(rowsColumns[1]);
      }
    } catch (IOException e) {
      // no stty, or no controlling terminal
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_WIDTH;
  }
}
