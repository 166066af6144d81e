package dev.slimbuild.signing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
    String json =
        "{\"critical\":{\"identity\":{\"docker-reference\":"
            + Json.quote(dockerReference)
            + "},\"image\":{\"docker-manifest-digest\":"
            + Json.quote(manifestDigest)
            + "},\"type\":"
            + Json.quote(TYPE)
            + "},\"optional\":null}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The claims of {@code payload}, strictly: UTF-8 JSON without duplicate keys; {@code critical}
   * holds exactly {@code identity}, {@code image} and {@code type} (critical fields a reader does
   * not know must make it reject the payload); {@code type} is {@link #TYPE}; the digest is
   * well-formed; {@code optional} is absent, null or an object. PayloadException otherwise.
   */
  public static Claims parse(byte[] payload) {
    Object root;
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload))
              .toString();
      root = Json.parse(text);
    } catch (CharacterCodingException e) {
      throw new PayloadException("signature payload is not UTF-8");
    } catch (IllegalArgumentException e) {
      throw new PayloadException("signature payload is not JSON: " + e.getMessage());
    }
    Map<?, ?> top = object(root, "payload");
    onlyKeys(top, "payload", Set.of("critical", "optional"));
    Object optional = top.get("optional");
    if (optional != null && optional != Json.NULL && !(optional instanceof Map)) {
      throw new PayloadException("signature payload: \"optional\" must be an object or null");
    }
    Map<?, ?> critical = object(top.get("critical"), "critical");
    onlyKeys(critical, "critical", Set.of("identity", "image", "type"));
    Object type = critical.get("type");
    if (!TYPE.equals(type)) {
      throw new PayloadException(
          "signature payload: critical.type is "
              + (type instanceof String s ? Json.quote(s) : String.valueOf(type))
              + ", expected \""
              + TYPE
              + "\"");
    }
    Map<?, ?> image = object(critical.get("image"), "critical.image");
    onlyKeys(image, "critical.image", Set.of("docker-manifest-digest"));
    String digest = string(image, "docker-manifest-digest", "critical.image");
    if (!DIGEST.matcher(digest).matches()) {
      throw new PayloadException("signature payload: not a manifest digest: " + Json.quote(digest));
    }
    Map<?, ?> identity = object(critical.get("identity"), "critical.identity");
    onlyKeys(identity, "critical.identity", Set.of("docker-reference"));
    String reference = string(identity, "docker-reference", "critical.identity");
    return new Claims(reference, digest, TYPE);
  }

  private static Map<?, ?> object(Object v, String where) {
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    throw new PayloadException("signature payload: " + where + " must be a JSON object");
  }

  private static String string(Map<?, ?> m, String key, String where) {
    if (m.get(key) instanceof String s) {
      return s;
    }
    throw new PayloadException("signature payload: " + where + "." + key + " must be a string");
  }

  private static void onlyKeys(Map<?, ?> m, String where, Set<String> allowed) {
    for (Object k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw new PayloadException(
            "signature payload: unknown field " + Json.quote((String) k) + " in " + where);
      }
    }
  }
}
