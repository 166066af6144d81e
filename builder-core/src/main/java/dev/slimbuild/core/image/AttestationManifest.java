package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.oci.RawJson;
import java.util.Map;

/**
 * The attestations of one platform's image, stored as BuildKit stores them: an image manifest whose
 * layers are in-toto statements, listed in the index with platform {@code unknown/unknown} and the
 * annotations {@code vnd.docker.reference.type=attestation-manifest} and {@code
 * vnd.docker.reference.digest=IMAGE}. The manifest also names the image as its OCI 1.1 {@code
 * subject}, with an {@code artifactType}, so that it is that image's referrer too.
 */
public record AttestationManifest(RawJson<Manifest> manifest, Digest subject) {
  /** BuildKit's annotation naming what an index entry is. */
  public static final String REFERENCE_TYPE = "vnd.docker.reference.type";

  /** BuildKit's annotation naming the image an attestation manifest is about. */
  public static final String REFERENCE_DIGEST = "vnd.docker.reference.digest";

  /** The value of {@link #REFERENCE_TYPE} for attestation manifests. */
  public static final String ATTESTATION_MANIFEST = "attestation-manifest";

  /** The artifact type the manifest carries as a referrer (BuildKit's attestation type). */
  public static final String ARTIFACT_TYPE = "application/vnd.docker.attestation.manifest.v1+json";

  /** The media type of an in-toto statement layer. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";

  /** The layer annotation naming a statement's predicate type. */
  public static final String PREDICATE_TYPE = "in-toto.io/predicate-type";

  /** The platform of attestation entries in an index. */
  public static final Platform UNKNOWN = Platform.of("unknown", "unknown", null);

  /** The entry listing this manifest in an index. */
  Descriptor indexEntry() {
    return manifest
        .descriptor(manifest.value().descriptorMediaType())
        .withPlatform(UNKNOWN)
        .withAnnotations(
            Map.of(REFERENCE_TYPE, ATTESTATION_MANIFEST, REFERENCE_DIGEST, subject.toString()));
  }

  /** The entry listing this manifest among the referrers of {@link #subject}. */
  public Descriptor referrerEntry() {
    Descriptor d = manifest.descriptor(manifest.value().descriptorMediaType());
    return new Descriptor(
        d.mediaType(), d.digest(), d.size(), d.urls(), d.annotations(), null, null, ARTIFACT_TYPE);
  }
}
