package dev.slimbuild.core.sign;

import dev.slimbuild.core.json.Json;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OCI 1.1 referrers of a manifest through the distribution spec's fallback for registries
 * without the referrers API (distribution 2.8 among them): an index tagged {@code sha256-HEX}
 * listing the manifests whose {@code subject} is {@code sha256:HEX}. Clients (cosign, oras) read
 * it when {@code /v2/REPO/referrers/DIGEST} answers 404; a registry with the API lists a manifest
 * with a {@code subject} by itself, so keeping the tag up to date there is merely redundant.
 * Updating it is read-modify-write, as the spec describes: two writers at the same moment can lose
 * one entry.
 */
final class ReferrerIndex {
  private ReferrerIndex() {}

  /** The fallback tag of {@code subject}'s referrers: {@code sha256-HEX}. */
  static String tag(Digest subject) {
    return subject.algorithm() + "-" + subject.hex();
  }

  /** The referrers the fallback tag of {@code subject} lists; empty without the tag. */
  static List<Descriptor> list(Registry registry, String repository, Digest subject)
      throws IOException {
    RawManifest raw;
    try {
      raw = registry.getManifest(repository, tag(subject));
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return List.of();
      }
      throw e;
    }
    String where = registry.host() + "/" + repository + ":" + tag(subject);
    if (!MediaType.isIndex(raw.mediaType())) {
      throw new CosignSignatures.SignatureFormatException(
          where + " is a " + raw.mediaType() + ", not a referrers index");
    }
    try {
      return Index.parse(raw.bytes()).manifests();
    } catch (OciFormatException e) {
      throw new CosignSignatures.SignatureFormatException(
          where + " is not a valid referrers index: " + e.getMessage());
    }
  }

  /**
   * Lists {@code referrer} (with its artifactType and annotations, as the spec asks) in the fallback
   * index of {@code subject}, after the referrers it holds already; nothing if it is there.
   */
  static void add(Registry registry, String repository, Digest subject, Descriptor referrer)
      throws IOException {
    List<Descriptor> listed = new ArrayList<>(list(registry, repository, subject));
    if (listed.stream().anyMatch(d -> d.digest().equals(referrer.digest()))) {
      return;
    }
    listed.add(referrer);
    Index index = new Index(2, MediaType.OCI_INDEX, null, listed, null, Map.of());
    registry.putManifest(repository, tag(subject), Json.write(index.toJson()),
        MediaType.OCI_INDEX);
  }
}
