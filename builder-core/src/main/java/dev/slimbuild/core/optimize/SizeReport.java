package dev.slimbuild.core.optimize;

import dev.slimbuild.core.layer.Count;
import dev.slimbuild.core.layer.LayerSavings;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The sizes of one platform's image: each layer, what was left out, the total against the base.
 * {@code omitted} are the steps of the image's stages whose layers optimisation emptied (their
 * savings still count).
 */
public record SizeReport(Platform platform, List<LayerReport> layers, List<LayerReport> omitted) {
  public SizeReport {
    Objects.requireNonNull(platform, "platform");
    layers = List.copyOf(layers);
    omitted = List.copyOf(omitted);
    if (layers.stream().anyMatch(l -> l.layer() == null)) {
      throw new IllegalArgumentException("an image layer without a blob");
    }
  }

  /** The compressed size of every layer (what a pull downloads). */
  public long compressedSize() {
    return layers.stream().mapToLong(l -> l.layer().size()).sum();
  }

  /** The compressed size of the base image's layers. */
  public long baseCompressedSize() {
    return layers.stream().filter(LayerReport::isBase).mapToLong(l -> l.layer().size()).sum();
  }

  /** The compressed size of the layers this build made. */
  long addedCompressedSize() {
    return compressedSize() - baseCompressedSize();
  }

  /** Everything left out of the layers this build made. */
  public LayerSavings savings() {
    LayerSavings s = LayerSavings.NONE;
    for (LayerReport l : layers) {
      s = s.plus(l.savings());
    }
    for (LayerReport l : omitted) {
      s = s.plus(l.savings());
    }
    return s;
  }

  /** The report as a text table (lines end with '\n'). */
  public String render() {
    StringBuilder b = new StringBuilder();
    long base = baseCompressedSize();
    long added = addedCompressedSize();
    b.append(
        String.format(
            Locale.ROOT,
            "%s: %d layers, %s compressed = base %s + %s added%s%n",
            platform,
            layers.size(),
            Sizes.format(compressedSize()),
            Sizes.format(base),
            Sizes.format(added),
            base > 0 ? String.format(Locale.ROOT, " (+%.1f%%)", 100.0 * added / base) : ""));
    b.append(
        String.format(
            Locale.ROOT,
            "  %3s  %9s  %9s  %6s  %9s  %9s  %9s  %s%n",
            "#",
            "SIZE",
            "TAR",
            "FILES",
            "STRIPPED",
            "DEDUP",
            "WASTED",
            "INSTRUCTION"));
    int i = 1;
    for (LayerReport l : layers) {
      String what =
          l.isBase()
              ? "(base) " + l.layer().digest().toString().substring(0, 19)
              : "["
                  + l.stage()
                  + (l.line() > 0 ? " line " + l.line() : "")
                  + "] "
                  + oneLine(l.instruction());
      b.append(
          String.format(
              Locale.ROOT,
              "  %3d  %9s  %9s  %6s  %9s  %9s  %9s  %s%n",
              i++,
              Sizes.format(l.layer().size()),
              l.uncompressedSize() < 0 ? "-" : Sizes.format(l.uncompressedSize()),
              l.files() < 0 ? "-" : Long.toString(l.files()),
              l.isBase() ? "-" : Sizes.format(l.savings().strippedTotal().bytes()),
              l.isBase() ? "-" : Sizes.format(l.savings().deduplicated().bytes()),
              l.isBase() ? "-" : Sizes.format(l.savings().wasted().bytes()),
              what));
    }
    for (LayerReport l : omitted) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %3s  %9s  %9s  %6s  %9s  %9s  %9s  %s%n",
              "-",
              "no layer",
              "-",
              "-",
              Sizes.format(l.savings().strippedTotal().bytes()),
              Sizes.format(l.savings().deduplicated().bytes()),
              Sizes.format(l.savings().wasted().bytes()),
              "["
                  + l.stage()
                  + " line "
                  + l.line()
                  + "] "
                  + oneLine(l.instruction())
                  + " (everything left out)"));
    }
    LayerSavings s = savings();
    if (!s.stripped().isEmpty()) {
      List<String> parts = new ArrayList<>();
      s.stripped()
          .forEach(
              (rule, c) -> parts.add(rule + " " + c.files() + " files " + Sizes.format(c.bytes())));
      b.append("  stripped: ").append(String.join("; ", parts)).append('\n');
    }
    if (s.hardlinked().files() > 0) {
      b.append("  hardlinked: ")
          .append(s.hardlinked().files())
          .append(" files ")
          .append(Sizes.format(s.hardlinked().bytes()))
          .append('\n');
    }
    return b.toString();
  }

  private static String oneLine(String text) {
    String s = text.replace('\n', ' ');
    return s.length() > 100 ? s.substring(0, 97) + "..." : s;
  }

  /** The same figures as JSON. */
  public JsonObject toJson() {
    List<JsonValue> ls = new ArrayList<>();
    for (LayerReport l : layers) {
      JsonObject.Builder o =
          JsonObject.builder()
              .put("digest", l.layer().digest().toString())
              .put("mediaType", l.layer().mediaType())
              .put("compressedSize", l.layer().size())
              .put("base", l.isBase());
      if (!l.isBase()) {
        o.put("stage", l.stage())
            .put("instruction", l.instruction())
            .put("line", l.line())
            .put("uncompressedSize", l.uncompressedSize())
            .put("files", l.files())
            .put("savings", savingsJson(l.savings()));
      }
      ls.add(o.build());
    }
    List<JsonValue> om = new ArrayList<>();
    for (LayerReport l : omitted) {
      om.add(
          JsonObject.builder()
              .put("stage", l.stage())
              .put("instruction", l.instruction())
              .put("line", l.line())
              .put("savings", savingsJson(l.savings()))
              .build());
    }
    return JsonObject.builder()
        .put("platform", platform.toString())
        .put("compressedSize", compressedSize())
        .put("baseCompressedSize", baseCompressedSize())
        .put("addedCompressedSize", addedCompressedSize())
        .put("layers", new JsonArray(ls))
        .put("omittedLayers", new JsonArray(om))
        .put("savings", savingsJson(savings()))
        .build();
  }

  private static JsonObject savingsJson(LayerSavings s) {
    JsonObject.Builder rules = JsonObject.builder();
    for (Map.Entry<String, Count> e : s.stripped().entrySet()) {
      rules.put(e.getKey(), count(e.getValue()));
    }
    return JsonObject.builder()
        .put("stripped", rules.build())
        .put("strippedBytes", s.strippedTotal().bytes())
        .put("deduplicated", count(s.deduplicated()))
        .put("wasted", count(s.wasted()))
        .put("hardlinked", count(s.hardlinked()))
        .build();
  }

  private static JsonObject count(Count c) {
    return JsonObject.builder().put("files", c.files()).put("bytes", c.bytes()).build();
  }
}
