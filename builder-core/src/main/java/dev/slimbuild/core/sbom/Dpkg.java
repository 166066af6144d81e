package dev.slimbuild.core.sbom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian packages from dpkg's database: {@code var/lib/dpkg/status}, and the one-file-per-package
 * {@code var/lib/dpkg/status.d/NAME} of distroless images. Only packages whose status says {@code
 * installed} count (not config-files left behind by a removal). The purl is syft's: {@code
 * pkg:deb/DISTRO/NAME@VERSION?arch=ARCH&distro=ID-VERSION_ID}, with {@code upstream=SOURCE} when
 * the source package has another name or version.
 */
final class Dpkg {
  static final String STATUS = "var/lib/dpkg/status";
  static final String STATUS_D = "var/lib/dpkg/status.d";

  private Dpkg() {}

  /** Whether the path is one of dpkg's database files. */
  static boolean isDatabase(String path) {
    if (path.equals(STATUS)) {
      return true;
    }
    return path.startsWith(STATUS_D + "/")
        && path.indexOf('/', STATUS_D.length() + 1) < 0
        && !path.endsWith(".md5sums");
  }

  static List<SbomPackage> parse(String text, String location, int layer, OsRelease os) {
    List<SbomPackage> out = new ArrayList<>();
    for (Map<String, String> p : Stanzas.control(text)) {
      String name = p.get("package");
      String version = p.get("version");
      String status = p.get("status");
      if (name == null || version == null || (status != null && !status.endsWith(" installed"))) {
        continue;
      }
      String arch = p.get("architecture");
      Map<String, String> q = new LinkedHashMap<>();
      q.put("arch", arch);
      q.put("distro", os.distroQualifier());
      q.put("upstream", upstream(p.get("source"), name, version));
      String purl = Purls.of("deb", os.id() == null ? "debian" : os.id(), name, version, q);
      if (purl != null) {
        out.add(new SbomPackage("deb", name, version, purl, null, location, layer));
      }
    }
    return out;
  }

  /** {@code Source: NAME (VERSION)} as syft puts it in the purl: NAME, or NAME@VERSION. */
  private static String upstream(String source, String name, String version) {
    if (source == null || source.isBlank()) {
      return null;
    }
    String s = source.strip();
    String srcName = s;
    String srcVersion = null;
    int paren = s.indexOf(" (");
    if (paren > 0 && s.endsWith(")")) {
      srcName = s.substring(0, paren);
      srcVersion = s.substring(paren + 2, s.length() - 1).strip();
    }
    if (srcVersion != null && !srcVersion.equals(version)) {
      return srcName + "@" + srcVersion;
    }
    return srcName.equals(name) ? null : srcName;
  }
}
