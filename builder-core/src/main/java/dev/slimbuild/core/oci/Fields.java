package dev.slimbuild.core.oci;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonBoolean;
import dev.slimbuild.json.JsonNull;
import dev.slimbuild.json.JsonNumber;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Typed, path-aware access to the members of a JSON object being read as an OCI document. Every
 * error is an {@link OciFormatException} naming the document and the JSON path. A JSON null member
 * counts as absent, as Go's decoder treats it.
 */
final class Fields {
  private final JsonObject object;
  private final String doc;
  private final String path;

  private Fields(JsonObject object, String doc, String path) {
    this.object = object;
    this.doc = doc;
    this.path = path;
  }

  /** Parses {@code bytes} as a JSON object that is the document {@code doc}. */
  static Fields parse(byte[] bytes, String doc) {
    JsonValue v;
    try {
      v = Json.parse(bytes);
    } catch (JsonParseException e) {
      throw new OciFormatException(doc + ": " + e.getMessage(), e);
    }
    return of(v, doc, "");
  }

  static Fields of(JsonValue v, String doc, String path) {
    if (!(v instanceof JsonObject o)) {
      throw new OciFormatException(
          doc + ": " + where(path) + "expected an object, got " + v.typeName());
    }
    return new Fields(o, doc, path);
  }

  private static String where(String path) {
    return path.isEmpty() ? "" : path + ": ";
  }

  String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  OciFormatException error(String key, String message) {
    return new OciFormatException(
        doc + ": " + where(key == null ? path : childPath(key)) + message);
  }

  /** Runs a record constructor, turning its IllegalArgumentException into a format error here. */
  <T> T build(Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw error(null, e.getMessage());
    }
  }

  private JsonValue value(String key) {
    JsonValue v = object.members().get(key);
    return v == null || v == JsonNull.INSTANCE ? null : v;
  }

  boolean has(String key) {
    return value(key) != null;
  }

  private JsonValue required(String key) {
    JsonValue v = value(key);
    if (v == null) {
      throw error(key, "required field is missing");
    }
    return v;
  }

  String reqString(String key) {
    return asString(key, required(key));
  }

  String optString(String key) {
    JsonValue v = value(key);
    return v == null ? null : asString(key, v);
  }

  private String asString(String key, JsonValue v) {
    if (v instanceof JsonString s) {
      return s.value();
    }
    throw error(key, "expected a string, got " + v.typeName());
  }

  long reqLong(String key) {
    return asLong(key, required(key));
  }

  Long optLong(String key) {
    JsonValue v = value(key);
    return v == null ? null : asLong(key, v);
  }

  private long asLong(String key, JsonValue v) {
    if (v instanceof JsonNumber n && n.isLong()) {
      return n.longValue();
    }
    throw error(key, "expected an integer, got " + v.typeName() + " " + v.toJson());
  }

  boolean optBoolean(String key) {
    JsonValue v = value(key);
    if (v == null) {
      return false;
    }
    if (v instanceof JsonBoolean b) {
      return b.value();
    }
    throw error(key, "expected a boolean, got " + v.typeName());
  }

  Instant optTime(String key) {
    String s = optString(key);
    if (s == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw error(key, "not an RFC 3339 time: " + s);
    }
  }

  Digest reqDigest(String key) {
    String s = reqString(key);
    try {
      return Digest.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
  }

  String reqMediaType(String key) {
    return checkMediaType(key, reqString(key));
  }

  String optMediaType(String key) {
    String s = optString(key);
    return s == null ? null : checkMediaType(key, s);
  }

  private String checkMediaType(String key, String s) {
    if (!MediaType.isValid(s)) {
      throw error(key, "invalid media type \"" + s + "\"");
    }
    return s;
  }

  Fields reqObject(String key) {
    return of(required(key), doc, childPath(key));
  }

  Fields optObject(String key) {
    JsonValue v = value(key);
    return v == null ? null : of(v, doc, childPath(key));
  }

  List<String> optStringList(String key) {
    JsonValue v = value(key);
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (JsonValue e : asArray(key, v).values()) {
      if (!(e instanceof JsonString s)) {
        throw error(key, "expected an array of strings, found " + e.typeName());
      }
      out.add(s.value());
    }
    return out;
  }

  /** An array member, each element an object read by {@code reader}; absent = empty list. */
  <T> List<T> objectList(String key, boolean required, Function<Fields, T> reader) {
    JsonValue v = required ? required(key) : value(key);
    if (v == null) {
      return List.of();
    }
    JsonArray a = asArray(key, v);
    List<T> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(reader.apply(of(a.get(i), doc, childPath(key) + "[" + i + "]")));
    }
    return out;
  }

  private JsonArray asArray(String key, JsonValue v) {
    if (v instanceof JsonArray a) {
      return a;
    }
    throw error(key, "expected an array, got " + v.typeName());
  }

  /** A {@code map[string]string} member; absent = empty map. */
  Map<String, String> optStringMap(String key) {
    JsonValue v = value(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonObject o)) {
      throw error(key, "expected an object of strings, got " + v.typeName());
    }
    for (var e : o.members().entrySet()) {
      if (!(e.getValue() instanceof JsonString s)) {
        throw error(key, "value of \"" + e.getKey() + "\" must be a string");
      }
      out.put(e.getKey(), s.value());
    }
    return out;
  }

  /** The keys of a {@code map[string]struct{}} member (ExposedPorts, Volumes); absent = empty. */
  List<String> optKeySet(String key) {
    JsonValue v = value(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonObject o)) {
      throw error(key, "expected an object, got " + v.typeName());
    }
    for (var e : o.members().entrySet()) {
      if (!(e.getValue() instanceof JsonObject)) {
        throw error(key, "value of \"" + e.getKey() + "\" must be an object");
      }
    }
    return new ArrayList<>(o.members().keySet());
  }
}
