package dev.slimbuild.core.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to reach registries: hosts that may use plain HTTP or unverified TLS ({@code
 * --insecure-registry HOST[:PORT]}), extra CA certificates ({@code --registry-ca FILE}, added to
 * the system trust), the environment credentials are looked up in ({@code DOCKER_CONFIG}, {@code
 * REGISTRY_AUTH_FILE}, {@code HOME}, {@code XDG_RUNTIME_DIR}, {@code PATH} for credential helpers),
 * and how long any one network read may wait for data ({@code --network-timeout}).
 */
public record RegistryOptions(
    Set<String> insecureHosts,
    Set<Path> caFiles,
    Map<String, String> env,
    Duration networkTimeout) {
  /** The idle limit of a network read unless {@code --network-timeout} says otherwise. */
  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(60);

  public RegistryOptions {
    insecureHosts = Set.copyOf(insecureHosts);
    caFiles = Set.copyOf(caFiles);
    env = Map.copyOf(env);
    Objects.requireNonNull(networkTimeout, "networkTimeout");
    if (networkTimeout.isNegative() || networkTimeout.isZero()) {
      throw new IllegalArgumentException("the network timeout must be positive");
    }
  }

  /** Options with the default network timeout ({@link #DEFAULT_NETWORK_TIMEOUT}). */
  public RegistryOptions(Set<String> insecureHosts, Set<Path> caFiles, Map<String, String> env) {
    this(insecureHosts, caFiles, env, DEFAULT_NETWORK_TIMEOUT);
  }

  /** Whether {@code host} (host[:port]) was named with {@code --insecure-registry}. */
  boolean isInsecure(String host) {
    return insecureHosts.contains(host);
  }
}
