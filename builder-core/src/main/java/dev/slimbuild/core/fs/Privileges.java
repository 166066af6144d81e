package dev.slimbuild.core.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this process may do to files. */
public final class Privileges {
  private static final boolean ROOT = readRoot();

  private Privileges() {}

  /** Whether this process's effective uid is 0 (the owner of its own /proc entry). */
  public static boolean isRoot() {
    return ROOT;
  }

  private static boolean readRoot() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
