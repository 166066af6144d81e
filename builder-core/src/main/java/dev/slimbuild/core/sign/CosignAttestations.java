package dev.slimbuild.core.sign;

import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.json.Json;
import dev.slimbuild.core.json.JsonArray;
import dev.slimbuild.core.json.JsonObject;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.signing.Dsse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Attestations signed as cosign's {@code attest} writes them: each in-toto statement wrapped in a
 * DSSE envelope signed with the key (ECDSA over the envelope's pre-authentication encoding), the
 * envelopes the layers of the manifest tagged {@code sha256-HEX.att} for the image they are
 * about, so that {@code cosign verify-attestation --key --type spdxjson|slsaprovenance1} finds
 * and checks them.
 */
public final class CosignAttestations {
  /** The media type of a DSSE envelope layer. */
  public static final String DSSE = "application/vnd.dsse.envelope.v1+json";

  private CosignAttestations() {}

  /** The tag of the signed attestations of {@code image}: {@code sha256-HEX.att}. */
  public static String tag(Digest image) {
    return image.algorithm() + "-" + image.hex() + ".att";
  }

  /**
   * Signs every statement of {@code attestation} (read from {@code blobs}) and writes them as the
   * {@code .att} manifest of its subject in {@code repository}; returns how many it signed.
   */
  public static int sign(Registry registry, String repository, BlobStore blobs,
      AttestationManifest attestation, PrivateKey key) throws IOException {
    List<Descriptor> layers = new ArrayList<>();
    for (Descriptor statement : attestation.manifest().value().layers()) {
      byte[] payload;
      try (InputStream in = blobs.open(statement.digest())) {
        payload = in.readAllBytes();
      }
      byte[] envelope = envelope(payload, key);
      Descriptor layer = Descriptor.of(DSSE, Digest.sha256Of(envelope), envelope.length)
          .withAnnotations(Map.of(CosignSignatures.SIGNATURE_ANNOTATION, "",
              "predicateType", statement.annotations()
                  .getOrDefault(AttestationManifest.PREDICATE_TYPE, "")));
      registry.pushBlob(repository, layer, () -> new ByteArrayInputStream(envelope), List.of());
      layers.add(layer);
    }
    byte[] config = CosignSignatures.config(layers);
    Descriptor configDesc =
        Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(config), config.length);
    registry.pushBlob(repository, configDesc, () -> new ByteArrayInputStream(config), List.of());
    byte[] manifest = Json.write(Manifest.oci(configDesc, layers).toJson());
    registry.putManifest(repository, tag(attestation.subject()), manifest, MediaType.OCI_MANIFEST);
    return layers.size();
  }

  /**
   * A DSSE envelope of {@code payload} (an in-toto statement) signed with {@code key},
   * deterministically: the same key and statement give the same bytes.
   */
  public static byte[] envelope(byte[] payload, PrivateKey key) {
    JsonObject env = JsonObject.builder()
        .put("payloadType", Dsse.IN_TOTO)
        .put("payload", Base64.getEncoder().encodeToString(payload))
        .put("signatures", new JsonArray(List.of(
            JsonObject.builder().put("keyid", "").put("sig", Dsse.sign(key, Dsse.IN_TOTO, payload))
                .build())))
        .build();
    return Json.write(env);
  }
}
