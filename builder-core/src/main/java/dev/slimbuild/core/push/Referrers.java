package dev.slimbuild.core.push;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.oci.RawJson;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OCI 1.1 referrers of a manifest. A registry with the referrers API lists a manifest that
 * names a {@code subject} by itself; for the others (distribution 2.8 among them) the
 * distribution spec's fallback is an index tagged {@code sha256-HEX} listing the subject's
 * referrers, which clients read when the API answers 404. slimbuild always keeps that tag up to
 * date: harmless where the API exists, and the only way where it does not.
 */
public final class Referrers {
  private Referrers() {}

  /** The fallback tag of {@code subject}'s referrers: {@code sha256-HEX}. */
  public static String fallbackTag(Digest subject) {
    return subject.algorithm() + "-" + subject.hex();
  }

  /** Adds {@code referrer} to {@code subject}'s fallback index, unless it is listed already. */
  public static void add(Registry registry, String repository, Digest subject, Descriptor referrer)
      throws IOException {
    List<Descriptor> listed = new ArrayList<>(list(registry, repository, subject));
    for (Descriptor d : listed) {
      if (d.digest().equals(referrer.digest())) {
        return;
      }
    }
    listed.add(referrer);
    Index idx = new Index(2, MediaType.OCI_INDEX, null, listed, null, Map.of());
    registry.putManifest(repository, fallbackTag(subject), RawJson.of(idx).bytes(),
        MediaType.OCI_INDEX);
  }

  /** The referrers {@code subject}'s fallback tag lists (empty without one). */
  public static List<Descriptor> list(Registry registry, String repository, Digest subject)
      throws IOException {
    RawManifest raw;
    try {
      raw = registry.getManifest(repository, fallbackTag(subject));
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return List.of();
      }
      throw e;
    }
    try {
      return Index.parse(raw.bytes()).manifests();
    } catch (OciFormatException | IllegalArgumentException e) {
      throw new IOException(registry.host() + "/" + repository + ":" + fallbackTag(subject)
          + " is not a referrers index: " + e.getMessage(), e);
    }
  }
}
