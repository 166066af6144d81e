package dev.slimbuild.cli;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code slimbuild inspect} shows: the top descriptor, each platform's manifest, config and
 * layers, the config's settings and history (as {@code docker image inspect} shows them), and the
 * total size of the distinct blobs (documents and layers).
 */
record ImageInspection(String name, Descriptor top, List<PlatformImage> platforms, long totalSize) {

  /**
   * One manifest of the image. {@code platform} is "unknown" and {@code image} null for a manifest
   * whose config is not an image config (an artifact).
   */
  record PlatformImage(
      String platform,
      Descriptor manifest,
      Descriptor config,
      List<Descriptor> layers,
      ImageConfig image) {}

  private static final int MAX_DEPTH = 4;

  ImageInspection {
    platforms = List.copyOf(platforms);
  }

  /** Reads the documents of {@code source} (never its layers). */
  static ImageInspection of(ImageSource source) throws IOException {
    Descriptor top = source.top();
    List<PlatformImage> out = new ArrayList<>();
    Set<Digest> seen = new LinkedHashSet<>();
    long[] total = {0};
    walk(source, top, out, seen, total, 0);
    return new ImageInspection(source.name(), top, out, total[0]);
  }

  private static void walk(
      ImageSource source,
      Descriptor d,
      List<PlatformImage> out,
      Set<Digest> seen,
      long[] total,
      int depth)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("indexes nested more than " + MAX_DEPTH + " deep at " + d.digest());
    }
    count(d, seen, total);
    if (MediaType.isIndex(d.mediaType())) {
      for (Descriptor m : Index.parse(source.read(d)).manifests()) {
        walk(source, m, out, seen, total, depth + 1);
      }
      return;
    }
    if (!MediaType.isManifest(d.mediaType())) {
      throw new IOException(d.digest() + " has media type " + d.mediaType() + ", not an image");
    }
    Manifest m = Manifest.parse(source.read(d));
    Descriptor config = m.config();
    count(config, seen, total);
    m.layers().forEach(l -> count(l, seen, total));
    String platform = d.platform() == null ? "unknown" : d.platform().toString();
    ImageConfig image = null;
    if (config.mediaType().equals(MediaType.OCI_CONFIG)
        || config.mediaType().equals(MediaType.DOCKER_CONFIG)) {
      image = ImageConfig.parse(source.read(config));
      platform = image.platform().toString();
    }
    out.add(new PlatformImage(platform, d.withPlatform(null), config, m.layers(), image));
  }

  private static void count(Descriptor d, Set<Digest> seen, long[] total) {
    if (seen.add(d.digest())) {
      total[0] += d.size();
    }
  }

  JsonObject toJson() {
    List<JsonValue> ps = new ArrayList<>();
    for (PlatformImage p : platforms) {
      List<JsonValue> layers = new ArrayList<>();
      p.layers().forEach(l -> layers.add(l.toJson()));
      JsonObject.Builder b =
          JsonObject.builder()
              .put("platform", p.platform())
              .put("manifest", p.manifest().toJson())
              .put("config", p.config().toJson())
              .put("layers", new JsonArray(layers));
      if (p.image() != null) {
        b.put("imageConfig", p.image().toJson());
      }
      ps.add(b.build());
    }
    return JsonObject.builder()
        .put("name", name)
        .put("descriptor", top.toJson())
        .put("platforms", new JsonArray(ps))
        .put("totalSize", totalSize)
        .build();
  }

  List<String> toTable() {
    List<String> lines = new ArrayList<>();
    lines.add("Name:       " + name);
    lines.add("MediaType:  " + top.mediaType());
    lines.add("Digest:     " + top.digest());
    lines.add("Size:       " + top.size());
    lines.add(
        "Platforms:  "
            + String.join(", ", platforms.stream().map(PlatformImage::platform).toList()));
    lines.add("Total size: " + ImagesCommand.humanSize(totalSize) + " (" + totalSize + " bytes)");
    for (PlatformImage p : platforms) {
      lines.add("");
      lines.add(p.platform());
      lines.add(
          "  Manifest: "
              + p.manifest().digest()
              + "  "
              + p.manifest().mediaType()
              + "  "
              + p.manifest().size());
      lines.add(
          "  Config:   "
              + p.config().digest()
              + "  "
              + p.config().mediaType()
              + "  "
              + p.config().size());
      long sum = p.layers().stream().mapToLong(Descriptor::size).sum();
      lines.add("  Layers:   " + p.layers().size() + " (" + ImagesCommand.humanSize(sum) + ")");
      for (Descriptor l : p.layers()) {
        lines.add("    " + l.digest() + "  " + l.mediaType() + "  " + l.size());
      }
      if (p.image() != null) {
        settings(p.image(), lines);
      }
    }
    return lines;
  }

  /** The config's settings, one a line (lists over several), empty ones left out; its history. */
  private static void settings(ImageConfig image, List<String> lines) {
    ImageConfig.ContainerConfig c = image.config();
    if (image.created() != null) {
      setting(lines, "Created", List.of(image.created().toString()));
    }
    setting(lines, "Author", optional(image.author()));
    setting(lines, "User", optional(c.user()));
    setting(lines, "WorkingDir", optional(c.workingDir()));
    setting(lines, "Env", c.env());
    setting(lines, "Entrypoint", array(c.entrypoint()));
    setting(lines, "Cmd", array(c.cmd()));
    setting(lines, "Shell", array(c.shell()));
    setting(
        lines,
        "ExposedPorts",
        c.exposedPorts().isEmpty() ? List.of() : List.of(String.join(", ", c.exposedPorts())));
    setting(
        lines,
        "Volumes",
        c.volumes().isEmpty() ? List.of() : List.of(String.join(", ", c.volumes())));
    setting(lines, "StopSignal", optional(c.stopSignal()));
    setting(
        lines,
        "Healthcheck",
        c.healthcheck() == null ? List.of() : List.of(c.healthcheck().toJson().toJson()));
    setting(lines, "OnBuild", c.onBuild());
    List<String> labels = new ArrayList<>();
    c.labels().forEach((k, v) -> labels.add(k + "=" + v));
    setting(lines, "Labels", labels);
    lines.add(String.format(Locale.ROOT, "  %-14s%d entries", "History:", image.history().size()));
    for (ImageConfig.History h : image.history()) {
      lines.add(
          "    "
              + (h.createdBy() == null ? "" : h.createdBy())
              + (h.emptyLayer() ? "  [no layer]" : ""));
    }
  }

  /** {@code " Name: value"}, further values aligned below the first. */
  private static void setting(List<String> lines, String name, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      lines.add(String.format(Locale.ROOT, "  %-14s%s", i == 0 ? name + ":" : "", values.get(i)));
    }
  }

  private static List<String> optional(String value) {
    return value == null ? List.of() : List.of(value);
  }

  /** A command as docker shows it: a JSON array. */
  private static List<String> array(List<String> argv) {
    return argv.isEmpty() ? List.of() : List.of(JsonArray.ofStrings(argv).toJson());
  }
}
