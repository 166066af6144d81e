package dev.slimbuild.core.oci;

import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An image index (image-index.md) or a Docker manifest list (same shape). */
public record Index(
    int schemaVersion,
    String mediaType,
    String artifactType,
    List<Descriptor> manifests,
    Descriptor subject,
    Map<String, String> annotations)
    implements OciDocument {

  public Index {
    if (schemaVersion != 2) {
      throw new IllegalArgumentException("schemaVersion must be 2, got " + schemaVersion);
    }
    if (mediaType != null && !MediaType.isIndex(mediaType)) {
      throw new IllegalArgumentException("mediaType " + mediaType + " is not an image index");
    }
    if (artifactType != null) {
      MediaType.requireValid(artifactType);
    }
    manifests = Canonical.list(manifests);
    annotations = Canonical.sortedMap(annotations);
  }

  /** An OCI index of {@code manifests}. */
  public static Index oci(List<Descriptor> manifests) {
    return new Index(2, MediaType.OCI_INDEX, null, manifests, null, Map.of());
  }

  /** The media type to use in a descriptor of this index (OCI when the field is absent). */
  public String descriptorMediaType() {
    return mediaType == null ? MediaType.OCI_INDEX : mediaType;
  }

  @Override
  public JsonObject toJson() {
    JsonObject.Builder b = JsonObject.builder().put("schemaVersion", schemaVersion);
    b.putIfPresent("mediaType", mediaType);
    b.putIfPresent("artifactType", artifactType);
    List<JsonValue> ms = new ArrayList<>();
    for (Descriptor d : manifests) {
      ms.add(d.toJson());
    }
    b.put("manifests", new JsonArray(ms));
    if (subject != null) {
      b.put("subject", subject.toJson());
    }
    b.putIfPresent("annotations", annotations);
    return b.build();
  }

  /** Parses an index or manifest list; throws {@link OciFormatException} if invalid. */
  public static Index parse(byte[] json) {
    Fields f = Fields.parse(json, "image index");
    long version = f.reqLong("schemaVersion");
    String mediaType = f.optMediaType("mediaType");
    if (mediaType != null && !MediaType.isIndex(mediaType)) {
      throw f.error("mediaType", "not an image index type: " + mediaType);
    }
    String artifactType = f.optMediaType("artifactType");
    List<Descriptor> manifests = f.objectList("manifests", true, Descriptor::read);
    Fields s = f.optObject("subject");
    Descriptor subject = s == null ? null : Descriptor.read(s);
    Map<String, String> annotations = f.optStringMap("annotations");
    return f.build(
        () ->
            new Index(
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, version)),
                mediaType,
                artifactType,
                manifests,
                subject,
                annotations));
  }
}
