package dev.slimbuild.cli;

import dev.slimbuild.core.registry.Registry;
import java.io.IOException;

/** Opens a {@link Registry} client for a host; the CLI's one seam to the registry client. */
@FunctionalInterface
interface RegistryOpener {
  /** A client for {@code host} (host[:port]); the caller closes it. */
  Registry open(String host) throws IOException;
}
