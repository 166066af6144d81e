package dev.slimbuild.cli;

import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.registry.Registries;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryOptions;
import dev.slimbuild.core.registry.RegistryServer;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/** A plain docker-registry on loopback with base images pushed into it, for the CLI's ITs. */
final class TestRegistry {
  /** Pushes something (e.g. {@code BusyboxBase.push(r, "base/busybox", "1")}) into the registry. */
  @FunctionalInterface
  interface Push {
    void into(Registry registry) throws IOException;
  }

  private TestRegistry() {}

  /** Starts the registry and runs {@code pushes}; the caller closes the server. */
  static RegistryServer start(Push... pushes) throws IOException {
    RegistryServer server = RegistryServer.plain();
    try (Registry r = client(server.host())) {
      for (Push p : pushes) {
        p.into(r);
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * A started registry holding the two-platform busybox base.
   *
   * @param base the base image's name, {@code HOST/base/busybox:1}
   */
  record Busybox(RegistryServer server, String base) implements AutoCloseable {
    /** Where it listens (plain HTTP). */
    String host() {
      return server.host();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** Starts a registry with the busybox base as {@code base/busybox:1}; the caller closes it. */
  static Busybox busybox() throws IOException {
    RegistryServer server = start(r -> BusyboxBase.push(r, "base/busybox", "1"));
    return new Busybox(server, server.host() + "/base/busybox:1");
  }

  /** A client for {@code host}, which may use plain HTTP. */
  static Registry client(String host) throws IOException {
    return Registries.open(host, new RegistryOptions(Set.of(host), Set.of(), Map.of()));
  }
}
