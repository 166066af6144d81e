package dev.slimbuild.core.run;

import java.nio.file.Path;

/**
 * An extra mount for a RUN: a host file or directory bound at {@code target}, or an empty tmpfs
 * ({@code hostSource} null) that is gone after the run.
 *
 * @param hostSource the host path to bind, null for a tmpfs
 * @param target an absolute path inside the rootfs, without {@code ..} components
 * @param readOnly whether writes through the mount are refused (ignored for tmpfs)
 */
public record Mount(Path hostSource, String target, boolean readOnly) {

  public Mount {
    target = RootPaths.checkAbsolute(target, "mount target");
    if (hostSource != null) {
      hostSource = hostSource.toAbsolutePath().normalize();
    }
  }

  /** A bind mount of a host file or directory. */
  public static Mount bind(Path hostSource, String target, boolean readOnly) {
    if (hostSource == null) {
      throw new IllegalArgumentException("a bind mount needs a host source");
    }
    return new Mount(hostSource, target, readOnly);
  }

  /** An empty, writable tmpfs at {@code target}. */
  public static Mount tmpfs(String target) {
    return new Mount(null, target, false);
  }

  boolean isTmpfs() {
    return hostSource == null;
  }
}
