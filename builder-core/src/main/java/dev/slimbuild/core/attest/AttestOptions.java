package dev.slimbuild.core.attest;

import dev.slimbuild.core.Csv;
import dev.slimbuild.core.SlimbuildException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which attestations a build attaches, from buildx's flags: {@code --sbom=true|false|generator=
 * spdx|cyclonedx}, {@code --provenance=true|false|mode=min|max} and {@code --attest
 * type=sbom|provenance[,...][,disabled=true]}. An SBOM and min provenance by default.
 *
 * @param sbom whether each platform gets an SBOM
 * @param cyclonedx CycloneDX 1.6 instead of SPDX 2.3
 * @param provenance whether each platform gets SLSA provenance
 * @param provenanceMax provenance with each step's cache key and layer
 * @param sbomAsked whether a flag turned the SBOM on (not only the default)
 * @param provenanceAsked whether a flag turned provenance on
 */
public record AttestOptions(
    boolean sbom,
    boolean cyclonedx,
    boolean provenance,
    boolean provenanceMax,
    boolean sbomAsked,
    boolean provenanceAsked) {
  /** The default: an SPDX SBOM and min provenance. */
  public static final AttestOptions DEFAULT =
      new AttestOptions(true, false, true, false, false, false);

  /** None at all. */
  public static final AttestOptions NONE =
      new AttestOptions(false, false, false, false, false, false);

  /**
   * What an OCI layout carries: only what a flag turned on, so that by default a layout of one
   * platform stays one manifest (umoci and skopeo 1.9 refuse an index of it and attestations).
   */
  public AttestOptions forLayouts() {
    return new AttestOptions(
        sbom && sbomAsked,
        cyclonedx,
        provenance && provenanceAsked,
        provenanceMax,
        sbomAsked,
        provenanceAsked);
  }

  /** Whether anything is attached. */
  public boolean any() {
    return sbom || provenance;
  }

  /** Parses the flags, in order (a later one wins); errors name the exact value. */
  public static AttestOptions parse(
      List<String> sbomFlags, List<String> provenanceFlags, List<String> attests) {
    boolean sbomAsked = false;
    boolean provAsked = false;
    boolean sbom = DEFAULT.sbom;
    boolean cyclonedx = DEFAULT.cyclonedx;
    boolean prov = DEFAULT.provenance;
    boolean max = DEFAULT.provenanceMax;
    for (String v : sbomFlags) {
      Map<String, String> kv = fields("--sbom", v);
      sbom = enabled("--sbom", v, kv);
      sbomAsked = sbom;
      cyclonedx = generator("--sbom", v, kv, cyclonedx);
      only("--sbom", v, kv, "generator", "scan-context", "scan-stage");
    }
    for (String v : provenanceFlags) {
      Map<String, String> kv = fields("--provenance", v);
      prov = enabled("--provenance", v, kv);
      provAsked = prov;
      max = mode("--provenance", v, kv, max);
      only("--provenance", v, kv, "mode", "builder-id", "version", "inline-only", "reproducible");
    }
    for (String v : attests) {
      Map<String, String> kv = fields("--attest", v);
      String type = kv.remove("type");
      boolean on = !"true".equalsIgnoreCase(kv.remove("disabled"));
      if ("sbom".equals(type)) {
        sbom = on;
        sbomAsked = on;
        cyclonedx = generator("--attest", v, kv, cyclonedx);
        only("--attest", v, kv, "generator", "scan-context", "scan-stage");
      } else if ("provenance".equals(type)) {
        prov = on;
        provAsked = on;
        max = mode("--attest", v, kv, max);
        only("--attest", v, kv, "mode", "builder-id", "version", "inline-only", "reproducible");
      } else {
        throw new SlimbuildException(
            "invalid --attest '" + v + "': type must be sbom or provenance");
      }
    }
    return new AttestOptions(sbom, cyclonedx, prov, max, sbomAsked, provAsked);
  }

  private static Map<String, String> fields(String flag, String v) {
    Map<String, String> kv = new LinkedHashMap<>();
    List<String> parts;
    try {
      parts = Csv.fields(v);
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException("invalid " + flag + " '" + v + "': " + e.getMessage());
    }
    for (String p : parts) {
      int eq = p.indexOf('=');
      if (eq < 0) {
        kv.put("enabled", p.trim()); // --sbom=true: a bare value is on or off
      } else {
        kv.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim());
      }
    }
    return kv;
  }

  private static boolean enabled(String flag, String v, Map<String, String> kv) {
    String e = kv.remove("enabled");
    if (e == null || e.equalsIgnoreCase("true") || e.equals("1")) {
      return true;
    }
    if (e.equalsIgnoreCase("false") || e.equals("0")) {
      return false;
    }
    throw new SlimbuildException(
        "invalid " + flag + " '" + v + "': expected true, false or" + " KEY=VALUE");
  }

  private static boolean generator(String flag, String v, Map<String, String> kv, boolean was) {
    String g = kv.remove("generator");
    if (g == null) {
      return was;
    }
    return switch (g.toLowerCase(Locale.ROOT)) {
      case "spdx" -> false;
      case "cyclonedx" -> true;
      default ->
          throw new SlimbuildException(
              "invalid "
                  + flag
                  + " '"
                  + v
                  + "': generator must be spdx or cyclonedx (slimbuild's own readers; images are not"
                  + " run)");
    };
  }

  private static boolean mode(String flag, String v, Map<String, String> kv, boolean was) {
    String m = kv.remove("mode");
    if (m == null) {
      return was;
    }
    return switch (m) {
      case "min" -> false;
      case "max" -> true;
      default ->
          throw new SlimbuildException("invalid " + flag + " '" + v + "': mode must be min or max");
    };
  }

  private static void only(String flag, String v, Map<String, String> kv, String... accepted) {
    for (String k : kv.keySet()) {
      if (!List.of(accepted).contains(k)) {
        throw new SlimbuildException("invalid " + flag + " '" + v + "': unknown key '" + k + "'");
      }
    }
  }
}
