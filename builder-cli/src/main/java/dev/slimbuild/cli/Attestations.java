package dev.slimbuild.cli;

import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the attestations an index carries as BuildKit stores them (ours or buildx's), for {@code
 * inspect --sbom|--provenance}: the predicates of the wanted types, by the platform of the image
 * each is about.
 */
final class Attestations {
  /** SBOM predicate types: SPDX and CycloneDX. */
  static final Set<String> SBOM = Set.of("https://spdx.dev/Document", "https://cyclonedx.org/bom");

  /** Provenance predicate types: SLSA v1 and v0.2 (older buildx). */
  static final Set<String> PROVENANCE =
      Set.of("https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2");

  private Attestations() {}

  /** {@code {"linux/amd64": PREDICATE, ...}}; empty when the image carries none of the types. */
  static JsonObject predicates(ImageSource source, Set<String> types) throws IOException {
    Descriptor top = source.top();
    JsonObject.Builder out = JsonObject.builder();
    if (!MediaType.isIndex(top.mediaType())) {
      return out.build();
    }
    List<Descriptor> entries = Index.parse(source.read(top)).manifests();
    Map<String, String> platformOf = new HashMap<>();
    for (Descriptor d : entries) {
      platformOf.put(
          d.digest().toString(), d.platform() == null ? "unknown" : d.platform().toString());
    }
    for (Descriptor d : entries) {
      if (!AttestationManifest.ATTESTATION_MANIFEST.equals(
          d.annotations().get(AttestationManifest.REFERENCE_TYPE))) {
        continue;
      }
      String platform =
          platformOf.getOrDefault(
              d.annotations().get(AttestationManifest.REFERENCE_DIGEST), "unknown");
      Manifest m = Manifest.parse(source.read(d));
      for (Descriptor layer : m.layers()) {
        String type = layer.annotations().get(AttestationManifest.PREDICATE_TYPE);
        if (type != null && types.contains(type)) {
          JsonValue statement = Json.parse(source.read(layer));
          if (statement instanceof JsonObject o) {
            o.get("predicate").ifPresent(p -> out.put(platform, p));
          }
        }
      }
    }
    return out.build();
  }
}
