package dev.slimbuild.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.Count;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hook every new layer goes through, driven directly (RUN layers included). */
class LayerOptimizerTest {
  private final AtomicInteger opens = new AtomicInteger();

  private LayerEntry file(String path, String text) {
    return file(path, text, 0644, 0, 0);
  }

  private LayerEntry file(String path, String text, int mode, int uid, int gid) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return LayerEntry.file(path, mode, uid, gid, b.length, counting(b));
  }

  /** A fresh content source (not equal to any other), counting how often it is read. */
  private ContentSource counting(byte[] b) {
    return new ContentSource() {
      @Override
      public InputStream open() {
        opens.incrementAndGet();
        return new ByteArrayInputStream(b);
      }
    };
  }

  private static List<String> paths(Layer.Planned l) {
    return l.entries().stream()
        .map(e -> e.type() == EntryType.WHITEOUT ? e.tarName() : e.path())
        .sorted()
        .toList();
  }

  private static Layer.Planned one(
      OptimizeOptions o, FileTree lower, String createdBy, String home, List<LayerEntry> entries)
      throws IOException {
    return new LayerOptimizer(o)
        .optimizeStage(lower, List.of(new Layer.Changes(entries, createdBy, home)), false)
        .get(0);
  }

  @Test
  void runLayerLosesTmpAndAptListsWithCountsPerRule() throws IOException {
    List<LayerEntry> run =
        List.of(
            LayerEntry.dir("tmp", 01777, 0, 0),
            file("tmp/build.log", "12345"),
            LayerEntry.dir("var", 0755, 0, 0),
            LayerEntry.dir("var/lib", 0755, 0, 0),
            LayerEntry.dir("var/lib/apt", 0755, 0, 0),
            LayerEntry.dir("var/lib/apt/lists", 0755, 0, 0),
            file("var/lib/apt/lists/a_InRelease", "1234567890"),
            file("var/lib/apt/lists/b_Packages", "123"),
            LayerEntry.dir("usr", 0755, 0, 0),
            LayerEntry.dir("usr/bin", 0755, 0, 0),
            file("usr/bin/curl", "curl"));
    Layer.Planned l =
        one(OptimizeOptions.defaults(), new FileTree(), "RUN apt-get update", "/root", run);
    assertThat(paths(l))
        .containsExactly(
            "tmp",
            "usr",
            "usr/bin",
            "usr/bin/curl",
            "var",
            "var/lib",
            "var/lib/apt",
            "var/lib/apt/lists");
    assertThat(l.savings().stripped())
        .containsExactly(Map.entry("apt", new Count(2, 13)), Map.entry("tmp", new Count(1, 5)));
    // the same entries from COPY keep /tmp: the tmp rule is for RUN layers only
    Layer.Planned copy = one(OptimizeOptions.defaults(), new FileTree(), "COPY . /", "/root", run);
    assertThat(paths(copy))
        .contains("tmp/build.log")
        .doesNotContain("var/lib/apt/lists/b_Packages");
    // --no-strip
    OptimizeOptions noStrip = new OptimizeOptions(StripRules.none(), true, true, false, false);
    assertThat(one(noStrip, new FileTree(), "RUN x", "/root", run).entries()).hasSize(run.size());
  }

  @Test
  void strippedDirectoryTakesItsSubtreeAndKeepPatternsWin() throws IOException {
    List<LayerEntry> run =
        List.of(
            LayerEntry.dir("home", 0755, 0, 0),
            LayerEntry.dir("home/app", 0700, 1000, 1000),
            LayerEntry.dir("home/app/.cache", 0700, 1000, 1000),
            LayerEntry.dir("home/app/.cache/pip", 0700, 1000, 1000),
            file("home/app/.cache/pip/wheel.whl", "wheel", 0644, 1000, 1000),
            file("home/app/.cache/pip/keep.txt", "k", 0644, 1000, 1000));
    Layer.Planned l =
        one(OptimizeOptions.defaults(), new FileTree(), "RUN pip install x", "/home/app", run);
    assertThat(paths(l)).containsExactly("home", "home/app", "home/app/.cache");
    assertThat(l.savings().stripped().get("pip")).isEqualTo(new Count(2, 6));

    OptimizeOptions keep =
        new OptimizeOptions(
            StripRules.of(List.of("~/.cache/pip/keep.txt"), List.of()), true, true, false, false);
    Layer.Planned k = one(keep, new FileTree(), "RUN pip install x", "/home/app", run);
    // the kept file brings its parent directory back, with its own metadata
    assertThat(paths(k))
        .containsExactly(
            "home",
            "home/app",
            "home/app/.cache",
            "home/app/.cache/pip",
            "home/app/.cache/pip/keep.txt");
    assertThat(
            k.entries().stream()
                .filter(e -> e.path().equals("home/app/.cache/pip"))
                .findFirst()
                .orElseThrow()
                .mode())
        .isEqualTo(0700);
  }

  @Test
  void whiteoutsAreNeverStripped() throws IOException {
    List<LayerEntry> run =
        List.of(LayerEntry.whiteout("var/cache/apk/old.apk"), LayerEntry.whiteout("tmp/x"));
    assertThat(one(OptimizeOptions.defaults(), new FileTree(), "RUN rm", "/root", run).entries())
        .hasSize(2);
  }

  @Test
  void filesTheLowerLayersHoldIdenticallyAreLeftOutComparingSizeFirst() throws IOException {
    FileTree lower =
        new FileTree()
            .apply(
                List.of(
                    LayerEntry.dir("usr", 0755, 0, 0),
                    LayerEntry.dir("usr/lib", 0755, 0, 0),
                    file("usr/lib/same", "same bytes"),
                    file("usr/lib/other-content", "aaaa"),
                    file("usr/lib/other-mode", "mode"),
                    file("usr/lib/other-owner", "owner"),
                    file("usr/lib/other-size", "short"),
                    LayerEntry.symlink("usr/lib/link", "same", 0, 0),
                    LayerEntry.symlink("usr/lib/link2", "same", 0, 0)));
    opens.set(0);
    List<LayerEntry> copy =
        List.of(
            LayerEntry.dir("usr", 0755, 0, 0),
            LayerEntry.dir("usr/lib", 0755, 0, 0),
            file("usr/lib/same", "same bytes"),
            file("usr/lib/other-content", "bbbb"),
            file("usr/lib/other-mode", "mode", 0755, 0, 0),
            file("usr/lib/other-owner", "owner", 0644, 1, 1),
            file("usr/lib/other-size", "longer!"),
            file("usr/lib/new", "new"),
            LayerEntry.symlink("usr/lib/link", "same", 0, 0),
            LayerEntry.symlink("usr/lib/link2", "other", 0, 0));
    Layer.Planned l = one(OptimizeOptions.defaults(), lower, "COPY --from=b /usr /usr", null, copy);
    assertThat(paths(l))
        .containsExactly(
            "usr",
            "usr/lib",
            "usr/lib/link2",
            "usr/lib/new",
            "usr/lib/other-content",
            "usr/lib/other-mode",
            "usr/lib/other-owner",
            "usr/lib/other-size");
    assertThat(l.savings().deduplicated()).isEqualTo(new Count(2, 10));
    // only the two same-size pairs were read: same and other-content (other-mode and owner
    // differ in metadata, other-size in size)
    assertThat(opens.get()).isEqualTo(4);
  }

  @Test
  void nothingLeftMeansAnEmptyLayerAndEqualSourcesAreNotRead() throws IOException {
    ContentSource shared = counting("x".getBytes(StandardCharsets.UTF_8));
    FileTree lower = new FileTree().apply(List.of(LayerEntry.file("a", 0644, 0, 0, 1, shared)));
    opens.set(0);
    Layer.Planned l =
        one(
            OptimizeOptions.defaults(),
            lower,
            "COPY a /a",
            null,
            List.of(LayerEntry.file("a", 0644, 0, 0, 1, shared)));
    assertThat(l.entries()).isEmpty();
    assertThat(opens.get()).isZero();
  }

  @Test
  void eachContentIsHashedOncePerBuild() throws IOException {
    LayerEntry base = file("lib.so", "library");
    LayerOptimizer optimizer = new LayerOptimizer(OptimizeOptions.defaults());
    opens.set(0);
    for (int stage = 0; stage < 3; stage++) { // three stages (or platforms) on the same base
      FileTree lower = new FileTree().apply(List.of(base));
      Layer.Planned l =
          optimizer
              .optimizeStage(
                  lower,
                  List.of(new Layer.Changes(List.of(file("lib.so", "library")), "COPY", null)),
                  false)
              .get(0);
      assertThat(l.entries()).isEmpty();
    }
    // the base file once, each new source once
    assertThat(opens.get()).isEqualTo(4);
    assertThat(optimizer.hashedBytes()).isEqualTo(4 * 7);
  }

  @Test
  void entriesUnderAWhiteoutOrOpaqueOfTheSameLayerStay() throws IOException {
    FileTree lower =
        new FileTree()
            .apply(
                List.of(
                    LayerEntry.dir("d", 0755, 0, 0),
                    file("d/x", "x"),
                    LayerEntry.dir("e", 0755, 0, 0),
                    file("e/y", "y")));
    Layer.Planned l =
        one(
            OptimizeOptions.defaults(),
            lower,
            "RUN x",
            null,
            List.of(
                LayerEntry.opaque("d"),
                LayerEntry.dir("d", 0755, 0, 0),
                file("d/x", "x"),
                LayerEntry.whiteout("e"),
                LayerEntry.dir("e", 0755, 0, 0),
                file("e/y", "y")));
    assertThat(l.entries()).hasSize(6);
  }

  @Test
  void wastedBytesLeaveEarlierLayersOfTheStage() throws IOException {
    List<Layer.Changes> stage =
        List.of(
            new Layer.Changes(
                List.of(
                    LayerEntry.dir("app", 0755, 0, 0),
                    file("app/big.bin", "0123456789"),
                    file("app/keep", "k"),
                    LayerEntry.dir("app/build", 0755, 0, 0),
                    file("app/build/obj.o", "obj"),
                    file("app/conf", "old")),
                "COPY . /app",
                null),
            new Layer.Changes(
                List.of(LayerEntry.dir("app", 0755, 0, 0), file("app/conf", "new")),
                "COPY conf /app/conf",
                null),
            new Layer.Changes(
                List.of(LayerEntry.whiteout("app/big.bin"), LayerEntry.whiteout("app/build")),
                "RUN rm -rf app/big.bin app/build",
                null));
    List<Layer.Planned> out =
        new LayerOptimizer(OptimizeOptions.defaults()).optimizeStage(new FileTree(), stage, false);
    assertThat(paths(out.get(0))).containsExactly("app", "app/keep");
    assertThat(out.get(0).savings().wasted()).isEqualTo(new Count(3, 16));
    assertThat(paths(out.get(1))).containsExactly("app", "app/conf");
    assertThat(paths(out.get(2))).containsExactly("app/.wh.big.bin", "app/.wh.build");

    List<Layer.Planned> squashed =
        new LayerOptimizer(OptimizeOptions.defaults()).optimizeStage(new FileTree(), stage, true);
    assertThat(squashed).hasSize(1);
    assertThat(paths(squashed.get(0)))
        .containsExactly("app", "app/.wh.big.bin", "app/.wh.build", "app/conf", "app/keep");
    assertThat(text(squashed.get(0), "app/conf")).isEqualTo("new");
    assertThat(squashed.get(0).savings().wasted()).isEqualTo(new Count(3, 16));
  }

  @Test
  void aHardlinkWhoseFileIsLeftOutBecomesACopy() throws IOException {
    List<Layer.Changes> stage =
        List.of(
            new Layer.Changes(
                List.of(file("a", "data"), LayerEntry.hardlink("b", "a", 0644, 0, 0)),
                "COPY x /",
                null),
            new Layer.Changes(List.of(file("a", "replaced")), "COPY y /a", null));
    List<Layer.Planned> out =
        new LayerOptimizer(OptimizeOptions.defaults()).optimizeStage(new FileTree(), stage, false);
    assertThat(out.get(0).entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.path()).isEqualTo("b");
              assertThat(e.type()).isEqualTo(EntryType.FILE);
            });
    assertThat(text(out.get(0), "b")).isEqualTo("data");
  }

  @Test
  void hardlinkDuplicatesOnlyWhenAsked() throws IOException {
    List<LayerEntry> copy =
        List.of(
            file("a", "same"), file("b", "same"), file("c", "diff"), file("d", "same", 0755, 0, 0));
    assertThat(one(OptimizeOptions.defaults(), new FileTree(), "COPY", null, copy).entries())
        .allMatch(e -> e.type() == EntryType.FILE);
    OptimizeOptions links = new OptimizeOptions(StripRules.none(), true, true, true, false);
    Layer.Planned l = one(links, new FileTree(), "COPY", null, copy);
    List<String> types = new ArrayList<>();
    for (LayerEntry e : l.entries()) {
      types.add(e.path() + ":" + e.type() + (e.linkTarget() == null ? "" : "->" + e.linkTarget()));
    }
    assertThat(types).containsExactlyInAnyOrder("a:FILE", "b:HARDLINK->a", "c:FILE", "d:FILE");
    assertThat(l.savings().hardlinked()).isEqualTo(new Count(1, 4));
  }

  @Test
  void noneLeavesLayersAlone() throws IOException {
    FileTree lower = new FileTree().apply(List.of(file("x", "x")));
    List<LayerEntry> copy = List.of(file("x", "x"), file("tmp/y", "y"));
    assertThat(one(OptimizeOptions.none(), lower, "RUN", "/root", copy).entries()).hasSize(2);
  }

  private static String text(Layer.Planned l, String path) throws IOException {
    LayerEntry e =
        l.entries().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
    try (InputStream in = e.content().open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
