package dev.slimbuild.core.build;

import java.util.Locale;

/** When one RUN's phases ended, for its "RUN took" line. */
final class RunTiming {
  private final long start = System.nanoTime();
  private long prepared;
  private long ran;
  private long snapshotted;
  private long copied;

  void prepared() {
    prepared = System.nanoTime();
  }

  void ran() {
    ran = System.nanoTime();
  }

  void snapshotted() {
    snapshotted = System.nanoTime();
  }

  void copied() {
    copied = System.nanoTime();
  }

  String describe(boolean overlay, boolean imagesMounted, int entries) {
    return overlay
        ? String.format(
            Locale.ROOT,
            "overlay %.2fs (%s), command %.2fs, snapshot of the upper directory %.2fs"
                + " (%d entries)",
            (prepared - start) / 1e9,
            imagesMounted ? "layer images mounted" : "lower directory written",
            (ran - prepared) / 1e9,
            (snapshotted - ran) / 1e9,
            entries)
        : String.format(
            Locale.ROOT,
            "work directory %.2fs, command %.2fs, snapshot %.2fs (%d entries), copying the"
                + " layer's files %.2fs",
            (prepared - start) / 1e9,
            (ran - prepared) / 1e9,
            (snapshotted - ran) / 1e9,
            entries,
            (copied - snapshotted) / 1e9);
  }
}
