package dev.slimbuild.core.oci;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;

/** A document we can write: config, manifest, index, layout header. */
interface OciDocument {
  /** The JSON tree, members in the order Docker/BuildKit write them, empty optionals omitted. */
  JsonObject toJson();

  /** The canonical compact bytes of {@link #toJson()} (Go's escaping). */
  default byte[] toBytes() {
    return Json.write(toJson());
  }
}
