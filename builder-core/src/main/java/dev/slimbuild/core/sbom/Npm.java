package dev.slimbuild.core.sbom;

import dev.slimbuild.core.layer.LayerPaths;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonBoolean;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * npm packages: each installed package's {@code node_modules/NAME/package.json} (and {@code
 * node_modules/@SCOPE/NAME/package.json}), and the lock files ({@code package-lock.json}, npm 7's
 * hidden {@code node_modules/.package-lock.json}) for what they say is installed. A lock entry and
 * the installed package.json it describes are one package; a lock entry marked {@code dev} is not
 * reported unless its package is installed.
 */
final class Npm {
  private static final Pattern PACKAGE_JSON =
      Pattern.compile("(.*/)?node_modules/(@[^/]+/)?[^/@][^/]*/package\\.json");
  private static final Pattern LOCK =
      Pattern.compile("(.*/)?(package-lock\\.json|node_modules/\\.package-lock\\.json)");

  /** A package a lock file lists, with the path of the package.json it installs. */
  record LockEntry(String installedAt, SbomPackage pkg) {}

  private Npm() {}

  static boolean isPackageJson(String path) {
    return PACKAGE_JSON.matcher(path).matches();
  }

  static boolean isLock(String path) {
    if (!LOCK.matcher(path).matches()) {
      return false;
    }
    // a lock file a published package happens to ship describes its own development, not this
    // image: only the hidden lock file may sit below node_modules
    String dir = LayerPaths.parent(path);
    return path.endsWith("node_modules/.package-lock.json")
        ? !LayerPaths.parent(dir).contains("node_modules")
        : !dir.contains("node_modules");
  }

  /** The package an installed package.json describes, or null without a name and version. */
  static SbomPackage fromPackageJson(byte[] bytes, String location, int layer) {
    if (!(Json.parse(bytes) instanceof JsonObject o)) {
      return null;
    }
    String name = string(o, "name");
    String version = string(o, "version");
    if (name == null || version == null) {
      return null;
    }
    return pkg(name, version, license(o), location, layer);
  }

  /** The packages a lock file lists (lockfileVersion 1, 2 or 3). */
  static List<LockEntry> fromLock(byte[] bytes, String location, int layer) {
    List<LockEntry> out = new ArrayList<>();
    if (!(Json.parse(bytes) instanceof JsonObject o)) {
      return out;
    }
    String dir = LayerPaths.parent(location);
    if (location.endsWith("node_modules/.package-lock.json")) {
      dir = LayerPaths.parent(dir);
    }
    if (o.get("packages").orElse(null) instanceof JsonObject packages) {
      for (Map.Entry<String, JsonValue> e : packages.members().entrySet()) {
        String key = e.getKey();
        int at = key.lastIndexOf("node_modules/");
        if (at < 0
            || !(e.getValue() instanceof JsonObject p)
            || flag(p, "link")
            || flag(p, "dev")
            || flag(p, "extraneous")) {
          continue;
        }
        String name = string(p, "name");
        if (name == null) {
          name = key.substring(at + "node_modules/".length());
        }
        String version = string(p, "version");
        SbomPackage pkg = version == null ? null : pkg(name, version, license(p), location, layer);
        if (pkg != null) {
          out.add(new LockEntry(LayerPaths.join(dir, key + "/package.json"), pkg));
        }
      }
    } else if (o.get("dependencies").orElse(null) instanceof JsonObject deps) {
      v1(deps, dir, location, layer, out);
    }
    return out;
  }

  /** lockfileVersion 1: a tree of {@code dependencies}, each nested in its parent's folder. */
  private static void v1(
      JsonObject deps, String dir, String location, int layer, List<LockEntry> out) {
    for (Map.Entry<String, JsonValue> e : deps.members().entrySet()) {
      if (!(e.getValue() instanceof JsonObject p) || flag(p, "dev")) {
        continue;
      }
      String at = LayerPaths.join(dir, "node_modules/" + e.getKey());
      String version = string(p, "version");
      SbomPackage pkg =
          version == null || version.contains(":") // file:, git+https: ...
              ? null
              : pkg(e.getKey(), version, null, location, layer);
      if (pkg != null) {
        out.add(new LockEntry(at + "/package.json", pkg));
      }
      if (p.get("dependencies").orElse(null) instanceof JsonObject nested) {
        v1(nested, at, location, layer, out);
      }
    }
  }

  private static SbomPackage pkg(
      String name, String version, String license, String location, int layer) {
    String purl = Purls.npm(name, version);
    return purl == null
        ? null
        : new SbomPackage("npm", name, version, purl, license, location, layer);
  }

  /** {@code license} as a string or {@code {type}}, or the old {@code licenses} array (OR). */
  private static String license(JsonObject o) {
    JsonValue l = o.get("license").orElse(null);
    if (l instanceof JsonString s) {
      return s.value().isBlank() ? null : s.value();
    }
    if (l instanceof JsonObject lo) {
      return string(lo, "type");
    }
    if (o.get("licenses").orElse(null) instanceof JsonArray a) {
      List<String> types = new ArrayList<>();
      for (JsonValue v : a.values()) {
        String t =
            v instanceof JsonObject vo
                ? string(vo, "type")
                : v instanceof JsonString vs ? vs.value() : null;
        if (t != null) {
          types.add(t);
        }
      }
      return types.isEmpty()
          ? null
          : types.size() == 1 ? types.get(0) : "(" + String.join(" OR ", types) + ")";
    }
    return null;
  }

  private static String string(JsonObject o, String key) {
    return o.get(key).orElse(null) instanceof JsonString s && !s.value().isBlank()
        ? s.value()
        : null;
  }

  private static boolean flag(JsonObject o, String key) {
    return o.get(key).orElse(null) instanceof JsonBoolean b && b.value();
  }
}
