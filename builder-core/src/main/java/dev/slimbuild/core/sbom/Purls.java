package dev.slimbuild.core.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Package URLs (the purl spec), built and encoded by packageurl-java. */
final class Purls {
  private Purls() {}

  /**
   * The canonical purl, or null when the parts do not make one (a name the spec refuses): the
   * package is then left out rather than described wrongly.
   */
  static String of(
      String type, String namespace, String name, String version, Map<String, String> qualifiers) {
    TreeMap<String, String> q = new TreeMap<>();
    qualifiers.forEach(
        (k, v) -> {
          if (v != null && !v.isEmpty()) {
            q.put(k, v);
          }
        });
    try {
      return new PackageURL(type, namespace, name, version, q.isEmpty() ? null : q, null)
          .canonicalize();
    } catch (MalformedPackageURLException | RuntimeException e) {
      return null;
    }
  }

  /** A Go module's purl: the path's last element is the name, the rest the namespace. */
  static String golang(String module, String version) {
    int slash = module.lastIndexOf('/');
    return of(
        "golang",
        slash < 0 ? null : module.substring(0, slash),
        module.substring(slash + 1),
        version,
        Map.of());
  }

  /** An npm package's purl; {@code @scope/name} puts the scope in the namespace. */
  static String npm(String name, String version) {
    int slash = name.indexOf('/');
    if (name.startsWith("@") && slash > 0) {
      return of("npm", name.substring(0, slash), name.substring(slash + 1), version, Map.of());
    }
    return of("npm", null, name, version, Map.of());
  }

  /** A Python package's purl: the name lower-cased, '_' and '.' runs as '-' (PEP 503). */
  static String pypi(String name, String version) {
    return of("pypi", null, pypiName(name), version, Map.of());
  }

  static String pypiName(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }
}
