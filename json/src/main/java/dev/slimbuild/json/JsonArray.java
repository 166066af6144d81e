package dev.slimbuild.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** A JSON array; immutable. */
public record JsonArray(List<JsonValue> values) implements JsonValue {
  public JsonArray {
    values = List.copyOf(values);
  }

  /** An array of strings. */
  public static JsonArray ofStrings(Collection<String> strings) {
    List<JsonValue> list = new ArrayList<>(strings.size());
    for (String s : strings) {
      list.add(new JsonString(s));
    }
    return new JsonArray(list);
  }

  public int size() {
    return values.size();
  }

  public JsonValue get(int i) {
    return values.get(i);
  }

  @Override
  public String typeName() {
    return "array";
  }

  @Override
  public String toString() {
    return toJson();
  }
}
