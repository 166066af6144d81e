package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.cache.CachePrune;
import dev.slimbuild.core.dockerfile.GoDuration;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.optimize.Sizes;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slimbuild prune}: reclaims the local store's build cache. */
@Command(
    mixinStandardHelpOptions = true,
    name = "prune",
    description = {
      "Remove build cache records from the local store.",
      "With them go the blobs and unpacked layers only they used (images in the store keep"
          + " theirs).",
      "Without options every record goes; --filter until= keeps the recently used ones and"
          + " --keep-storage the most recently used that fit. --all also removes pulled base"
          + " layers no image uses."
    },
    sortOptions = false)
final class PruneCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Also remove every blob and unpacked layer no image and no kept record uses.")
  boolean all;

  @Option(
      names = "--keep-storage",
      paramLabel = "SIZE",
      description = "Keep the most recently used records whose blobs fit in SIZE (10GB, 512MiB).")
  String keepStorage;

  @Option(
      names = "--filter",
      paramLabel = "until=DURATION",
      description = "Only records not used for DURATION (24h, 90m), as buildx's until filter.")
  List<String> filters = new ArrayList<>();

  @Option(
      names = {"-f", "--force"},
      description = "Accepted for buildx compatibility: slimbuild" + " never asks.")
  boolean force;

  @CommandLine.Mixin StoreFlag storeFlag;

  @Override
  public Integer call() throws IOException {
    OptionalLong keep =
        keepStorage == null ? OptionalLong.empty() : OptionalLong.of(Sizes.parse(keepStorage));
    Optional<Duration> until = Optional.empty();
    for (String f : filters) {
      if (!f.startsWith("until=")) {
        throw new SlimbuildException(
            "invalid --filter '" + f + "': only until=DURATION is" + " supported");
      }
      try {
        until = Optional.of(GoDuration.parse(f.substring("until=".length())));
      } catch (RuntimeException e) {
        throw new SlimbuildException("invalid --filter '" + f + "': " + e.getMessage());
      }
    }
    LocalStore store = storeFlag.open(main.env());
    CachePrune.Result r = CachePrune.prune(store, all, keep, until, Instant.now());
    spec.commandLine()
        .getOut()
        .println(
            "removed "
                + r.records()
                + " cache records, "
                + r.blobs()
                + " blobs, "
                + Sizes.format(r.bytes()));
    CachePrune.Usage u = CachePrune.usage(store);
    spec.commandLine()
        .getOut()
        .println(
            "build cache: "
                + u.records()
                + " records, "
                + Sizes.format(u.bytes())
                + " in "
                + u.blobs()
                + " blobs only the cache uses");
    return 0;
  }
}
