package dev.slimbuild.core.dockerfile;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the exec form: a JSON array of strings, with the acceptance rules of Go's {@code
 * encoding/json} (RFC 8259, whitespace = space, tab, CR, LF). Text that is not valid JSON gives
 * {@code null} (the caller falls back to shell form); valid JSON that is not an array of strings
 * throws.
 */
final class JsonArray {
  static final String NOT_STRING_ARRAY =
      "when using JSON array syntax, arrays must be comprised of strings only";

  private JsonArray() {}

  /** The strings of the array, or null if {@code text} is not a valid JSON array. */
  static List<String> parse(String text) {
    String t = Text.trimLeftSpace(text);
    if (!t.startsWith("[")) {
      return null;
    }
    JsonValue parsed;
    try {
      parsed = Json.parse(t);
    } catch (JsonParseException e) {
      return null;
    }
    // text starting with '[' that parses is an array
    List<String> out = new ArrayList<>();
    for (JsonValue element : ((dev.slimbuild.json.JsonArray) parsed).values()) {
      if (!(element instanceof JsonString s)) {
        throw new SyntaxError(NOT_STRING_ARRAY);
      }
      out.add(s.value());
    }
    return out;
  }
}
