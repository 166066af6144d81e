package dev.slimbuild.core.cache;

import dev.slimbuild.core.layer.Count;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerSavings;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonNull;
import dev.slimbuild.json.JsonNumber;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The JSON form of cache records; anything malformed is a {@link BadRecord}. */
final class Records {
  private Records() {}

  /** A record that cannot be read: the caller treats it as a miss. */
  static final class BadRecord extends RuntimeException {
    BadRecord(String message) {
      super(message);
    }
  }

  /**
   * A layer blob a record points at: {@code {"mediaType","digest","size","diffId","tarSize"}}.
   * Where its bytes are (the store, or the repository of the cache it came from) is not written: a
   * cache read from a registry or layout gives its layers that source.
   */
  static JsonObject layer(Layer l) {
    return JsonObject.builder()
        .put("mediaType", l.descriptor().mediaType())
        .put("digest", l.descriptor().digest().toString())
        .put("size", l.descriptor().size())
        .put("diffId", l.diffId().toString())
        .put("tarSize", l.uncompressedSize().getAsLong())
        .build();
  }

  /** Reads {@link #layer}'s form; a BadRecord or IllegalArgumentException if it is not one. */
  static Layer readLayer(JsonObject o) {
    Descriptor d =
        Descriptor.of(string(o, "mediaType"), Digest.parse(string(o, "digest")), number(o, "size"));
    return Layer.written(d, Digest.parse(string(o, "diffId")), number(o, "tarSize"));
  }

  static JsonObject step(StepRecord r) {
    JsonObject.Builder b = JsonObject.builder();
    r.layer().ifPresent(l -> b.put("layer", layer(l)));
    if (r.home() != null) {
      b.put("home", r.home());
    }
    return b.build();
  }

  static StepRecord readStep(JsonObject o) {
    Optional<Layer> layer = o.get("layer").map(v -> readLayer(object(v, "layer")));
    String home = o.get("home").map(v -> text(v, "home")).orElse(null);
    return new StepRecord(layer, home);
  }

  static JsonObject stage(StageRecord r) {
    List<JsonValue> layers = new ArrayList<>();
    for (StageRecord.Written w : r.layers()) {
      layers.add(
          JsonObject.builder()
              .put("step", w.step())
              .put("layer", layer(w.layer()))
              .put("files", w.files())
              .put("savings", savings(w.savings()))
              .build());
    }
    List<JsonValue> omitted = new ArrayList<>();
    for (StageRecord.Omitted o : r.omitted()) {
      omitted.add(
          JsonObject.builder().put("step", o.step()).put("savings", savings(o.savings())).build());
    }
    return JsonObject.builder()
        .put("layers", new JsonArray(layers))
        .put("omitted", new JsonArray(omitted))
        .put("squashed", r.squashed())
        .build();
  }

  static StageRecord readStage(JsonObject o) {
    List<StageRecord.Written> layers = new ArrayList<>();
    for (JsonValue v : array(o, "layers")) {
      JsonObject w = object(v, "layers[]");
      layers.add(
          new StageRecord.Written(
              (int) number(w, "step"),
              readLayer(object(w, "layer")),
              number(w, "files"),
              readSavings(object(w, "savings"))));
    }
    List<StageRecord.Omitted> omitted = new ArrayList<>();
    for (JsonValue v : array(o, "omitted")) {
      JsonObject w = object(v, "omitted[]");
      omitted.add(
          new StageRecord.Omitted((int) number(w, "step"), readSavings(object(w, "savings"))));
    }
    return new StageRecord(layers, omitted, (int) number(o, "squashed"));
  }

  private static JsonObject savings(LayerSavings s) {
    JsonObject.Builder stripped = JsonObject.builder();
    s.stripped().forEach((k, v) -> stripped.put(k, count(v)));
    return JsonObject.builder()
        .put("stripped", stripped.build())
        .put("dedup", count(s.deduplicated()))
        .put("wasted", count(s.wasted()))
        .put("linked", count(s.hardlinked()))
        .build();
  }

  private static LayerSavings readSavings(JsonObject o) {
    Map<String, Count> stripped = new LinkedHashMap<>();
    object(o.get("stripped").orElse(JsonObject.empty()), "stripped")
        .members()
        .forEach((k, v) -> stripped.put(k, readCount(v)));
    return new LayerSavings(
        stripped,
        readCount(member(o, "dedup")),
        readCount(member(o, "wasted")),
        readCount(member(o, "linked")));
  }

  private static JsonArray count(Count c) {
    return new JsonArray(List.of(JsonNumber.of(c.files()), JsonNumber.of(c.bytes())));
  }

  private static Count readCount(JsonValue v) {
    if (!(v instanceof JsonArray a) || a.size() != 2) {
      throw new BadRecord("a count is not [files, bytes]");
    }
    return new Count(longValue(a.get(0), "files"), longValue(a.get(1), "bytes"));
  }

  static JsonValue member(JsonObject o, String key) {
    return o.get(key)
        .filter(v -> !(v instanceof JsonNull))
        .orElseThrow(() -> new BadRecord("no " + key));
  }

  static JsonObject object(JsonValue v, String what) {
    if (v instanceof JsonObject o) {
      return o;
    }
    throw new BadRecord(what + " is not an object");
  }

  static JsonObject object(JsonObject o, String key) {
    return object(member(o, key), key);
  }

  static List<JsonValue> array(JsonObject o, String key) {
    if (member(o, key) instanceof JsonArray a) {
      return a.values();
    }
    throw new BadRecord(key + " is not an array");
  }

  static String string(JsonObject o, String key) {
    return text(member(o, key), key);
  }

  static String text(JsonValue v, String what) {
    if (v instanceof JsonString s) {
      return s.value();
    }
    throw new BadRecord(what + " is not a string");
  }

  static long number(JsonObject o, String key) {
    return longValue(member(o, key), key);
  }

  private static long longValue(JsonValue v, String what) {
    if (v instanceof JsonNumber n && n.isLong()) {
      return n.longValue();
    }
    throw new BadRecord(what + " is not an integer");
  }
}
