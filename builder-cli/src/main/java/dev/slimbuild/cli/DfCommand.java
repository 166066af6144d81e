package dev.slimbuild.cli;

import dev.slimbuild.core.cache.StoreUsage;
import dev.slimbuild.core.optimize.Sizes;
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

/** {@code slimbuild df}: the local store's disk use, as {@code docker system df} shows Docker's. */
@Command(
    mixinStandardHelpOptions = true,
    name = "df",
    description = {
      "Show the local store's disk use.",
      "Images, the build cache, unpacked layers and blobs nothing uses, with what 'slimbuild"
          + " prune' reclaims (the build cache) and what 'slimbuild prune --all' reclaims (also"
          + " unpacked layers and unused blobs)."
    })
final class DfCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--format", description = "Output format: ${COMPLETION-CANDIDATES}.")
  ImagesCommand.Format format = ImagesCommand.Format.table;

  @CommandLine.Mixin StoreFlag storeFlag;

  private record Line(String type, String key, StoreUsage.Row row) {}

  @Override
  public Integer call() throws IOException {
    StoreUsage u = StoreUsage.of(storeFlag.open(main.env()));
    List<Line> lines =
        List.of(
            new Line("Images", "images", u.images()),
            new Line("Build cache", "buildCache", u.cache()),
            new Line("Unpacked layers", "unpackedLayers", u.unpacked()),
            new Line("Unused blobs", "unusedBlobs", u.unused()));
    PrintWriter out = spec.commandLine().getOut();
    if (format == ImagesCommand.Format.json) {
      List<JsonValue> rows = new ArrayList<>();
      for (Line l : lines) {
        rows.add(
            JsonObject.builder()
                .put("type", l.key())
                .put("total", l.row().count())
                .put("size", l.row().bytes())
                .put("reclaimable", l.row().reclaimable())
                .build());
      }
      out.println(new JsonArray(rows).toJson());
    } else {
      List<String[]> rows = new ArrayList<>();
      for (Line l : lines) {
        StoreUsage.Row r = l.row();
        rows.add(
            new String[] {
              l.type(),
              Integer.toString(r.count()),
              Sizes.format(r.bytes()),
              Sizes.format(r.reclaimable()) + percent(r)
            });
      }
      ImagesCommand.printTable(out, new String[] {"TYPE", "TOTAL", "SIZE", "RECLAIMABLE"}, rows);
    }
    out.flush();
    return 0;
  }

  /** " (45%)" of the row's bytes, as docker prints it; nothing for an empty row. */
  private static String percent(StoreUsage.Row r) {
    return r.bytes() == 0
        ? ""
        : String.format(Locale.ROOT, " (%d%%)", Math.round(100.0 * r.reclaimable() / r.bytes()));
  }
}
