package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import java.util.Locale;

/** Which sandbox RUN gets ({@code --sandbox}): chosen by the machine, or one named. */
public enum SandboxMode {
  AUTO,
  BWRAP,
  CHROOT,
  PROOT;

  /** The flag's spelling: {@code auto}, {@code bwrap}, {@code chroot}, {@code proot}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode {@code value} names; an error naming {@code flag} and the choices if none. */
  public static SandboxMode parse(String value, String flag) {
    for (SandboxMode m : values()) {
      if (m.toString().equals(value)) {
        return m;
      }
    }
    throw new SlimbuildException(
        "invalid " + flag + " '" + value + "': expected auto, bwrap, chroot or proot");
  }
}
