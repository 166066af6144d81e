package dev.slimbuild.core.sign;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import dev.slimbuild.signing.Dsse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A sigstore bundle v0.3 (the protobuf-specs {@code Bundle} in its JSON form) holding a DSSE
 * envelope signed with a key, as cosign writes one for {@code sign --new-bundle-format} and {@code
 * attest --new-bundle-format}: the verification material is only a hint naming the public key
 * (base64 of the SHA-256 of its DER SubjectPublicKeyInfo); there are no transparency-log entries
 * and no timestamps, which a verifier without them must be told to skip ({@code cosign verify
 * --insecure-ignore-tlog=true}).
 *
 * @param payloadType the envelope's payload type
 * @param payload the signed document (an in-toto statement)
 * @param signatures the base64 signatures over the envelope's pre-authentication encoding
 * @param keyHint the public key hint, or null when the material is a certificate
 */
record SigstoreBundle(String payloadType, byte[] payload, List<String> signatures, String keyHint) {
  /** The media type of a v0.3 bundle, in the bundle and as the referrer's layer. */
  static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** The other spelling of the same version that sigstore clients accept. */
  private static final String MEDIA_TYPE_PARAMETER =
      "application/vnd.dev.sigstore.bundle+json;version=0.3";

  /** A bundle of {@code payload} (as {@code payloadType}) signed with {@code key}. */
  static SigstoreBundle sign(String payloadType, byte[] payload, PrivateKey key, PublicKey pub) {
    return new SigstoreBundle(
        payloadType, payload.clone(), List.of(Dsse.sign(key, payloadType, payload)), hint(pub));
  }

  /** The hint naming {@code key}: base64 of the SHA-256 of its DER SubjectPublicKeyInfo. */
  static String hint(PublicKey key) {
    try {
      return Base64.getEncoder()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether any signature of the envelope is {@code key}'s. */
  boolean verifies(PublicKey key) {
    return signatures.stream().anyMatch(s -> Dsse.verify(key, payloadType, payload, s));
  }

  /** The JSON bundle, members in the order cosign writes them. */
  byte[] toBytes() {
    List<JsonValue> sigs = new ArrayList<>();
    for (String s : signatures) {
      sigs.add(JsonObject.builder().put("sig", s).build());
    }
    JsonObject material =
        JsonObject.builder()
            .put("publicKey", JsonObject.builder().put("hint", keyHint).build())
            .build();
    JsonObject envelope =
        JsonObject.builder()
            .put("payload", Base64.getEncoder().encodeToString(payload))
            .put("payloadType", payloadType)
            .put("signatures", new JsonArray(sigs))
            .build();
    return Json.write(
        JsonObject.builder()
            .put("mediaType", MEDIA_TYPE)
            .put("verificationMaterial", material)
            .put("dsseEnvelope", envelope)
            .build());
  }

  /**
   * Reads a bundle: version 0.3, a DSSE envelope with at least one signature. Throws {@link
   * CosignSignatures.SignatureFormatException} saying what is wrong otherwise (an older version, a
   * message signature, which is how blobs are signed, malformed members).
   */
  static SigstoreBundle parse(byte[] bytes) {
    JsonObject root;
    try {
      root = object(Json.parse(bytes), "the bundle");
    } catch (JsonParseException e) {
      throw error("not JSON: " + e.getMessage());
    }
    String mediaType = string(root, "mediaType");
    if (!mediaType.equals(MEDIA_TYPE) && !mediaType.equals(MEDIA_TYPE_PARAMETER)) {
      throw error("bundle version " + mediaType + " is not supported (v0.3 is)");
    }
    if (root.has("messageSignature")) {
      throw error("the bundle holds a message signature (a blob's), not a DSSE envelope");
    }
    JsonObject envelope = object(member(root, "dsseEnvelope"), "dsseEnvelope");
    byte[] payload = base64(string(envelope, "payload"), "dsseEnvelope.payload");
    String payloadType = string(envelope, "payloadType");
    JsonValue sigs = member(envelope, "signatures");
    if (!(sigs instanceof JsonArray array) || array.size() == 0) {
      throw error("dsseEnvelope.signatures: expected a non-empty array");
    }
    List<String> signatures = new ArrayList<>();
    for (JsonValue s : array.values()) {
      String sig = string(object(s, "dsseEnvelope.signatures[]"), "sig");
      signatures.add(
          Base64.getEncoder().encodeToString(base64(sig, "dsseEnvelope.signatures[].sig")));
    }
    JsonObject material = object(member(root, "verificationMaterial"), "verificationMaterial");
    String hint = null;
    Optional<JsonValue> publicKey = material.get("publicKey");
    if (publicKey.isPresent()) {
      hint =
          object(publicKey.get(), "verificationMaterial.publicKey")
              .get("hint")
              .filter(JsonString.class::isInstance)
              .map(h -> ((JsonString) h).value())
              .orElse("");
    }
    return new SigstoreBundle(payloadType, payload, signatures, hint);
  }

  private static JsonValue member(JsonObject o, String name) {
    return o.get(name).orElseThrow(() -> error("no " + name + " member"));
  }

  private static JsonObject object(JsonValue v, String what) {
    if (!(v instanceof JsonObject o)) {
      throw error(what + ": expected an object, found " + v.typeName());
    }
    return o;
  }

  private static String string(JsonObject o, String name) {
    JsonValue v = member(o, name);
    if (!(v instanceof JsonString s)) {
      throw error(name + ": expected a string, found " + v.typeName());
    }
    return s.value();
  }

  /** Standard base64, or the URL-safe alphabet, which protobuf's JSON reader accepts too. */
  private static byte[] base64(String s, String what) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(s);
      } catch (IllegalArgumentException e2) {
        throw error(what + " is not base64");
      }
    }
  }

  private static CosignSignatures.SignatureFormatException error(String message) {
    return new CosignSignatures.SignatureFormatException(message);
  }
}
