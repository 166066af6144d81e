package dev.slimbuild.core.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which registries answered in plain http the last time: a file per host under {@code
 * $XDG_CACHE_HOME/slimbuild/registries} (else {@code $HOME/.cache/...}). Only hosts that may speak
 * http at all ({@code --insecure-registry}, or a loopback one whose https port is not TLS) consult
 * it: such a host is then tried in http first, which spares a cold JVM the TLS handshake that fails
 * (about half a second of an unchanged rebuild). An answer that is not a registry's sends the
 * client back to https and forgets the hint. Writing or reading it never fails a build.
 */
final class SchemeHints {
  private final Path dir;

  private SchemeHints(Path dir) {
    this.dir = dir;
  }

  /** The hints of the user {@code env} describes; none without a cache directory. */
  static SchemeHints of(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    String home = env.get("HOME");
    Path base =
        xdg != null && !xdg.isEmpty()
            ? Path.of(xdg)
            : home != null && !home.isEmpty() ? Path.of(home, ".cache") : null;
    return new SchemeHints(base == null ? null : base.resolve("slimbuild").resolve("registries"));
  }

  private Path file(String host) {
    // host[:port] or [v6]:port: a file name without ':' or '/'
    return dir.resolve(host.replaceAll("[^A-Za-z0-9.\\-]", "_") + ".http");
  }

  /** Whether {@code host} answered in plain http last time. */
  boolean plainHttp(String host) {
    return dir != null && Files.isRegularFile(file(host));
  }

  /** Remembers that {@code host} speaks plain http ({@code true}) or not. */
  void remember(String host, boolean plainHttp) {
    if (dir == null || plainHttp == plainHttp(host)) {
      return;
    }
    try {
      if (plainHttp) {
        Files.createDirectories(dir);
        Files.write(file(host), new byte[0]);
      } else {
        Files.deleteIfExists(file(host));
      }
    } catch (IOException | RuntimeException e) {
      // a hint only: the next build tries https first again
    }
  }
}
