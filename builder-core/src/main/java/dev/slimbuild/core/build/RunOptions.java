package dev.slimbuild.core.build;

import dev.slimbuild.core.run.SandboxMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How RUN instructions run.
 *
 * @param sandbox which sandbox RUN gets
 * @param cacheDir where {@code RUN --mount=type=cache} directories live across builds
 * @param tempDir where a build keeps its work directories (deleted when the build ends)
 * @param rootfs how a RUN gets the stage's files
 * @param network the network of a RUN without {@code --network} ({@code default}, {@code none} or
 *     {@code host}; buildx's {@code --network})
 * @param extraHosts {@code HOST:IP} lines a RUN's {@code /etc/hosts} gets (buildx's {@code
 *     --add-host}), in order
 * @param secrets what {@code RUN --mount=type=secret} may mount ({@code --secret})
 * @param ssh the agents {@code RUN --mount=type=ssh} may forward ({@code --ssh})
 */
public record RunOptions(
    SandboxMode sandbox,
    Path cacheDir,
    Path tempDir,
    RootfsMode rootfs,
    String network,
    List<String> extraHosts,
    BuildSecrets secrets,
    SshSources ssh) {
  /** The values {@code network} may take. */
  public static final List<String> NETWORK_MODES = List.of("default", "none", "host");

  public RunOptions {
    Objects.requireNonNull(sandbox, "sandbox");
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(tempDir, "tempDir");
    Objects.requireNonNull(rootfs, "rootfs");
    if (!NETWORK_MODES.contains(network)) {
      throw new IllegalArgumentException("network: " + network);
    }
    extraHosts = List.copyOf(extraHosts);
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(ssh, "ssh");
  }

  /** Options with the default network, no extra hosts, no secrets and no ssh agent. */
  RunOptions(SandboxMode sandbox, Path cacheDir, Path tempDir, RootfsMode rootfs) {
    this(
        sandbox,
        cacheDir,
        tempDir,
        rootfs,
        "default",
        List.of(),
        BuildSecrets.none(),
        SshSources.none());
  }

  /** These options with RUN's root filesystem made the {@code rootfs} way. */
  public RunOptions withRootfs(RootfsMode rootfs) {
    return new RunOptions(sandbox, cacheDir, tempDir, rootfs, network, extraHosts, secrets, ssh);
  }

  /** These options with {@code network} for RUNs without {@code --network} and {@code hosts}. */
  public RunOptions withNetwork(String network, List<String> hosts) {
    return new RunOptions(sandbox, cacheDir, tempDir, rootfs, network, hosts, secrets, ssh);
  }

  /** These options with {@code secrets} and the ssh agents {@code sources}. */
  public RunOptions withSecrets(BuildSecrets secrets, SshSources sources) {
    return new RunOptions(
        sandbox, cacheDir, tempDir, rootfs, network, extraHosts, secrets, sources);
  }

  /**
   * {@code sandbox} with the cache under {@code $XDG_CACHE_HOME/slimbuild/run-cache} (else {@code
   * $HOME/.cache/...}) of {@code env}, and {@code $TMPDIR} (else the JVM's temporary directory).
   */
  public static RunOptions of(SandboxMode sandbox, Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    Path cache;
    if (xdg != null && !xdg.isEmpty()) {
      cache = Path.of(xdg);
    } else {
      String home = env.get("HOME");
      cache =
          Path.of(
              home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".cache");
    }
    String tmp = env.get("TMPDIR");
    return new RunOptions(
        sandbox,
        cache.resolve("slimbuild").resolve("run-cache"),
        Path.of(tmp != null && !tmp.isEmpty() ? tmp : System.getProperty("java.io.tmpdir")),
        RootfsMode.AUTO);
  }

  /** {@code auto} with the process's environment. */
  public static RunOptions defaults() {
    return of(SandboxMode.AUTO, System.getenv());
  }
}
