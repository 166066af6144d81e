package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;

/** Opens a {@link Registry} client for a host; the CLI's one seam to the registry client. */
@FunctionalInterface
interface RegistryOpener {
  /** Used until the CLI is wired to the registry client. */
  RegistryOpener NOT_AVAILABLE =
      host -> {
        throw new SlimbuildException(
            "reading images from a registry (" + host + ") is not supported yet");
      };

  /** A client for {@code host} (host[:port]); the caller closes it. */
  Registry open(String host) throws IOException;
}
