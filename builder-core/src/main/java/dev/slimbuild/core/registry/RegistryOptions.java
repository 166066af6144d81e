package dev.slimbuild.core.registry;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * How to reach registries: hosts that may use plain HTTP or unverified TLS ({@code
 * --insecure-registry HOST[:PORT]}), extra CA certificates ({@code --registry-ca FILE}, added to
 * the system trust), and the environment credentials are looked up in ({@code DOCKER_CONFIG},
 * {@code REGISTRY_AUTH_FILE}, {@code HOME}, {@code XDG_RUNTIME_DIR}, {@code PATH} for credential
 * helpers).
 */
public record RegistryOptions(Set<String> insecureHosts, Set<Path> caFiles, Map<String, String> env) {
  public RegistryOptions {
    insecureHosts = Set.copyOf(insecureHosts);
    caFiles = Set.copyOf(caFiles);
    env = Map.copyOf(env);
  }

  /** Whether {@code host} (host[:port]) was named with {@code --insecure-registry}. */
  public boolean isInsecure(String host) {
    return insecureHosts.contains(host);
  }
}
