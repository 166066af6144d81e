package dev.slimbuild.bench;

import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.run.Overlay;
import dev.slimbuild.core.run.Rootfs;
import dev.slimbuild.core.run.RootfsWriter;
import dev.slimbuild.core.run.Snapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The RUN snapshot on a distro-like rootfs: materialises a generated tree (many small files, a few
 * large ones, symlinks), touches one file, and times {@link Snapshot#diff} against {@code tar -cf -
 * -C DIR . | wc -c} on the same directory in the same run; as root also the overlay path ({@link
 * Snapshot#diffUpper} of the upper directory after the same touch). Usage: {@code SnapshotBenchMain
 * DIR [--files N] [--mib M] [--reps R]}.
 */
public final class SnapshotBenchMain {
  private static final String MARKER = ".slimbuild-snapshot-source";

  private SnapshotBenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: SnapshotBenchMain DIR [--files N] [--mib M] [--reps R]");
      System.exit(2);
    }
    Path base = Path.of(args[0]);
    int files = 20_000;
    long mib = 300;
    int reps = 7;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--files":
          files = Integer.parseInt(args[++i]);
          break;
        case "--mib":
          mib = Long.parseLong(args[++i]);
          break;
        case "--reps":
          reps = Integer.parseInt(args[++i]);
          break;
        default:
          throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path src = base.resolve("source");
    List<LayerEntry> entries = source(src, files, mib << 20);
    FileTree tree = new FileTree().apply(entries);

    Path work = base.resolve("work");
    deleteTree(work);
    long t0 = System.nanoTime();
    Rootfs fs = RootfsWriter.forCurrentUser().materialise(tree, work);
    double materialise = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "materialised %d paths in %.2f s%n", fs.size(), materialise);

    // the RUN: one file touched
    Path touched = work.resolve(entries.get(entries.size() / 2).path());
    Files.setLastModifiedTime(
        touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 1000));

    double[] diff = new double[reps];
    double[] tar = new double[reps];
    int layerSize = 0;
    long tarBytes = 0;
    double first = 0;
    for (int r = 0; r < reps; r++) {
      long s = System.nanoTime();
      List<LayerEntry> layer = Snapshot.diff(fs, Set.of());
      diff[r] = (System.nanoTime() - s) / 1e9;
      if (r == 0) {
        first = diff[r];
      }
      layerSize = layer.size();
      s = System.nanoTime();
      tarBytes = tar(work);
      tar[r] = (System.nanoTime() - s) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "rep %d: diff %.3f s (%d entries)   tar | wc -c %.3f s (%d bytes)%n",
          r + 1,
          diff[r],
          layer.size(),
          tar[r],
          tarBytes);
    }
    System.out.printf(
        Locale.ROOT,
        "RESULT paths=%d tar_bytes=%d layer_entries=%d diff_first_s=%.3f diff_median_s=%.3f"
            + " tar_median_s=%.3f materialise_s=%.2f (goal: diff < 0.3 s)%n",
        fs.size(),
        tarBytes,
        layerSize,
        first,
        median(diff),
        median(tar),
        materialise);
    overlay(base.toAbsolutePath(), tree, entries.get(entries.size() / 2).path(), reps);
  }

  /**
   * The same RUN on the overlay path (root only): the lower directory written (hard links where the
   * source already is what the entry says), the file touched through the mount, and the snapshot
   * timed: it walks only the upper directory.
   */
  private static void overlay(Path base, FileTree tree, String touchedPath, int reps)
      throws IOException {
    Path probe = base.resolve("overlay-probe");
    deleteTree(probe);
    Files.createDirectories(probe);
    String why = Overlay.unavailable(probe); // deletes the probe directory
    if (why != null) {
      System.out.println("overlay path not measured: " + why);
      return;
    }
    Path lower = base.resolve("lower");
    Path upper = base.resolve("upper");
    Path ovlWork = base.resolve("overlay-work");
    Path merged = base.resolve("merged");
    for (Path d : List.of(lower, upper, ovlWork, merged)) {
      deleteTree(d);
    }
    for (Path d : List.of(upper, ovlWork, merged)) {
      Files.createDirectories(d);
    }
    long t0 = System.nanoTime();
    new RootfsWriter(true).writeLower(tree, lower);
    double written = (System.nanoTime() - t0) / 1e9;
    try (Overlay o = Overlay.mount(List.of(lower), upper, ovlWork, merged)) {
      Path touched = o.merged().resolve(touchedPath);
      Files.setLastModifiedTime(
          touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 1000));
    }
    double[] diff = new double[reps];
    int entries = 0;
    for (int r = 0; r < reps; r++) {
      long s = System.nanoTime();
      entries =
          Snapshot.diffUpper(
                  upper,
                  tree,
                  p ->
                      Files.exists(lower.resolve(p), LinkOption.NOFOLLOW_LINKS)
                          ? lower.resolve(p)
                          : null,
                  Set.of(),
                  true,
                  0,
                  0)
              .size();
      diff[r] = (System.nanoTime() - s) / 1e9;
    }
    System.out.printf(
        Locale.ROOT,
        "RESULT overlay: lower_written_s=%.2f diff_first_s=%.4f diff_median_s=%.4f"
            + " layer_entries=%d%n",
        written,
        diff[0],
        median(diff),
        entries);
    for (Path d : List.of(lower, upper, ovlWork, merged)) {
      deleteTree(d);
    }
  }

  private static long tar(Path dir) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", "tar -cf - -C \"$0\" . | wc -c", dir.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("tar failed: " + out);
    }
    return Long.parseLong(out.trim());
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /**
   * The model of a distro-like tree whose file contents are files under {@code src} (generated
   * once, seeded): sizes log-normally spread to {@code totalBytes}, every 40th path a symlink.
   */
  private static List<LayerEntry> source(Path src, int files, long totalBytes) throws IOException {
    String params = "files=" + files + " bytes=" + totalBytes + " v=1\n";
    Path marker = src.resolve(MARKER);
    boolean fresh = !(Files.isRegularFile(marker) && Files.readString(marker).equals(params));
    if (fresh) {
      deleteTree(src);
      Files.createDirectories(src);
    }
    Random r = new Random(7);
    double[] w = new double[files];
    double sum = 0;
    for (int i = 0; i < files; i++) {
      w[i] = Math.exp(r.nextGaussian() * 1.6);
      sum += w[i];
    }
    List<LayerEntry> entries = new ArrayList<>();
    byte[] buf = new byte[1 << 16];
    for (int i = 0; i < files; i++) {
      String path =
          String.format(
              Locale.ROOT,
              "usr/%s/pkg%03d/d%d/f%05d",
              i % 3 == 0 ? "lib" : "share",
              i % 400,
              i % 4,
              i);
      if (i % 40 == 39) {
        entries.add(LayerEntry.symlink(path, "../../pkg000/d0/f00000", 0, 0));
        continue;
      }
      long size = (long) (totalBytes * w[i] / sum);
      Path f = src.resolve("f" + i);
      if (fresh) {
        try (OutputStream out = Files.newOutputStream(f)) {
          for (long left = size; left > 0; ) {
            r.nextBytes(buf);
            int n = (int) Math.min(buf.length, left);
            out.write(buf, 0, n);
            left -= n;
          }
        }
      }
      entries.add(
          LayerEntry.file(path, i % 10 == 0 ? 0755 : 0644, 0, 0, size, ContentSource.ofPath(f)));
    }
    if (fresh) {
      Files.writeString(marker, params);
    }
    return entries;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setAttribute(p, "unix:mode", 0700);
        }
        Files.delete(p);
      }
    }
  }
}
