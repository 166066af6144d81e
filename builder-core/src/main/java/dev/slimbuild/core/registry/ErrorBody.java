package dev.slimbuild.core.registry;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The first error of a registry's error body (distribution spec, "Error Codes"): {@code
 * {"errors":[{"code":"...","message":"...","detail":...}]}}. Bodies that are not such JSON give
 * nothing.
 */
record ErrorBody(String code, String message) {

  static Optional<ErrorBody> parse(byte[] body) {
    if (body == null || body.length == 0 || body.length > 64 * 1024) {
      return Optional.empty();
    }
    try {
      JsonValue v = Json.parse(body);
      if (v instanceof JsonObject o
          && o.get("errors").orElse(null) instanceof JsonArray errors
          && errors.size() > 0
          && errors.get(0) instanceof JsonObject first) {
        String code = first.get("code").orElse(null) instanceof JsonString s ? s.value() : null;
        String msg = first.get("message").orElse(null) instanceof JsonString s ? s.value() : null;
        if (code != null || msg != null) {
          return Optional.of(new ErrorBody(code, msg));
        }
      }
    } catch (RuntimeException e) {
      // not JSON: fall through
    }
    return Optional.empty();
  }

  /** A short text of a non-JSON body, for messages (first line, at most 200 characters). */
  static String snippet(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
