package dev.slimbuild.core.run;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Facts about the machine slimbuild runs on: effective uid, tools on the PATH, probes. */
final class Host {
  private static final long PROBE_SECONDS = 20;

  private Host() {}

  /** The first executable {@code name} on the PATH (or in /usr/sbin, /sbin). */
  static Optional<Path> which(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin"));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Runs a short command with an empty environment and no input; null when it exits 0, else why not
   * (exit status and the first lines of its output).
   */
  static String probe(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "timed out";
      }
      if (p.exitValue() == 0) {
        return null;
      }
      String text = new String(out, StandardCharsets.UTF_8).strip().replace('\n', ' ');
      return "exit " + p.exitValue() + (text.isEmpty() ? "" : ": " + text);
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Runs a host command that must succeed (mount, umount), with its output in the exception. */
  static void mustRun(List<String> command) throws IOException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + ": timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command)
                + ": exit "
                + p.exitValue()
                + ": "
                + new String(out, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(String.join(" ", command) + ": interrupted");
    }
  }

  /** {@code K=V} entries as a map (later entries win). */
  static Map<String, String> envMap(List<String> env) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String e : env) {
      int eq = e.indexOf('=');
      m.put(e.substring(0, eq), e.substring(eq + 1));
    }
    return m;
  }
}
