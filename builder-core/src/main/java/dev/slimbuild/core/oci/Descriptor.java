package dev.slimbuild.core.oci;

import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OCI content descriptor (descriptor.md): what a blob is, its digest and size, plus optional
 * urls, annotations, embedded data (base64), platform and artifactType. Annotations are kept sorted
 * as Go writes maps.
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    String data,
    Platform platform,
    String artifactType) {

  public Descriptor {
    MediaType.requireValid(mediaType);
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    urls = Canonical.list(urls);
    for (String u : urls) {
      if (!isAbsoluteUri(u)) {
        throw new IllegalArgumentException("url is not an absolute URI: " + u);
      }
    }
    annotations = Canonical.sortedMap(annotations);
    if (data != null) {
      checkBase64(data, size);
    }
    if (artifactType != null) {
      MediaType.requireValid(artifactType);
    }
  }

  /** A plain descriptor: media type, digest and size. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, List.of(), Map.of(), null, null, null);
  }

  /** This descriptor with {@code platform}. */
  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, urls, annotations, data, p, artifactType);
  }

  /** This descriptor with {@code annotations} replacing its own. */
  public Descriptor withAnnotations(Map<String, String> a) {
    return new Descriptor(
        mediaType, digest, size, urls, Canonical.sortedMap(a), data, platform, artifactType);
  }

  /** This descriptor with a different media type (same content). */
  public Descriptor withMediaType(String type) {
    return new Descriptor(type, digest, size, urls, annotations, data, platform, artifactType);
  }

  private static boolean isAbsoluteUri(String s) {
    try {
      return new URI(s).isAbsolute();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static void checkBase64(String data, long size) {
    // The spec asks for standard base64 with padding (RFC 4648 section 4); the JDK decoder
    // would accept a missing padding, so check the length first.
    if (data.length() % 4 != 0) {
      throw new IllegalArgumentException("data is not padded base64");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("data is not base64: " + e.getMessage());
    }
    if (decoded.length != size) {
      throw new IllegalArgumentException(
          "data holds " + decoded.length + " bytes but size is " + size);
    }
  }

  /** The JSON form, fields in the order of the Go struct (mediaType, digest, size, ...). */
  public JsonObject toJson() {
    JsonObject.Builder b =
        JsonObject.builder()
            .put("mediaType", mediaType)
            .put("digest", digest.toString())
            .put("size", size);
    if (!urls.isEmpty()) {
      b.put("urls", JsonArray.ofStrings(urls));
    }
    b.putIfPresent("annotations", annotations);
    b.putIfPresent("data", data);
    if (platform != null) {
      b.put("platform", platform.toJson());
    }
    b.putIfPresent("artifactType", artifactType);
    return b.build();
  }

  /** Parses a descriptor document; throws {@link OciFormatException} if it is not valid. */
  public static Descriptor parse(byte[] json) {
    return read(Fields.parse(json, "descriptor"));
  }

  static Descriptor read(Fields f) {
    String mediaType = f.reqMediaType("mediaType");
    Digest digest = f.reqDigest("digest");
    long size = f.reqLong("size");
    List<String> urls = f.optStringList("urls");
    Map<String, String> annotations = f.optStringMap("annotations");
    String data = f.optString("data");
    Fields p = f.optObject("platform");
    Platform platform = p == null ? null : Platform.read(p);
    String artifactType = f.optMediaType("artifactType");
    return f.build(
        () ->
            new Descriptor(
                mediaType, digest, size, urls, annotations, data, platform, artifactType));
  }
}
