package dev.slimbuild.cli;

import dev.slimbuild.core.cache.CachePrune;
import dev.slimbuild.core.image.ImageSummary;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slimbuild images}: lists the local store. The store is {@code --store DIR} (hidden, for
 * tests and scripts), else {@code $SLIMBUILD_STORE}, else {@code $XDG_DATA_HOME/slimbuild/store},
 * else {@code ~/.local/share/slimbuild/store}; the environment comes from {@link Main#env()}.
 */
@Command(name = "images", description = "List the images in the local store.")
final class ImagesCommand implements Callable<Integer> {

  enum Format {
    table,
    json
  }

  @CommandLine.ParentCommand Main main;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--format", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format = Format.table;

  @CommandLine.Mixin StoreFlag storeFlag;

  @Override
  public Integer call() throws IOException {
    LocalStore local = storeFlag.open(main.env());
    List<String[]> rows = new ArrayList<>();
    List<JsonValue> json = new ArrayList<>();
    for (LocalStore.Entry e : local.list()) {
      ImageSummary s = ImageSummary.of(local.blobs(), e.descriptor());
      List<String> platforms = s.platforms().stream().map(Platform::toString).toList();
      rows.add(
          new String[] {
            e.name().familiar(),
            e.descriptor().digest().algorithm() + ":" + e.descriptor().digest().shortHex(),
            String.join(",", platforms),
            humanSize(s.size())
          });
      json.add(
          JsonObject.builder()
              .put("name", e.name().toString())
              .put("digest", e.descriptor().digest().toString())
              .put("mediaType", e.descriptor().mediaType())
              .put("platforms", JsonArray.ofStrings(platforms))
              .put("size", s.size())
              .build());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(new JsonArray(json).toJson());
    } else {
      printTable(out, new String[] {"NAME", "DIGEST", "PLATFORMS", "SIZE"}, rows);
      var cache = CachePrune.usage(local);
      if (cache.records() > 0) {
        out.println();
        out.println(
            "build cache: "
                + cache.records()
                + " records, "
                + humanSize(cache.bytes())
                + " in "
                + cache.blobs()
                + " blobs besides the images ('slimbuild prune' reclaims"
                + " them)");
      }
    }
    out.flush();
    return 0;
  }

  /** {@code header} and {@code rows} in columns three spaces apart. */
  static void printTable(PrintWriter out, String[] header, List<String[]> rows) {
    int[] width = new int[header.length];
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : all) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(width[i] - r[i].length() + 3));
        }
      }
      out.println(sb);
    }
  }

  /** Decimal units as Docker prints sizes: 999B, 1.23kB, 45.6MB. */
  static String humanSize(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    if (u == 0) {
      return bytes + "B";
    }
    String s = String.format(Locale.ROOT, "%.3g", v);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s + units[u];
  }
}
