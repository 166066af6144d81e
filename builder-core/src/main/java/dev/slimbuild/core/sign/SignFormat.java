package dev.slimbuild.core.sign;

import dev.slimbuild.core.SlimbuildException;
import java.util.Locale;

/**
 * Which signature formats are written ({@code --sign-format} of {@code build}, {@code sign} and
 * {@code index create}) or required ({@code verify}): cosign's {@code sha256-HEX.sig} tags, the
 * sigstore bundle as an OCI 1.1 referrer, or both. {@link #ANY} is for verifying only: one valid
 * signature in either format is enough.
 */
public enum SignFormat {
  LEGACY,
  BUNDLE,
  BOTH,
  ANY;

  /** Whether the {@code .sig} tag is written or considered. */
  public boolean legacy() {
    return this != BUNDLE;
  }

  /** Whether the sigstore bundle is written or considered. */
  public boolean bundle() {
    return this != LEGACY;
  }

  /** The name as the flag takes it. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code value} of {@code --sign-format} for signing: legacy, bundle or both. */
  public static SignFormat forSigning(String value) {
    SignFormat f = parse(value);
    if (f == null || f == ANY) {
      throw new SlimbuildException(
          "invalid --sign-format '" + value + "': expected legacy, bundle or both");
    }
    return f;
  }

  /** {@code value} of {@code --sign-format} for verifying: legacy, bundle, both or any. */
  public static SignFormat forVerifying(String value) {
    SignFormat f = parse(value);
    if (f == null) {
      throw new SlimbuildException(
          "invalid --sign-format '" + value + "': expected legacy, bundle, both or any");
    }
    return f;
  }

  private static SignFormat parse(String value) {
    for (SignFormat f : values()) {
      if (f.cliName().equals(value)) {
        return f;
      }
    }
    return null;
  }
}
