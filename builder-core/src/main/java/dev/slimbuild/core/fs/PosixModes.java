package dev.slimbuild.core.fs;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** The nine permission bits of a Unix mode and Java's {@link PosixFilePermission} set. */
public final class PosixModes {
  private PosixModes() {}

  /** The mode bit of {@code p}, named rather than taken from the enum's declaration order. */
  public static int bit(PosixFilePermission p) {
    return switch (p) {
      case OWNER_READ -> 0400;
      case OWNER_WRITE -> 0200;
      case OWNER_EXECUTE -> 0100;
      case GROUP_READ -> 040;
      case GROUP_WRITE -> 020;
      case GROUP_EXECUTE -> 010;
      case OTHERS_READ -> 04;
      case OTHERS_WRITE -> 02;
      case OTHERS_EXECUTE -> 01;
    };
  }

  /** The permission bits (0 to 0777) of {@code permissions}. */
  public static int mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= bit(p);
    }
    return mode;
  }

  /** The permissions set in the low nine bits of {@code mode}; other bits are ignored. */
  public static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((mode & bit(p)) != 0) {
        out.add(p);
      }
    }
    return out;
  }
}
