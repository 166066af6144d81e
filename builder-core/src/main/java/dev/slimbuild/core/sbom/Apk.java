package dev.slimbuild.core.sbom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alpine packages from apk's database {@code lib/apk/db/installed} ({@code P:} name, {@code V:}
 * version, {@code A:} architecture, {@code L:} license, {@code o:} origin). The purl is syft's:
 * {@code pkg:apk/alpine/NAME@VERSION?arch=ARCH&distro=alpine-VERSION_ID}, with {@code
 * upstream=ORIGIN} when the origin package has another name.
 */
final class Apk {
  static final String INSTALLED = "lib/apk/db/installed";

  private Apk() {}

  static List<SbomPackage> parse(String text, String location, int layer, OsRelease os) {
    List<SbomPackage> out = new ArrayList<>();
    for (Map<String, String> p : Stanzas.apk(text)) {
      String name = p.get("P");
      String version = p.get("V");
      if (name == null || version == null) {
        continue;
      }
      String origin = p.get("o");
      Map<String, String> q = new LinkedHashMap<>();
      q.put("arch", p.get("A"));
      q.put("distro", os.distroQualifier());
      q.put("upstream", origin == null || origin.equals(name) ? null : origin);
      String purl = Purls.of("apk", os.id() == null ? "alpine" : os.id(), name, version, q);
      if (purl != null) {
        out.add(new SbomPackage("apk", name, version, purl, p.get("L"), location, layer));
      }
    }
    return out;
  }
}
