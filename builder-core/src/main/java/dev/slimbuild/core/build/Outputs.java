package dev.slimbuild.core.build;

import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.DockerArchiveWriter;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.image.OciLayoutWriter;
import dev.slimbuild.core.json.Json;
import dev.slimbuild.core.json.JsonArray;
import dev.slimbuild.core.json.JsonObject;
import dev.slimbuild.core.json.JsonValue;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Writes a build's image where the user asked, each output complete or not at all. */
public final class Outputs {
  private Outputs() {}

  /** Writes {@code image} (whose blobs are in {@code store}) to one output. */
  public static void write(
      BlobStore store, ImageOutput image, List<ImageReference> tags, OutputSpec spec)
      throws IOException {
    switch (spec.type()) {
      case OCI -> OciLayoutWriter.write(store, image, tags, spec.dest());
      case DOCKER -> writeDockerArchive(store, image, tags, spec.dest());
    }
  }

  /**
   * Fails early when {@code spec}'s destination cannot be written (an OCI dest that is a file or a
   * foreign directory, a docker dest that is a directory), so that a build with several outputs
   * does not write the first and then fail on the second.
   */
  public static void check(OutputSpec spec) throws IOException {
    switch (spec.type()) {
      case OCI -> OciLayoutWriter.checkDestination(spec.dest());
      case DOCKER -> {
        if (Files.isDirectory(spec.dest())) {
          throw new SlimbuildException("output " + spec.dest().toAbsolutePath().normalize()
              + " is a directory; type=docker writes a file");
        }
      }
    }
  }

  private static void writeDockerArchive(
      BlobStore store, ImageOutput image, List<ImageReference> tags, Path dest)
      throws IOException {
    Path target = dest.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        DockerArchiveWriter.write(
            store,
            image,
            tags,
            layer -> Decompressors.open(store.open(layer.digest()), layer.mediaType()),
            out);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Records the image under each tag in the local store (its blobs are already there). */
  public static void toStore(LocalStore local, ImageOutput image, List<ImageReference> tags)
      throws IOException {
    for (ImageReference t : tags) {
      local.put(t, image.descriptor());
    }
  }

  /**
   * The {@code --metadata-file} JSON: buildx's keys ({@code containerimage.digest}, {@code
   * containerimage.config.digest} (one platform), {@code containerimage.descriptor}, {@code
   * image.name}) plus each platform's manifest and sizes, and
   * under {@code slimbuild.sizeReport}, each platform's
   * size report (layers, sizes, what optimisation left out) when {@code reports} has it.
   */
  public static byte[] metadata(
      ImageOutput image, List<ImageReference> tags,
      java.util.Map<String, dev.slimbuild.core.optimize.SizeReport> reports) {
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
            .putIfPresent("containerimage.config.digest", image.images().size() == 1
                ? image.images().get(0).manifest().value().config().digest().toString() : null)
            .put("containerimage.descriptor", image.descriptor().toJson())
            .putIfPresent("image.name", names.isEmpty() ? null : String.join(",", names))
            .put("slimbuild.platforms", new JsonArray(platforms))
            .put("slimbuild.totalSize", image.totalSize())
            .putIfPresent("slimbuild.sizeReport", reports.isEmpty() ? null
                : new JsonArray(reports.values().stream()
                    .<JsonValue>map(dev.slimbuild.core.optimize.SizeReport::toJson).toList()))
            .build();
    return Json.write(doc);
  }
}
