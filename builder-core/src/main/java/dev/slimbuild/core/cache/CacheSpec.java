package dev.slimbuild.core.cache;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.ImageReference;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code --cache-from} or {@code --cache-to} value, as buildx writes them: {@code
 * type=registry,ref=REPO:TAG[,mode=min|max]}, {@code type=local,src=DIR} (from) or {@code
 * type=local,dest=DIR} (to); a bare {@code REPO:TAG} means {@code type=registry,ref=REPO:TAG}.
 * buildx's {@code ignore-error}, {@code image-manifest}, {@code oci-mediatypes} and compression
 * keys are accepted: slimbuild always ignores cache errors and always writes an OCI image manifest
 * whose layers are the image's own.
 */
public record CacheSpec(Type type, Optional<ImageReference> ref, Optional<Path> dir, boolean max) {
  /** Where a cache lives. */
  public enum Type {
    REGISTRY,
    LOCAL
  }

  private static final Set<String> ACCEPTED =
      Set.of(
          "ignore-error",
          "image-manifest",
          "oci-mediatypes",
          "compression",
          "compression-level",
          "force-compression");

  /** Parses a {@code --cache-from} value ({@code to} false) or a {@code --cache-to} value. */
  public static CacheSpec parse(String value, boolean to) {
    String flag = to ? "--cache-to" : "--cache-from";
    if (!value.contains("=")) {
      return new CacheSpec(
          Type.REGISTRY, Optional.of(reference(value, flag, value)), Optional.empty(), false);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new SlimbuildException(
            "invalid " + flag + " '" + value + "': '" + part + "' is not KEY=VALUE");
      }
      kv.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
    }
    String type = kv.getOrDefault("type", "registry");
    boolean max = false;
    String mode = kv.get("mode");
    if (mode != null) {
      if (!to) {
        throw new SlimbuildException(
            "invalid " + flag + " '" + value + "': mode is for --cache-to");
      }
      switch (mode) {
        case "min" -> max = false;
        case "max" -> max = true;
        default ->
            throw new SlimbuildException(
                "invalid " + flag + " '" + value + "': mode must be min or max");
      }
    }
    for (String k : kv.keySet()) {
      boolean known =
          k.equals("type")
              || k.equals("mode")
              || ACCEPTED.contains(k)
              || (type.equals("registry") && k.equals("ref"))
              || (type.equals("local") && k.equals(to ? "dest" : "src"));
      if (!known) {
        throw new SlimbuildException(
            "invalid " + flag + " '" + value + "': unknown key '" + k + "' for type=" + type);
      }
    }
    switch (type) {
      case "registry":
        {
          String ref = kv.get("ref");
          if (ref == null || ref.isEmpty()) {
            throw new SlimbuildException(
                "invalid " + flag + " '" + value + "': type=registry needs" + " ref=REPO:TAG");
          }
          return new CacheSpec(
              Type.REGISTRY, Optional.of(reference(ref, flag, value)), Optional.empty(), max);
        }
      case "local":
        {
          String dir = kv.get(to ? "dest" : "src");
          if (dir == null || dir.isEmpty()) {
            throw new SlimbuildException(
                "invalid "
                    + flag
                    + " '"
                    + value
                    + "': type=local needs "
                    + (to ? "dest" : "src")
                    + "=DIR");
          }
          return new CacheSpec(Type.LOCAL, Optional.empty(), Optional.of(Path.of(dir)), max);
        }
      default:
        throw new SlimbuildException(
            "invalid "
                + flag
                + " '"
                + value
                + "': type must be"
                + " registry or local (slimbuild keeps its own cache in the local store; inline, gha"
                + " and s3 caches are not supported)");
    }
  }

  private static ImageReference reference(String ref, String flag, String value) {
    try {
      return ImageReference.parse(ref);
    } catch (SlimbuildException e) {
      throw new SlimbuildException("invalid " + flag + " '" + value + "': " + e.getMessage());
    }
  }

  /** How progress names this cache. */
  public String describe() {
    return ref.map(Object::toString).orElseGet(() -> "local:" + dir.orElseThrow());
  }
}
