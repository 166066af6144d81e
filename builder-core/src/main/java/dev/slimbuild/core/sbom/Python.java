package dev.slimbuild.core.sbom;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Python distributions: the core metadata of each installed one ({@code NAME.dist-info/METADATA},
 * or the older {@code NAME.egg-info/PKG-INFO}, or an {@code .egg-info} file as Debian installs
 * them): e-mail-style headers up to the first blank line.
 */
final class Python {
  private static final Pattern METADATA =
      Pattern.compile("(.*/)?[^/]+\\.dist-info/METADATA|(.*/)?[^/]+\\.egg-info(/PKG-INFO)?");

  private Python() {}

  static boolean isMetadata(String path) {
    return METADATA.matcher(path).matches();
  }

  /** The distribution the metadata describes, or null without Name and Version. */
  static SbomPackage parse(String text, String location, int layer) {
    Map<String, String> h = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (line.isEmpty()) {
        break; // the description body follows
      }
      int colon = line.indexOf(':');
      if (colon > 0 && line.charAt(0) != ' ' && line.charAt(0) != '\t') {
        h.putIfAbsent(
            line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
    }
    String name = h.get("name");
    String version = h.get("version");
    if (name == null || name.isEmpty() || version == null || version.isEmpty()) {
      return null;
    }
    String purl = Purls.pypi(name, version);
    return purl == null
        ? null
        : new SbomPackage("pypi", name, version, purl, license(h), location, layer);
  }

  /** {@code License-Expression} (metadata 2.4), else a one-line {@code License}. */
  private static String license(Map<String, String> h) {
    String expr = h.get("license-expression");
    if (expr != null && !expr.isEmpty()) {
      return expr;
    }
    String l = h.get("license");
    return l == null || l.isEmpty() || l.equalsIgnoreCase("UNKNOWN") || l.length() > 200 ? null : l;
  }
}
