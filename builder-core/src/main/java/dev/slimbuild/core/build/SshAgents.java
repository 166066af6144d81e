package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The ssh agents of one build, by {@code --ssh} id: a socket as given, or an {@code ssh-agent}
 * started for the build (its socket in {@code dir}) holding the key files, which {@code ssh-add}
 * loads. The agents started are killed, by their pids, when the build ends. There is no library
 * here: the agent protocol is OpenSSH's, and its own tools speak it (BuildKit has a Go agent of its
 * own; Java has none).
 */
final class SshAgents implements AutoCloseable {
  private static final long STOP_SECONDS = 5;

  private final Map<String, Path> sockets = new LinkedHashMap<>();
  private final List<Process> started = new ArrayList<>();

  /** How a new directory for an agent's socket is made (under the build's work directory). */
  interface Dirs {
    Path newDir() throws IOException;
  }

  /**
   * The agents of {@code sources}: key files are loaded into a new agent each, before the build
   * does any work (a key ssh-add refuses is an error naming the flag's id and the file).
   */
  static SshAgents start(SshSources sources, Dirs dirs) throws IOException {
    SshAgents agents = new SshAgents();
    try {
      for (SshSources.Source s : sources.all()) {
        agents.sockets.put(
            s.id(),
            s.socket().isPresent() ? s.socket().get() : agents.startAgent(s, dirs.newDir()));
      }
    } catch (IOException | RuntimeException e) {
      agents.close();
      throw e;
    }
    return agents;
  }

  private Path startAgent(SshSources.Source s, Path dir) throws IOException {
    Path socket = dir.resolve("agent");
    Process agent;
    try {
      agent =
          new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new SlimbuildException(
          "--ssh "
              + s.id()
              + "=KEYFILE needs ssh-agent and ssh-add"
              + " (package openssh-client) on the PATH: "
              + e.getMessage());
    }
    started.add(agent);
    // -D: the agent stays in the foreground; it prints its socket once it listens, then
    // "echo Agent pid N;", and nothing more
    List<String> said = new ArrayList<>();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); ; line = out.readLine()) {
      if (line == null) {
        throw new SlimbuildException(
            "--ssh " + s.id() + ": ssh-agent did not start: " + String.join("; ", said));
      }
      if (line.startsWith("echo Agent pid")) {
        break;
      }
      said.add(line);
    }
    List<String> add = new ArrayList<>(List.of("ssh-add", "-q"));
    s.keys().forEach(k -> add.add(k.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(add)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("SSH_") || k.equals("DISPLAY"));
    pb.environment().put("SSH_AUTH_SOCK", socket.toString());
    Process p = pb.start();
    // what ssh-add says, on one line: its banners of @ left out
    String output =
        String.join(
            "; ",
            new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.matches("@+"))
                .toList());
    try {
      if (p.waitFor() != 0) {
        throw new SlimbuildException(
            "--ssh "
                + s.id()
                + "="
                + String.join(",", s.keys().stream().map(Path::toString).toList())
                + ": ssh-add could not load the key"
                + (output.isEmpty() ? "" : " (" + output + ")"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while ssh-add loaded the keys of --ssh " + s.id());
    }
    return socket;
  }

  /** The agent socket of {@code id}, if the build has one. */
  Optional<Path> socket(String id) {
    return Optional.ofNullable(sockets.get(id));
  }

  /** Kills the agents this build started (their sockets go with the work directory). */
  @Override
  public synchronized void close() {
    for (Process p : started) {
      p.destroy();
      try {
        if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    started.clear();
  }
}
