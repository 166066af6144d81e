package dev.slimbuild.core.cache;

import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of cache records as one OCI artifact, the form a cache takes in a registry or an OCI
 * layout: an image manifest with {@code artifactType} {@value #ARTIFACT_TYPE}, whose config blob
 * ({@value #CONFIG_TYPE}) maps keys to records and whose layers are every layer blob the records
 * name (so the registry keeps them, and a push can mount them). The layer blobs are the image's
 * own: a cache exported beside an image uploads only what the image does not already hold.
 *
 * <p>The config: {@code {"version":1,"steps":{KEY:STEP},"stages":{KEY:STAGE}}}, where KEY is a
 * key's hex, STEP is {@code {"layer":LAYER,"home":"/root"}} (no layer: the step changed no file)
 * and STAGE is {@code {"layers":[{"step":N,"layer":LAYER,"files":N,"savings":...}],"omitted":
 * [...]}}; LAYER is {@code {"mediaType","digest","size","diffId","tarSize"}}. An optional {@code
 * "attest":{KEY:LAYER}} maps the key of an image's SBOM statement (its manifest digest, its names,
 * the format, the time and slimbuild's version) to the statement's blob, an in-toto layer of the
 * image's attestation manifest (its diffId is its digest): a rebuild served by the cache then reads
 * that one small blob, not every layer of the image, for its SBOM.
 */
public record CacheContents(
    Map<Digest, StepRecord> steps, Map<Digest, StageRecord> stages, Map<Digest, Layer> statements) {
  public static final String ARTIFACT_TYPE = "application/vnd.slimbuild.cache.v1+json";
  static final String CONFIG_TYPE = "application/vnd.slimbuild.cache.config.v1+json";

  /** A cache config larger than this is refused (it maps keys to descriptors: small). */
  static final long MAX_CONFIG = 64L * 1024 * 1024;

  public CacheContents {
    steps = Collections.unmodifiableMap(new TreeMap<>(steps));
    stages = Collections.unmodifiableMap(new TreeMap<>(stages));
    statements = Collections.unmodifiableMap(new TreeMap<>(statements));
  }

  /** Records without statements. */
  CacheContents(Map<Digest, StepRecord> steps, Map<Digest, StageRecord> stages) {
    this(steps, stages, Map.of());
  }

  public static final CacheContents EMPTY = new CacheContents(Map.of(), Map.of());

  /** Every layer blob the records name, each once, by digest. */
  public List<Layer> layers() {
    Map<Digest, Layer> out = new TreeMap<>();
    steps
        .values()
        .forEach(s -> s.layer().ifPresent(l -> out.putIfAbsent(l.descriptor().digest(), l)));
    stages
        .values()
        .forEach(
            s ->
                s.layers()
                    .forEach(w -> out.putIfAbsent(w.layer().descriptor().digest(), w.layer())));
    statements.values().forEach(l -> out.putIfAbsent(l.descriptor().digest(), l));
    return List.copyOf(out.values());
  }

  /** The same records with every layer's bytes in {@code repository}. */
  public CacheContents from(String repository) {
    Map<Digest, StepRecord> s = new LinkedHashMap<>();
    steps.forEach((k, v) -> s.put(k, v.from(repository)));
    Map<Digest, StageRecord> g = new LinkedHashMap<>();
    stages.forEach((k, v) -> g.put(k, v.from(repository)));
    Map<Digest, Layer> a = new LinkedHashMap<>();
    statements.forEach((k, v) -> a.put(k, v.from(repository)));
    return new CacheContents(s, g, a);
  }

  /** The config blob's bytes. */
  public byte[] config() {
    JsonObject.Builder s = JsonObject.builder();
    steps.forEach((k, v) -> s.put(k.hex(), Records.step(v)));
    JsonObject.Builder g = JsonObject.builder();
    stages.forEach((k, v) -> g.put(k.hex(), Records.stage(v)));
    JsonObject.Builder o =
        JsonObject.builder().put("version", 1).put("steps", s.build()).put("stages", g.build());
    if (!statements.isEmpty()) { // absent when empty: caches without statements keep their bytes
      JsonObject.Builder a = JsonObject.builder();
      statements.forEach((k, v) -> a.put(k.hex(), Records.layer(v)));
      o.put("attest", a.build());
    }
    return Json.write(o.build());
  }

  /** The manifest naming {@code config} (this cache's config blob) and the layers. */
  public byte[] manifest(Descriptor config) {
    List<JsonValue> layers = new ArrayList<>();
    for (Layer l : layers()) {
      Descriptor d = l.descriptor();
      layers.add(Descriptor.of(d.mediaType(), d.digest(), d.size()).toJson());
    }
    return Json.write(
        JsonObject.builder()
            .put("schemaVersion", 2)
            .put("mediaType", MediaType.OCI_MANIFEST)
            .put("artifactType", ARTIFACT_TYPE)
            .put("config", config.toJson())
            .put("layers", new JsonArray(layers))
            .build());
  }

  /**
   * The config descriptor of a cache manifest; a {@link Records.BadRecord} if {@code manifest} is
   * not one.
   */
  static Descriptor configOf(byte[] manifest) {
    JsonObject m = Records.object(Json.parse(manifest), "cache manifest");
    JsonObject c = Records.object(m, "config");
    String type = Records.string(c, "mediaType");
    if (!type.equals(CONFIG_TYPE)) {
      throw new Records.BadRecord("not a slimbuild cache (config type " + type + ")");
    }
    return Descriptor.of(
        type, Digest.parse(Records.string(c, "digest")), Records.number(c, "size"));
  }

  /** Parses a config blob; a {@link Records.BadRecord} or IllegalArgumentException if damaged. */
  static CacheContents parse(byte[] config) {
    JsonObject o = Records.object(Json.parse(config), "cache config");
    if (Records.number(o, "version") != 1) {
      throw new Records.BadRecord(
          "cache format version " + Records.number(o, "version") + " is not 1");
    }
    Map<Digest, StepRecord> steps = new LinkedHashMap<>();
    Records.object(o, "steps")
        .members()
        .forEach(
            (k, v) ->
                steps.put(new Digest("sha256", k), Records.readStep(Records.object(v, "step"))));
    Map<Digest, StageRecord> stages = new LinkedHashMap<>();
    Records.object(o, "stages")
        .members()
        .forEach(
            (k, v) ->
                stages.put(new Digest("sha256", k), Records.readStage(Records.object(v, "stage"))));
    Map<Digest, Layer> statements = new LinkedHashMap<>();
    o.get("attest")
        .ifPresent(
            a ->
                Records.object(a, "attest")
                    .members()
                    .forEach(
                        (k, v) ->
                            statements.put(
                                new Digest("sha256", k),
                                Records.readLayer(Records.object(v, "attest")))));
    return new CacheContents(steps, stages, statements);
  }
}
