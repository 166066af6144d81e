package dev.slimbuild.json;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A JSON object; immutable, members in the order they were read or put. A parsed object that
 * repeated a key keeps the last value (as Go's encoding/json does) at the first position; {@link
 * Json#parseStrict} refuses such an object instead.
 */
public final class JsonObject implements JsonValue {
  private final Map<String, JsonValue> members;

  private JsonObject(Map<String, JsonValue> members) {
    this.members = Collections.unmodifiableMap(members);
  }

  /** An empty object. */
  public static JsonObject empty() {
    return new JsonObject(new LinkedHashMap<>());
  }

  /** A new builder; members are written in the order they are put. */
  public static Builder builder() {
    return new Builder();
  }

  /** The members in order. */
  public Map<String, JsonValue> members() {
    return members;
  }

  public boolean has(String key) {
    return members.containsKey(key);
  }

  /** The member, or empty when absent. A JSON null member is returned as {@link JsonNull}. */
  public Optional<JsonValue> get(String key) {
    return Optional.ofNullable(members.get(key));
  }

  public int size() {
    return members.size();
  }

  @Override
  public String typeName() {
    return "object";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonObject other && members.equals(other.members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** Builds a {@link JsonObject}; the {@code *IfPresent} methods implement Go's omitempty. */
  public static final class Builder {
    private final LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();

    private Builder() {}

    /** Puts a member; putting a key again replaces the value and keeps the first position. */
    public Builder put(String key, JsonValue value) {
      members.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    public Builder put(String key, String value) {
      return put(key, new JsonString(value));
    }

    public Builder put(String key, long value) {
      return put(key, JsonNumber.of(value));
    }

    public Builder put(String key, boolean value) {
      return put(key, JsonBoolean.of(value));
    }

    /** Puts a string unless it is null or empty. */
    public Builder putIfPresent(String key, String value) {
      return value == null || value.isEmpty() ? this : put(key, value);
    }

    /** Puts a value unless it is null. */
    public Builder putIfPresent(String key, JsonValue value) {
      return value == null ? this : put(key, value);
    }

    /** Puts an array of strings unless the list is null or empty. */
    public Builder putIfPresent(String key, Collection<String> strings) {
      return strings == null || strings.isEmpty() ? this : put(key, JsonArray.ofStrings(strings));
    }

    /** Puts a string-to-string object unless the map is null or empty; entries in map order. */
    public Builder putIfPresent(String key, Map<String, String> map) {
      if (map == null || map.isEmpty()) {
        return this;
      }
      Builder b = builder();
      map.forEach(b::put);
      return put(key, b.build());
    }

    /** Puts an object whose members are all {@code {}} (Go's map[string]struct{}), unless empty. */
    public Builder putEmptyObjects(String key, List<String> names) {
      if (names == null || names.isEmpty()) {
        return this;
      }
      Builder b = builder();
      for (String n : names) {
        b.put(n, JsonObject.empty());
      }
      return put(key, b.build());
    }

    /** Whether a member {@code key} was put. */
    boolean has(String key) {
      return members.containsKey(key);
    }

    public JsonObject build() {
      return new JsonObject(new LinkedHashMap<>(members));
    }
  }
}
