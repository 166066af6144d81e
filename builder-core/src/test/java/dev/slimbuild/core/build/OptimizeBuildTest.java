package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageValidator;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.layer.Count;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerReader;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageConfig.ContainerConfig;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.LayerReport;
import dev.slimbuild.core.optimize.OptimizeOptions;
import dev.slimbuild.core.optimize.SizeReport;
import dev.slimbuild.core.optimize.StripRules;
import dev.slimbuild.core.pull.RegistryImages;
import dev.slimbuild.core.pull.RegistryImages.PushedLayer;
import dev.slimbuild.core.registry.FakeRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimisations through {@link Builder}: a base in a {@link FakeRegistry}, COPY stages. */
class OptimizeBuildTest {
  private static final String HOST = "registry.test:5000";
  private static final String BASE = HOST + "/base:1";
  private static final Platform AMD64 = Platform.parse("linux/amd64");

  private static final String DOCKERFILE =
      """
      FROM %s AS builder
      COPY usr/ /usr/
      FROM %s
      COPY --from=builder /usr /usr
      COPY big.bin /opt/big.bin
      COPY small.txt /opt/big.bin
      COPY keep.txt /opt/
      USER app
      """
          .formatted(BASE, BASE);

  @TempDir Path dir;
  private final FakeRegistry reg = new FakeRegistry(HOST);
  private final List<BuildEvent> events = new ArrayList<>();
  private BlobStore store;

