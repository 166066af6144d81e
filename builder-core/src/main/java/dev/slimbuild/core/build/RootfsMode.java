package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.util.Locale;

/**
 * How a RUN gets the stage's files ({@code --run-rootfs}): {@code overlay} (an overlayfs mount over
 * the image's files, never copied; as root or in a user namespace), {@code copy} (a copy in a work
 * directory) or {@code auto} (overlay where it works, else copy).
 */
public enum RootfsMode {
  AUTO,
  OVERLAY,
  COPY;

  /** The flag's spelling. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode {@code value} names; an error naming {@code flag} and the choices if none. */
  public static RootfsMode parse(String value, String flag) {
    for (RootfsMode m : values()) {
      if (m.toString().equals(value)) {
        return m;
      }
    }
    throw new SlimbuildException(
        "invalid " + flag + " '" + value + "': expected auto, overlay or copy");
  }
}
