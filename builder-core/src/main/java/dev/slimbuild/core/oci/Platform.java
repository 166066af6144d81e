package dev.slimbuild.core.oci;

import dev.slimbuild.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * A platform as in the OCI image index (image-index.md#image-index-property-descriptions): os,
 * architecture and the optional variant, os.version and os.features. Absent optional strings are
 * null (empty strings are turned into null).
 */
public record Platform(
    String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

  public Platform {
    if (os == null || os.isEmpty()) {
      throw new IllegalArgumentException("platform needs an os");
    }
    if (architecture == null || architecture.isEmpty()) {
      throw new IllegalArgumentException("platform needs an architecture");
    }
    variant = Canonical.blankToNull(variant);
    osVersion = Canonical.blankToNull(osVersion);
    osFeatures = Canonical.list(osFeatures);
  }

  /** {@code os/architecture} or {@code os/architecture/variant}. */
  public static Platform of(String os, String architecture, String variant) {
    return new Platform(os, architecture, variant, null, List.of());
  }

  /**
   * Parses {@code os/arch[/variant]} such as {@code linux/arm64/v8}, lower-cased; architecture
   * aliases are kept as written (use {@link #normalize()} to compare).
   */
  public static Platform parse(String s) {
    String[] parts = s.trim().toLowerCase(Locale.ROOT).split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "invalid platform \"" + s + "\": expected os/arch or os/arch/variant");
    }
    for (String p : parts) {
      if (p.isEmpty() || !p.matches("[a-z0-9._-]+")) {
        throw new IllegalArgumentException("invalid platform \"" + s + "\"");
      }
    }
    return of(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  /**
   * This platform with the architecture aliases and default variants used by Docker and containerd:
   * x86_64 = amd64 (variant v1 dropped), aarch64 = arm64 (v8 dropped), armhf = arm/v7, armel =
   * arm/v6, arm without variant = arm/v7, i386 = 386.
   */
  public Platform normalize() {
    String arch = architecture;
    String v = variant;
    switch (arch) {
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if ("v1".equals(v)) {
          v = null;
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        if ("8".equals(v) || "v8".equals(v) || "v8.0".equals(v)) {
          v = null;
        }
      }
      case "armhf" -> {
        arch = "arm";
        v = "v7";
      }
      case "armel" -> {
        arch = "arm";
        v = "v6";
      }
      case "arm" -> {
        if (v == null || v.equals("7")) {
          v = "v7";
        } else if (v.matches("[5-8]")) {
          v = "v" + v;
        }
      }
      case "i386" -> arch = "386";
      default -> {}
    }
    return new Platform(os, arch, v, osVersion, osFeatures);
  }

  /**
   * This platform as {@link #matches} compares it: {@link #normalize() normalized} os, architecture
   * and variant, without os.version and os.features. Keys maps that hold one entry per platform.
   */
  public Platform key() {
    Platform n = normalize();
    return of(n.os, n.architecture, n.variant);
  }

  /** Whether both name the same os/architecture/variant after {@link #normalize()}. */
  public boolean matches(Platform other) {
    return key().equals(other.key());
  }

  /** The JSON form, fields in the order of the Go struct: architecture, os, os.version, ... */
  public JsonObject toJson() {
    return JsonObject.builder()
        .put("architecture", architecture)
        .put("os", os)
        .putIfPresent("os.version", osVersion)
        .putIfPresent("os.features", osFeatures)
        .putIfPresent("variant", variant)
        .build();
  }

  static Platform read(Fields f) {
    String os = f.reqString("os");
    String arch = f.reqString("architecture");
    String variant = f.optString("variant");
    String osVersion = f.optString("os.version");
    List<String> features = f.optStringList("os.features");
    return f.build(() -> new Platform(os, arch, variant, osVersion, features));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
