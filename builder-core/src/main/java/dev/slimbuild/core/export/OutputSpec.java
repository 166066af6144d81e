package dev.slimbuild.core.export;

import dev.slimbuild.core.Csv;
import dev.slimbuild.core.SlimbuildException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code --output} as buildx spells it. {@code type=oci|docker|tar,dest=FILE} (a tarball;
 * {@code dest=-} is standard output; {@code type=oci,tar=false,dest=DIR} an OCI layout directory),
 * {@code type=local,dest=DIR} (the image's files), {@code type=registry} and {@code
 * type=image[,name=A,B][,push=true]}. A bare value is buildx's shorthand: {@code -} is {@code
 * type=tar,dest=-} and anything else {@code type=local,dest=VALUE}. Values are comma-separated like
 * buildx's (CSV: a quoted field may hold commas, {@code "name=a,b"}).
 *
 * @param dest empty for registry and image outputs; {@code Optional.of(Path.of("-"))} for stdout
 * @param names the names an image or registry output pushes or stores (empty: the -t names)
 */
public record OutputSpec(
    Type type, Optional<Path> dest, boolean tar, List<String> names, boolean push) {
  /** The kinds of output. */
  public enum Type {
    OCI,
    DOCKER,
    LOCAL,
    TAR,
    REGISTRY,
    IMAGE
  }

  public OutputSpec {
    names = List.copyOf(names);
  }

  /** Whether this output writes to standard output. */
  public boolean toStdout() {
    return dest.isPresent() && dest.get().toString().equals("-");
  }

  // buildx keys that do not change what slimbuild writes: its layouts are always OCI media types,
  // compression comes from --compression, and a registry push always stores nothing locally
  private static final Set<String> ACCEPTED =
      Set.of(
          "oci-mediatypes",
          "compression",
          "compression-level",
          "force-compression",
          "name-canonical",
          "unpack",
          "store",
          "buildinfo",
          "buildinfo-attrs",
          "platform-split");

  /** Parses one {@code --output}; errors name the exact input. */
  public static OutputSpec parse(String value) {
    if (value.isBlank()) {
      throw new SlimbuildException("invalid --output '': expected type=...,dest=... or a path");
    }
    if (!value.contains("=")) {
      return value.equals("-")
          ? new OutputSpec(Type.TAR, Optional.of(Path.of("-")), true, List.of(), false)
          : new OutputSpec(Type.LOCAL, Optional.of(Path.of(value)), false, List.of(), false);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    List<String> fields;
    try {
      fields = Csv.fields(value);
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException("invalid --output '" + value + "': " + e.getMessage());
    }
    for (String field : fields) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new SlimbuildException(
            "invalid --output '" + value + "': '" + field + "' is not KEY=VALUE");
      }
      kv.put(
          field.substring(0, eq).trim().toLowerCase(Locale.ROOT), field.substring(eq + 1).trim());
    }
    String typeName = kv.remove("type");
    if (typeName == null) {
      throw new SlimbuildException(
          "invalid --output '"
              + value
              + "': type= is required"
              + " (oci, docker, local, tar, registry or image)");
    }
    Type type;
    try {
      type = Type.valueOf(typeName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException(
          "invalid --output '"
              + value
              + "': unknown type '"
              + typeName
              + "' (oci, docker, local, tar, registry or image)");
    }
    String dest = kv.remove("dest");
    Boolean tar = bool(value, "tar", kv.remove("tar"));
    Boolean push = bool(value, "push", kv.remove("push"));
    String name = kv.remove("name");
    for (String k : kv.keySet()) {
      if (!ACCEPTED.contains(k) && !k.startsWith("annotation")) {
        throw new SlimbuildException(
            "invalid --output '" + value + "': unknown key '" + k + "' for type=" + typeName);
      }
    }
    if (kv.containsKey("oci-mediatypes") && "false".equals(kv.get("oci-mediatypes"))) {
      throw new SlimbuildException(
          "invalid --output '"
              + value
              + "': oci-mediatypes=false:"
              + " slimbuild writes OCI media types only");
    }
    List<String> names = new ArrayList<>();
    if (name != null) {
      for (String n : name.split(",")) {
        if (!n.isBlank()) {
          names.add(n.trim());
        }
      }
    }
    switch (type) {
      case OCI, DOCKER, LOCAL, TAR -> {
        if (dest == null || dest.isEmpty()) {
          throw new SlimbuildException(
              "invalid --output '"
                  + value
                  + "': type="
                  + typeName
                  + " needs dest="
                  + (type == Type.LOCAL ? "DIR" : "FILE (or - for standard output)"));
        }
        if (push != null || name != null) {
          throw new SlimbuildException(
              "invalid --output '"
                  + value
                  + "': name= and push= are"
                  + " for type=image and type=registry");
        }
        if (tar != null && type != Type.OCI) {
          throw new SlimbuildException("invalid --output '" + value + "': tar= is for type=oci");
        }
        boolean asTar = type != Type.LOCAL && (tar == null || tar);
        if (type == Type.LOCAL && dest.equals("-")) {
          throw new SlimbuildException(
              "invalid --output '"
                  + value
                  + "': type=local writes a"
                  + " directory; use type=tar,dest=- for standard output");
        }
        if (!asTar && dest.equals("-")) {
          throw new SlimbuildException(
              "invalid --output '"
                  + value
                  + "': tar=false writes a"
                  + " directory, not standard output");
        }
        return new OutputSpec(type, Optional.of(Path.of(dest)), asTar, names, false);
      }
      default -> {
        if (dest != null || tar != null) {
          throw new SlimbuildException(
              "invalid --output '"
                  + value
                  + "': type="
                  + typeName
                  + " takes name= and push=, not dest= or tar=");
        }
        boolean p = type == Type.REGISTRY ? push == null || push : push != null && push;
        return new OutputSpec(Type.IMAGE, Optional.empty(), false, names, p);
      }
    }
  }

  private static Boolean bool(String value, String key, String v) {
    if (v == null) {
      return null;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "" -> true;
      case "false", "0" -> false;
      default ->
          throw new SlimbuildException(
              "invalid --output '" + value + "': " + key + "=" + v + " (expected true or false)");
    };
  }
}
