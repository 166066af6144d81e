package dev.slimbuild.signing;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonNull;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The payload cosign signs for a container image ("simple signing"): which manifest digest a
 * signature vouches for and under which repository name.
 */
public final class SimpleSigning {
  /** The only {@code critical.type} cosign writes and this module accepts. */
  public static final String TYPE = "cosign container image signature";

  /** The media type of a simple-signing payload layer. */
  public static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");

  /** What a payload claims. */
  public record Claims(String dockerReference, String manifestDigest, String type) {}

  private SimpleSigning() {}

  /**
   * The payload cosign writes for {@code dockerReference} (registry/repository, no tag or digest)
   * and {@code manifestDigest} ({@code sha256:HEX}), byte for byte: Go's {@code json.Marshal}
   * output, no trailing newline.
   */
  public static byte[] payload(String dockerReference, String manifestDigest) {
    if (dockerReference == null || dockerReference.isEmpty()) {
      throw new IllegalArgumentException("docker reference must not be empty");
    }
    if (manifestDigest == null || !DIGEST.matcher(manifestDigest).matches()) {
      throw new IllegalArgumentException("not a manifest digest: " + manifestDigest);
    }
    JsonObject critical =
        JsonObject.builder()
            .put("identity", JsonObject.builder().put("docker-reference", dockerReference).build())
            .put(
                "image", JsonObject.builder().put("docker-manifest-digest", manifestDigest).build())
            .put("type", TYPE)
            .build();
    return Json.write(
        JsonObject.builder().put("critical", critical).put("optional", JsonNull.INSTANCE).build());
  }

  /**
   * The claims of {@code payload}, strictly: UTF-8 JSON without duplicate keys; {@code critical}
   * holds exactly {@code identity}, {@code image} and {@code type} (critical fields a reader does
   * not know must make it reject the payload); {@code type} is {@link #TYPE}; the digest is
   * well-formed; {@code optional} is absent, null or an object. PayloadException otherwise.
   */
  public static Claims parse(byte[] payload) {
    JsonValue root;
    try {
      root = Json.parseStrict(payload);
    } catch (JsonParseException e) {
      throw new PayloadException("signature payload is not JSON: " + e.getMessage());
    }
    JsonObject top = object(root, "payload");
    onlyKeys(top, "payload", Set.of("critical", "optional"));
    JsonValue optional = top.get("optional").orElse(JsonNull.INSTANCE);
    if (!(optional instanceof JsonNull) && !(optional instanceof JsonObject)) {
      throw new PayloadException("signature payload: \"optional\" must be an object or null");
    }
    JsonObject critical = member(top, "critical", "critical");
    onlyKeys(critical, "critical", Set.of("identity", "image", "type"));
    JsonValue type = critical.get("type").orElse(null);
    if (!(type instanceof JsonString t && t.value().equals(TYPE))) {
      throw new PayloadException(
          "signature payload: critical.type is "
              + (type == null ? "null" : type.toJson())
              + ", expected \""
              + TYPE
              + "\"");
    }
    JsonObject image = member(critical, "image", "critical.image");
    onlyKeys(image, "critical.image", Set.of("docker-manifest-digest"));
    String digest = string(image, "docker-manifest-digest", "critical.image");
    if (!DIGEST.matcher(digest).matches()) {
      throw new PayloadException("signature payload: not a manifest digest: " + Json.quote(digest));
    }
    JsonObject identity = member(critical, "identity", "critical.identity");
    onlyKeys(identity, "critical.identity", Set.of("docker-reference"));
    String reference = string(identity, "docker-reference", "critical.identity");
    return new Claims(reference, digest, TYPE);
  }

  private static JsonObject member(JsonObject parent, String key, String where) {
    return object(parent.get(key).orElse(null), where);
  }

  private static JsonObject object(JsonValue v, String where) {
    if (v instanceof JsonObject o) {
      return o;
    }
    throw new PayloadException("signature payload: " + where + " must be a JSON object");
  }

  private static String string(JsonObject o, String key, String where) {
    if (o.get(key).orElse(null) instanceof JsonString s) {
      return s.value();
    }
    throw new PayloadException("signature payload: " + where + "." + key + " must be a string");
  }

  private static void onlyKeys(JsonObject o, String where, Set<String> allowed) {
    for (String k : o.members().keySet()) {
      if (!allowed.contains(k)) {
        throw new PayloadException(
            "signature payload: unknown field " + Json.quote(k) + " in " + where);
      }
    }
  }
}
