package dev.slimbuild.core.export;

import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.SizeReport;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code --metadata-file} document. */
final class Metadata {
  private Metadata() {}

  /**
   * The {@code --metadata-file} JSON: buildx's keys ({@code containerimage.digest}, {@code
   * containerimage.config.digest} (one platform), {@code containerimage.descriptor}, {@code
   * image.name}) plus each platform's manifest and sizes, and under {@code slimbuild.sizeReport},
   * each platform's size report (layers, sizes, what optimisation left out) when {@code reports}
   * has it.
   */
  static byte[] metadata(
      ImageOutput image, List<ImageReference> tags, Map<Platform, SizeReport> reports) {
    List<JsonValue> platforms = new ArrayList<>();
    for (BuiltImage i : image.images()) {
      long layers = i.layers().stream().mapToLong(Descriptor::size).sum();
      platforms.add(
          JsonObject.builder()
              .put("platform", i.platform().toString())
              .put("manifestDigest", i.descriptor().digest().toString())
              .put("configDigest", i.manifest().value().config().digest().toString())
              .put("layers", i.layers().size())
              .put("compressedSize", layers)
              .build());
    }
    List<String> names = tags.stream().map(ImageReference::toString).toList();
    JsonObject doc =
        JsonObject.builder()
            .put("containerimage.digest", image.descriptor().digest().toString())
            .putIfPresent(
                "containerimage.config.digest",
                image.images().size() == 1
                    ? image.images().get(0).manifest().value().config().digest().toString()
                    : null)
            .put("containerimage.descriptor", image.descriptor().toJson())
            .putIfPresent("image.name", names.isEmpty() ? null : String.join(",", names))
            .put("slimbuild.platforms", new JsonArray(platforms))
            .put("slimbuild.totalSize", image.totalSize())
            .putIfPresent(
                "slimbuild.sizeReport",
                reports.isEmpty()
                    ? null
                    : new JsonArray(
                        reports.values().stream().<JsonValue>map(SizeReport::toJson).toList()))
            .build();
    return Json.write(doc);
  }
}
