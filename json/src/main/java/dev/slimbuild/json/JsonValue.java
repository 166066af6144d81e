package dev.slimbuild.json;

/** A JSON value: object, array, string, number, boolean or null. */
public sealed interface JsonValue
    permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull {

  /** The JSON type name used in error messages ({@code object}, {@code string}, ...). */
  String typeName();

  /** The compact canonical encoding of this value (see {@link Json#write}). */
  default String toJson() {
    return Json.writeString(this);
  }
}
