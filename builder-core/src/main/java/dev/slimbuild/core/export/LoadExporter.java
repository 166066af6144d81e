package dev.slimbuild.core.export;

import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.image.DockerArchiveWriter;
import dev.slimbuild.core.oci.ImageReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --load}: there is no daemon here, so the image goes, as a docker-archive, into {@code
 * docker load} or {@code podman load}. docker is used when a Docker daemon is configured ({@code
 * DOCKER_HOST}, or its socket exists), else podman (daemonless), else docker if it is the only one
 * on {@code PATH}.
 */
final class LoadExporter implements Exporter {
  private static final String DOCKER_SOCKET = "/var/run/docker.sock";
  private static final int OUTPUT_LIMIT = 64 * 1024;

  private final Map<String, String> env;
  private final List<ImageReference> names;
  private Path tool;

  LoadExporter(Map<String, String> env, List<ImageReference> names) {
    this.env = Map.copyOf(env);
    this.names = List.copyOf(names);
  }

  @Override
  public String describe() {
    return "'" + (tool == null ? "docker" : tool.getFileName()) + " load'";
  }

  @Override
  public String done() {
    return null; // the tool's own last line is reported
  }

  @Override
  public void check() {
    Optional<Path> docker = onPath("docker");
    Optional<Path> podman = onPath("podman");
    boolean daemon = env.containsKey("DOCKER_HOST") || Files.exists(Path.of(DOCKER_SOCKET));
    if (docker.isPresent() && (daemon || podman.isEmpty())) {
      tool = docker.get();
    } else if (podman.isPresent()) {
      tool = podman.get();
    } else {
      throw new SlimbuildException(
          "--load needs docker or podman on PATH (slimbuild has no"
              + " daemon to load into); write the image with --output type=docker,dest=FILE or"
              + " type=oci,tar=false,dest=FILE instead");
    }
  }

  @Override
  public void export(ExportContext c) throws IOException {
    if (tool == null) {
      check();
    }
    String name = tool.getFileName().toString();
    ProcessBuilder pb = new ProcessBuilder(tool.toString(), "load");
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> drain(p.getInputStream(), said), "load-output");
    reader.setDaemon(true);
    reader.start();
    IOException writeFailure = null;
    try (OutputStream in = p.getOutputStream()) {
      DockerArchiveWriter.write(
          c.blobs(),
          c.result().image(),
          names,
          layer -> Decompressors.open(c.blobs().open(layer.digest()), layer.mediaType()),
          in);
    } catch (IOException e) {
      writeFailure = e; // the tool may have exited early: its own words say why
    }
    int exit;
    try {
      exit = p.waitFor();
      reader.join(10_000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while '" + name + " load' ran", e);
    }
    String out = said.toString(StandardCharsets.UTF_8).strip();
    if (exit != 0 || writeFailure != null) {
      throw new SlimbuildException(
          "--load: '"
              + name
              + " load' failed (exit "
              + exit
              + ")"
              + (out.isEmpty() ? "" : ": " + lastLine(out))
              + (writeFailure == null ? "" : " [" + writeFailure.getMessage() + "]"));
    }
    c.events().accept(new BuildEvent.Info(name + " load: " + lastLine(out)));
  }

  private static void drain(InputStream in, ByteArrayOutputStream to) {
    byte[] buf = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        synchronized (to) {
          if (to.size() < OUTPUT_LIMIT) {
            to.write(buf, 0, Math.min(n, OUTPUT_LIMIT - to.size()));
          }
        }
      }
    } catch (IOException e) {
      // the process is gone; its exit status tells the rest
    }
  }

  private static String lastLine(String s) {
    int nl = s.lastIndexOf('\n');
    return nl < 0 ? s : s.substring(nl + 1);
  }

  private Optional<Path> onPath(String command) {
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, command);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