  @BeforeEach
  void setUp() throws IOException {
    store = new BlobStore(dir.resolve("store"));
    List<LayerEntry> root = new ArrayList<>(RegistryImages.rootfs("amd64"));
    root.add(LayerEntry.dir("usr/lib", 0755, 0, 0));
    root.add(RegistryImages.file("usr/lib/libc.so", "the C library\n".repeat(100), 0755, 0, 0));
    PushedLayer l = RegistryImages.layer(reg, "base", root, Compression.GZIP, false);
    ContainerConfig cc = ContainerConfig.builder().cmd(List.of("sh")).build();
    RegistryImages.tag(
        reg, "base", "1", RegistryImages.image(reg, "base", AMD64, cc, List.of(l), false));
    Path ctx = dir.resolve("ctx");
    write(ctx.resolve("usr/lib/libc.so"), "the C library\n".repeat(100)); // as in the base
    Files.setPosixFilePermissions(
        ctx.resolve("usr/lib/libc.so"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write(ctx.resolve("usr/lib/app.so"), "the app\n");
    write(ctx.resolve("usr/lib/python3/__pycache__/m.cpython-311.pyc"), "bytecode");
    write(ctx.resolve("big.bin"), "x".repeat(5000));
    write(ctx.resolve("small.txt"), "small\n");
    write(ctx.resolve("keep.txt"), "keep\n");
    write(ctx.resolve("Dockerfile"), DOCKERFILE);
  }

  private static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private BuildResult build(OptimizeOptions options) throws IOException {
    BuildRequest req = BuildRequest.of(dir.resolve("ctx"), List.of(AMD64));
    Builder b = new Builder(store, events::add, host -> reg);
    BuildResult r = b.build(req, options);
    b.fetchBaseLayers(r);
    assertThat(new ImageValidator(store).problems(r.image().descriptor())).isEmpty();
    // each layer the build wrote has its tar size recorded (a docker output needs it first)
    BuiltImage built = (BuiltImage) r.image();
    for (int i = 0; i < built.layers().size(); i++) {
      Descriptor l = built.layers().get(i);
      if (!r.baseLayers().containsKey(l.digest())) {
        assertThat(store.tarSize(built.config().value().diffIds().get(i)))
            .hasValue(TestImages.tarSize(store, l));
      }
    }
    return r;
  }

  @Test
  void copyFromBuilderAddsOnlyWhatDiffersAndOverwrittenBytesAreNotCarried() throws IOException {
    BuiltImage img = (BuiltImage) build(OptimizeOptions.defaults()).image();
    List<Descriptor> layers = img.layers();
    assertThat(layers).hasSize(5); // base + COPY --from + three COPYs
    // COPY --from=builder /usr /usr: the base's libc.so is left out, the app is in; the
    // builder's __pycache__ is stripped from this layer
    assertThat(paths(layers.get(1)))
        .containsExactly("usr", "usr/lib", "usr/lib/app.so", "usr/lib/python3");
    // the first COPY to /opt/big.bin is overwritten by the next one: not carried
    assertThat(paths(layers.get(2))).containsExactly("opt");
    assertThat(paths(layers.get(3))).containsExactly("opt", "opt/big.bin");
    // the image's files are those of the unoptimised build, minus the stripped cache
    Map<String, String> plain = files((BuiltImage) build(OptimizeOptions.none()).image());
    assertThat(plain).containsKey("usr/lib/python3/__pycache__/m.cpython-311.pyc");
    plain.keySet().removeIf(p -> p.contains("__pycache__"));
    assertThat(files(img)).isEqualTo(plain);
  }

  @Test
  void reportNamesEachLayerWithItsSavings() throws IOException {
    BuildResult r = build(OptimizeOptions.defaults());
    SizeReport rep = r.sizeReports().get(AMD64);
    assertThat(rep.layers()).hasSize(5);
    assertThat(rep.layers().get(0).isBase()).isTrue();
    LayerReport from = rep.layers().get(1);
    assertThat(from.instruction()).isEqualTo("COPY --from=builder /usr /usr");
    assertThat(from.line()).isEqualTo(4);
    assertThat(from.files()).isEqualTo(1);
    // libc.so and the /usr/bin/sh symlink were in the base already
    assertThat(from.savings().deduplicated()).isEqualTo(new Count(2, 1400));
    LayerReport overwritten = rep.layers().get(2);
    assertThat(overwritten.line()).isEqualTo(5);
    assertThat(overwritten.savings().wasted()).isEqualTo(new Count(1, 5000));
    assertThat(rep.compressedSize())
        .isEqualTo(((BuiltImage) r.image()).layers().stream().mapToLong(Descriptor::size).sum());
    assertThat(rep.baseCompressedSize()).isEqualTo(rep.layers().get(0).layer().size());
    assertThat(rep.render()).contains("line 4] COPY --from=builder /usr /usr", "(base) sha256:");
    // the builder stage keeps its bytecode (a later stage may read it: only the image is
    // slimmed); the COPY --from layer that would carry it into the image loses it
    assertThat(events)
        .filteredOn(e -> e instanceof BuildEvent.LayerWritten w && w.stage().equals("builder"))
        .singleElement()
        .satisfies(e -> assertThat(((BuildEvent.LayerWritten) e).strippedBytes()).isZero());
    assertThat(from.savings().strippedTotal()).isEqualTo(new Count(1, 8));
    // lints: the base by mutable tag? no (tag 1); runs as root? no (USER app)
    assertThat(r.warnings()).isEmpty();
  }

  @Test
  void squashMergesTheFinalStagesLayers() throws IOException {
    OptimizeOptions squash =
        new OptimizeOptions(StripRules.of(List.of(), List.of()), true, true, false, true);
    BuildResult r = build(squash);
    BuiltImage img = (BuiltImage) r.image();
    assertThat(img.layers()).hasSize(2);
    assertThat(paths(img.layers().get(1)))
        .containsExactly(
            "opt",
            "opt/big.bin",
            "opt/keep.txt",
            "usr",
            "usr/lib",
            "usr/lib/app.so",
            "usr/lib/python3");
    assertThat(img.config().value().history().stream().filter(h -> !h.emptyLayer()).count())
        .isEqualTo(2);
    Map<String, String> plain = files((BuiltImage) build(OptimizeOptions.defaults()).image());
    assertThat(files(img)).isEqualTo(plain);
  }

  @Test
  void noStripKeepsTheCacheAndNoOptimizeKeepsEverything() throws IOException {
    OptimizeOptions noStrip = new OptimizeOptions(StripRules.none(), true, true, false, false);
    BuiltImage img = (BuiltImage) build(noStrip).image();
    assertThat(paths(img.layers().get(1)))
        .contains("usr/lib/python3/__pycache__/m.cpython-311.pyc")
        .doesNotContain("usr/lib/libc.so");
    BuiltImage none = (BuiltImage) build(OptimizeOptions.none()).image();
    assertThat(paths(none.layers().get(1))).contains("usr/lib/libc.so");
    assertThat(paths(none.layers().get(2))).contains("opt/big.bin");
  }

  @Test
  void mutableTagAndRootAreWarnings() throws IOException {
    RegistryImages.tag(
        reg,
        "base",
        "latest",
        RegistryImages.image(
            reg,
            "base",
            AMD64,
            ContainerConfig.builder().cmd(List.of("sh")).build(),
            List.of(
                RegistryImages.layer(
                    reg, "base", RegistryImages.rootfs("amd64"), Compression.GZIP, false)),
            false));
    write(dir.resolve("ctx/Dockerfile"), "FROM " + HOST + "/base\nADD keep.txt /\n");
    BuildResult r = build(OptimizeOptions.defaults());
    assertThat(r.warnings()).hasSize(3);
    assertThat(r.warnings().get(0)).startsWith("Dockerfile:1: base image " + HOST + "/base");
    assertThat(r.warnings().get(1)).startsWith("Dockerfile:2: ADD of local files");
    assertThat(r.warnings().get(2)).startsWith("the image runs as root");
  }

  private List<String> paths(Descriptor layer) throws IOException {
    List<String> out = new ArrayList<>();
    try (LayerReader r = new LayerReader(store.open(layer.digest()))) {
      for (LayerEntry e; (e = r.next()) != null; ) {
        out.add(e.type() == EntryType.WHITEOUT ? e.tarName() : e.path());
      }
    }
    return out;
  }

  /** The image's merged files: path -> type, mode, owner and content or target. */
  private Map<String, String> files(BuiltImage img) throws IOException {
    TreeMap<String, String> state = new TreeMap<>();
    for (Descriptor d : img.layers()) {
      try (LayerReader r = new LayerReader(store.open(d.digest()))) {
        for (LayerEntry e; (e = r.next()) != null; ) {
          String p = e.path();
          switch (e.type()) {
            case WHITEOUT -> {
              state.remove(p);
              state.subMap(p + "/", p + "/\uffff").clear();
            }
            case OPAQUE -> state.subMap(p + "/", p + "/\uffff").clear();
            default -> {
              String meta =
                  e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid();
              String body = "";
              if (e.type() == EntryType.FILE) {
                try (InputStream in = e.content().open()) {
                  body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
              } else if (e.type() == EntryType.HARDLINK) {
                body = state.get(e.linkTarget());
              } else if (e.type() == EntryType.SYMLINK) {
                body = e.linkTarget();
              }
              state.put(p, meta + " " + body);
            }
          }
        }
      }
    }
    return state;
  }
}
