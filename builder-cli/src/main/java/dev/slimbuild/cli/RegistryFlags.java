package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.GoDuration;
import dev.slimbuild.core.registry.Registries;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryOptions;
import dev.slimbuild.core.registry.RegistryProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The registry options every command that talks to a registry takes (build, push, inspect, sign,
 * verify): TLS is verified against the system trust plus {@code --registry-ca}; plain HTTP or
 * unverified TLS only for hosts named with {@code --insecure-registry}; every network read waits at
 * most {@code --network-timeout} for data.
 */
final class RegistryFlags {
  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description = "Allow plain HTTP or unverified TLS for this registry (repeatable).")
  List<String> insecure = new ArrayList<>();

  @Option(
      names = "--registry-ca",
      paramLabel = "FILE",
      description =
          "Trust this PEM CA certificate for registries, besides the system's (repeatable).")
  List<Path> caFiles = new ArrayList<>();

  @Option(
      names = "--network-timeout",
      paramLabel = "DURATION",
      description =
          "Fail a registry request or ADD <URL> download that waits this long for"
              + " data, naming the URL (e.g. 30s, 2m, 500ms). Default: 60s.")
  String networkTimeout;

  /** {@code --network-timeout}, or the default. */
  Duration networkTimeout() {
    if (networkTimeout == null) {
      return RegistryOptions.DEFAULT_NETWORK_TIMEOUT;
    }
    Duration d;
    try {
      d = GoDuration.parse(networkTimeout.strip());
    } catch (RuntimeException e) {
      d = null;
    }
    if (d == null || d.isNegative() || d.toMillis() < 1) {
      throw new SlimbuildException(
          "invalid --network-timeout '"
              + networkTimeout
              + "': expected a positive duration such as 60s, 2m or 500ms");
    }
    return d;
  }

  RegistryOptions options(Map<String, String> env) {
    for (Path ca : caFiles) {
      if (!Files.isReadable(ca)) {
        throw new SlimbuildException("--registry-ca " + ca + ": no such readable file");
      }
    }
    return new RegistryOptions(
        new LinkedHashSet<>(insecure), new LinkedHashSet<>(caFiles), env, networkTimeout());
  }

  /** Opens a new client per call; the caller closes it. */
  RegistryOpener opener(Map<String, String> env) {
    RegistryOptions opts = options(env);
    return host -> Registries.open(host, opts);
  }

  /** A session over {@link #opener}: one client per host, closed with the session. */
  Session session(Map<String, String> env) {
    return new Session(opener(env));
  }

  /** One client per host for the length of a command, all closed at the end. */
  static final class Session implements RegistryProvider, AutoCloseable {
    private final RegistryOpener opener;
    private final Map<String, Registry> open = new LinkedHashMap<>();

    Session(RegistryOpener opener) {
      this.opener = opener;
    }

    @Override
    public synchronized Registry forHost(String host) throws IOException {
      Registry r = open.get(host);
      if (r == null) {
        r = opener.open(host);
        open.put(host, r);
      }
      return r;
    }

    @Override
    public void close() throws IOException {
      IOException first = null;
      for (Registry r : open.values()) {
        try {
          r.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      open.clear();
      if (first != null) {
        throw first;
      }
    }
  }
}
