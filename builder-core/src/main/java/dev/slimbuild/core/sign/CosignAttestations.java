package dev.slimbuild.core.sign;

import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import dev.slimbuild.signing.Dsse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Attestations signed as cosign's {@code attest} writes them: each in-toto statement wrapped in a
 * DSSE envelope signed with the key (ECDSA over the envelope's pre-authentication encoding), the
 * envelopes the layers of the manifest tagged {@code sha256-HEX.att} for the image they are about,
 * so that {@code cosign verify-attestation --key --type spdxjson|slsaprovenance1} finds and checks
 * them.
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
  public static int sign(
      Registry registry,
      String repository,
      BlobStore blobs,
      AttestationManifest attestation,
      PrivateKey key)
      throws IOException {
    List<Descriptor> layers = new ArrayList<>();
    for (Descriptor statement : attestation.manifest().value().layers()) {
      byte[] payload;
      try (InputStream in = blobs.open(statement.digest())) {
        payload = in.readAllBytes();
      }
      byte[] envelope = envelope(payload, key);
      Descriptor layer =
          Descriptor.of(DSSE, Digest.sha256Of(envelope), envelope.length)
              .withAnnotations(
                  Map.of(
                      CosignSignatures.SIGNATURE_ANNOTATION,
                      "",
                      "predicateType",
                      statement
                          .annotations()
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
    JsonObject env =
        JsonObject.builder()
            .put("payloadType", Dsse.IN_TOTO)
            .put("payload", Base64.getEncoder().encodeToString(payload))
            .put(
                "signatures",
                new JsonArray(
                    List.of(
                        JsonObject.builder()
                            .put("keyid", "")
                            .put("sig", Dsse.sign(key, Dsse.IN_TOTO, payload))
                            .build())))
            .build();
    return Json.write(env);
  }

  /** One signed attestation as {@link #verify} found it. */
  public record Checked(String predicateType, boolean ok, String reason) {}

  /**
   * The signed attestations of {@code subject} in {@code repository} (its {@code .att} tag; empty
   * without one), each checked: a signature by {@code key} over the envelope, an in-toto payload,
   * and a subject with exactly this digest (cosign's rule).
   */
  public static List<Checked> verify(
      Registry registry, String repository, Digest subject, PublicKey key) throws IOException {
    RawManifest raw;
    try {
      raw = registry.getManifest(repository, tag(subject));
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return List.of();
      }
      throw e;
    }
    List<Checked> out = new ArrayList<>();
    for (Descriptor layer : Manifest.parse(raw.bytes()).layers()) {
      String type = layer.annotations().getOrDefault("predicateType", "");
      if (layer.size() > CosignSignatures.MAX_PAYLOAD) {
        out.add(new Checked(type, false, "envelope " + layer.digest() + " is too large"));
        continue;
      }
      byte[] bytes;
      try (InputStream in = registry.getBlob(repository, layer.digest())) {
        bytes = in.readNBytes((int) layer.size() + 1);
      }
      if (!Digest.sha256Of(bytes).equals(layer.digest())) {
        out.add(new Checked(type, false, "envelope " + layer.digest() + " does not match it"));
        continue;
      }
      out.add(check(bytes, type, subject, key));
    }
    return out;
  }

  private static Checked check(byte[] envelope, String type, Digest subject, PublicKey key) {
    try {
      JsonObject env = (JsonObject) Json.parse(envelope);
      String payloadType = text(env, "payloadType");
      byte[] payload = Base64.getDecoder().decode(text(env, "payload"));
      boolean signed = false;
      JsonValue sigs = env.get("signatures").orElse(new JsonArray(List.of()));
      if (sigs instanceof JsonArray a) {
        for (JsonValue v : a.values()) {
          if (v instanceof JsonObject o && Dsse.verify(key, payloadType, payload, text(o, "sig"))) {
            signed = true;
          }
        }
      }
      if (!signed) {
        return new Checked(type, false, "no signature by this key");
      }
      if (!Dsse.IN_TOTO.equals(payloadType)) {
        return new Checked(type, false, "payload type " + payloadType + ", not in-toto");
      }
      JsonObject statement = (JsonObject) Json.parse(payload);
      boolean about = false;
      JsonValue subjects = statement.get("subject").orElse(new JsonArray(List.of()));
      if (subjects instanceof JsonArray a) {
        for (JsonValue v : a.values()) {
          if (v instanceof JsonObject o
              && o.get("digest").orElse(null) instanceof JsonObject d
              && d.get(subject.algorithm()).orElse(null) instanceof JsonString h
              && h.value().equals(subject.hex())) {
            about = true;
          }
        }
      }
      return about
          ? new Checked(type, true, "signature verified")
          : new Checked(type, false, "its subject is not " + subject);
    } catch (RuntimeException e) {
      return new Checked(type, false, "not a DSSE envelope: " + e.getMessage());
    }
  }

  private static String text(JsonObject o, String key) {
    return o.get(key).orElse(null) instanceof JsonString s ? s.value() : "";
  }
}
