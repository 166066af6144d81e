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
import java.util.Optional;

/**
 * The OCI 1.1 referrers of a manifest. A registry with the referrers API lists a manifest that
 * names a {@code subject} by itself, and answers {@code GET /v2/NAME/referrers/DIGEST}; for the
 * others (distribution 2.8 among them) the distribution spec's fallback is an index tagged {@code
 * sha256-HEX} listing the subject's referrers, which clients read when the API answers 404. Reading
 * asks the API first, then the tag; writing keeps the tag only where the API is missing, as the
 * spec asks.
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
    if (registry.referrers(repository, subject).isPresent()) {
      return; // the registry lists the referrer (pushed with its subject) by itself
    }
    List<Descriptor> listed = new ArrayList<>(fallback(registry, repository, subject));
    for (Descriptor d : listed) {
      if (d.digest().equals(referrer.digest())) {
        return;
      }
    }
    listed.add(referrer);
    Index idx = new Index(2, MediaType.OCI_INDEX, null, listed, null, Map.of());
    registry.putManifest(
        repository, fallbackTag(subject), RawJson.of(idx).bytes(), MediaType.OCI_INDEX);
  }

  /**
   * The referrers of {@code subject}: the registry's referrers API's list where it has one, and
   * those its fallback tag lists (a tag another client wrote before the registry had the API).
   */
  public static List<Descriptor> list(Registry registry, String repository, Digest subject)
      throws IOException {
    Optional<RawManifest> api = registry.referrers(repository, subject);
    if (api.isEmpty()) {
      return fallback(registry, repository, subject);
    }
    List<Descriptor> out =
        new ArrayList<>(parse(registry, repository, subject, api.get(), "referrers API answer"));
    for (Descriptor d : fallback(registry, repository, subject)) {
      if (out.stream().noneMatch(o -> o.digest().equals(d.digest()))) {
        out.add(d);
      }
    }
    return out;
  }

  /** The referrers {@code subject}'s fallback tag lists (empty without one). */
  static List<Descriptor> fallback(Registry registry, String repository, Digest subject)
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
    return parse(registry, repository, subject, raw, fallbackTag(subject));
  }

  private static List<Descriptor> parse(
      Registry registry, String repository, Digest subject, RawManifest raw, String what)
      throws IOException {
    try {
      return Index.parse(raw.bytes()).manifests();
    } catch (OciFormatException | IllegalArgumentException e) {
      throw new IOException(
          registry.host()
              + "/"
              + repository
              + " ("
              + what
              + " of "
              + subject
              + ") is not a referrers index: "
              + e.getMessage(),
          e);
    }
  }
}
