package dev.slimbuild.core.registry;

import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;

/**
 * Gives the builder a {@link Registry} per host ({@code host[:port]}, e.g. {@code docker.io}) for
 * base images; the caller owns the registries and closes them after the build.
 */
@FunctionalInterface
public interface RegistryProvider {
  /** The registry for {@code host}. */
  Registry forHost(String host) throws IOException;

  /** A provider for builds that must not reach any registry: every FROM image is refused. */
  RegistryProvider NONE =
      host -> {
        throw new SlimbuildException(
            "cannot pull from " + host + ": this build has no registry access configured");
      };
}
