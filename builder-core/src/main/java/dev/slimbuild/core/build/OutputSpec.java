package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code --output} as buildx spells it: {@code type=oci,dest=DIR} (an OCI image layout) or
 * {@code type=docker,dest=FILE.tar} (a docker-archive).
 */
public record OutputSpec(Type type, Path dest) {
  /** The kinds of output. */
  public enum Type {
    OCI,
    DOCKER
  }

  /** Parses {@code type=oci,dest=DIR}; errors name the exact input. */
  public static OutputSpec parse(String value) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new SlimbuildException(
            "invalid --output '" + value + "': expected type=oci|docker,dest=PATH");
      }
      fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    String type = fields.remove("type");
    String dest = fields.remove("dest");
    if (type == null || dest == null || dest.isEmpty()) {
      throw new SlimbuildException(
          "invalid --output '" + value + "': both type= and dest= are required");
    }
    if (!fields.isEmpty()) {
      throw new SlimbuildException(
          "invalid --output '" + value + "': unknown field(s) " + fields.keySet());
    }
    Type t =
        switch (type) {
          case "oci" -> Type.OCI;
          case "docker" -> Type.DOCKER;
          default -> throw new SlimbuildException(
              "invalid --output '" + value + "': type must be oci or docker, not '" + type + "'");
        };
    return new OutputSpec(t, Path.of(dest));
  }
}
