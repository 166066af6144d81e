package dev.slimbuild.core.registry;

import java.io.IOException;

/** Opens {@link Registry} clients for real registry hosts. */
public final class Registries {
  private Registries() {}

  /**
   * A client for {@code host} ({@code host[:port]}). Nothing is sent until the first call; then the
   * registry is pinged once to choose the scheme (https; for hosts in {@link
   * RegistryOptions#insecureHosts()} unverified https, then http) and learn how it authenticates.
   * Credentials come from the docker/podman files and helpers named in {@link
   * RegistryOptions#env()}.
   *
   * @throws IOException if a CA file cannot be read
   */
  public static Registry open(String host, RegistryOptions opts) throws IOException {
    return open(host, opts, HttpRegistry.DEFAULT_CHUNK);
  }

  /** As {@link #open(String, RegistryOptions)}, with blobs above {@code chunkSize} chunked. */
  static Registry open(String host, RegistryOptions opts, long chunkSize) throws IOException {
    if (host == null || host.isEmpty() || host.contains("/")) {
      throw new IllegalArgumentException("invalid registry host: " + host);
    }
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive");
    }
    return new HttpRegistry(new Transport(host, opts), chunkSize);
  }
}
