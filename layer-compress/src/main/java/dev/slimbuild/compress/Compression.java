package dev.slimbuild.compress;

import java.util.Locale;

/**
 * A layer compression, with its OCI layer media type
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md), default level and level range.
 */
public enum Compression {
  ZSTD("zstd", "application/vnd.oci.image.layer.v1.tar+zstd", 3, 1, 22),
  GZIP("gzip", "application/vnd.oci.image.layer.v1.tar+gzip", 6, 1, 9),
  NONE("none", "application/vnd.oci.image.layer.v1.tar", 0, 0, 0);

  private final String cliName;
  private final String mediaType;
  private final int defaultLevel;
  private final int minLevel;
  private final int maxLevel;

  Compression(String cliName, String mediaType, int defaultLevel, int minLevel, int maxLevel) {
    this.cliName = cliName;
    this.mediaType = mediaType;
    this.defaultLevel = defaultLevel;
    this.minLevel = minLevel;
    this.maxLevel = maxLevel;
  }

  /** The name used on the command line: {@code zstd}, {@code gzip} or {@code none}. */
  public String cliName() {
    return cliName;
  }

  /** The OCI layer media type of a layer compressed this way. */
  public String mediaType() {
    return mediaType;
  }

  /** The level used when the user gives none (zstd 3, gzip 6, none 0). */
  public int defaultLevel() {
    return defaultLevel;
  }

  /** The lowest accepted level. */
  public int minLevel() {
    return minLevel;
  }

  /** The highest accepted level. */
  public int maxLevel() {
    return maxLevel;
  }

  /** Whether {@code level} is accepted by this compression. */
  public boolean isValidLevel(int level) {
    return level >= minLevel && level <= maxLevel;
  }

  /**
   * Returns {@code level} when it is valid; otherwise throws IllegalArgumentException with a
   * message that names the valid range.
   */
  public int checkLevel(int level) {
    if (!isValidLevel(level)) {
      throw new IllegalArgumentException(
          "invalid "
              + cliName
              + " compression level "
              + level
              + ": expected "
              + (minLevel == maxLevel ? String.valueOf(minLevel) : minLevel + ".." + maxLevel));
    }
    return level;
  }

  /**
   * Parses a command-line value ({@code zstd}, {@code gzip} or {@code none}, case-insensitive);
   * throws IllegalArgumentException listing the accepted values otherwise.
   */
  public static Compression parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (Compression c : values()) {
      if (c.cliName.equals(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown compression '" + value + "': expected one of zstd, gzip, none");
  }

  /**
   * The compression of a layer media type: OCI {@code ...tar}, {@code ...tar+gzip}, {@code
   * ...tar+zstd}, and Docker's {@code ...rootfs.diff.tar.gzip} / {@code ...rootfs.diff.tar.zstd};
   * throws IllegalArgumentException for anything else.
   */
  public static Compression fromMediaType(String mediaType) {
    String m = mediaType == null ? "" : mediaType.trim();
    if (m.endsWith("+zstd") || m.endsWith(".tar.zstd")) {
      return ZSTD;
    }
    if (m.endsWith("+gzip") || m.endsWith(".tar.gzip")) {
      return GZIP;
    }
    if (m.endsWith(".tar") || m.endsWith("rootfs.diff.tar")) {
      return NONE;
    }
    throw new IllegalArgumentException("not a layer media type: '" + mediaType + "'");
  }

  @Override
  public String toString() {
    return cliName;
  }
}
