package dev.slimbuild.core.oci;

import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An image manifest (manifest.md), OCI or Docker schema 2 (same shape). The spec's schema asks for
 * at least one layer, so a manifest without layers is refused; an image with no filesystem changes
 * needs one empty layer.
 */
public record Manifest(
    int schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations)
    implements OciDocument {

  public Manifest {
    if (schemaVersion != 2) {
      throw new IllegalArgumentException("schemaVersion must be 2, got " + schemaVersion);
    }
    if (mediaType != null && !MediaType.isManifest(mediaType)) {
      throw new IllegalArgumentException("mediaType " + mediaType + " is not an image manifest");
    }
    if (artifactType != null) {
      MediaType.requireValid(artifactType);
    }
    Objects.requireNonNull(config, "config");
    layers = Canonical.list(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("layers: a manifest needs at least one layer");
    }
    annotations = Canonical.sortedMap(annotations);
  }

  /** An OCI image manifest of {@code config} and {@code layers}. */
  public static Manifest oci(Descriptor config, List<Descriptor> layers) {
    return new Manifest(2, MediaType.OCI_MANIFEST, null, config, layers, null, Map.of());
  }

  /** A Docker schema 2 manifest of {@code config} and {@code layers}. */
  public static Manifest docker(Descriptor config, List<Descriptor> layers) {
    return new Manifest(2, MediaType.DOCKER_MANIFEST, null, config, layers, null, Map.of());
  }

  /** This manifest with {@code a} as its annotations. */
  public Manifest withAnnotations(Map<String, String> a) {
    return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, a);
  }

  /** The media type to use in a descriptor of this manifest (OCI when the field is absent). */
  public String descriptorMediaType() {
    return mediaType == null ? MediaType.OCI_MANIFEST : mediaType;
  }

  @Override
  public JsonObject toJson() {
    JsonObject.Builder b = JsonObject.builder().put("schemaVersion", schemaVersion);
    b.putIfPresent("mediaType", mediaType);
    b.putIfPresent("artifactType", artifactType);
    b.put("config", config.toJson());
    List<JsonValue> ls = new ArrayList<>();
    for (Descriptor d : layers) {
      ls.add(d.toJson());
    }
    b.put("layers", new JsonArray(ls));
    if (subject != null) {
      b.put("subject", subject.toJson());
    }
    b.putIfPresent("annotations", annotations);
    return b.build();
  }

  /** Parses an image manifest; throws {@link OciFormatException} naming the member at fault. */
  public static Manifest parse(byte[] json) {
    Fields f = Fields.parse(json, "image manifest");
    long version = f.reqLong("schemaVersion");
    String mediaType = f.optMediaType("mediaType");
    if (mediaType != null && !MediaType.isManifest(mediaType)) {
      throw f.error("mediaType", "not an image manifest type: " + mediaType);
    }
    String artifactType = f.optMediaType("artifactType");
    Descriptor config = Descriptor.read(f.reqObject("config"));
    List<Descriptor> layers = f.objectList("layers", true, Descriptor::read);
    if (layers.isEmpty()) {
      throw f.error("layers", "a manifest needs at least one layer");
    }
    Fields s = f.optObject("subject");
    Descriptor subject = s == null ? null : Descriptor.read(s);
    Map<String, String> annotations = f.optStringMap("annotations");
    return f.build(
        () ->
            new Manifest(
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, version)),
                mediaType,
                artifactType,
                config,
                layers,
                subject,
                annotations));
  }
}
