package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.TarFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance corpus derived from BuildKit's Dockerfile frontend integration tests ({@code
 * frontend/dockerfile/dockerfile_*_test.go} of moby/buildkit): each directory of {@code
 * src/test/conformance/} is one case, built through the CLI and compared with what BuildKit's test
 * asserts. See {@code src/test/conformance/README.md} for the format.
 *
 * <p>A case with {@code "known": "reason"} fails today for that reason: it must still fail (and is
 * counted apart); once it passes, this test fails until the field is removed, so the data cannot go
 * stale.
 */
class ConformanceIT {
  static final Path CASES = Path.of("src/test/conformance");
  private static final AtomicInteger PASSED = new AtomicInteger();
  private static final List<String> KNOWN = new ArrayList<>();

  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");

  @TempDir static Path dir;

  @TestFactory
  Stream<DynamicTest> corpus() throws IOException {
    // -Dconformance.cases=REGEX runs only the cases whose name matches, e.g. while fixing one
    String only = System.getProperty("conformance.cases", "");
    List<Path> cases;
    try (Stream<Path> s = Files.list(CASES)) {
      cases =
          s.filter(Files::isDirectory)
              .filter(c -> only.isEmpty() || c.getFileName().toString().matches(only))
              .sorted()
              .toList();
    }
    assertThat(cases).hasSizeGreaterThan(only.isEmpty() ? 100 : 0);
    return cases.stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> runCase(c)));
  }

  @AfterAll
  static void summary() throws IOException {
    String text =
        "conformance corpus: "
            + (PASSED.get() + KNOWN.size())
            + " cases, "
            + PASSED.get()
            + " pass, "
            + KNOWN.size()
            + " known failures\n"
            + String.join("", KNOWN.stream().map(k -> "  known: " + k + "\n").toList());
    System.out.print(text);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/conformance-summary.txt"), text);
  }

  private static void runCase(Path caseDir) throws Exception {
    String name = caseDir.getFileName().toString();
    JsonNode spec = BuildFixtures.JSON.readTree(caseDir.resolve("case.json").toFile());
    assertThat(spec.path("source").asText()).as(name + ": source").isNotEmpty();
    String known = spec.path("known").asText(null);
    AssertionError failure = null;
    try {
      check(name, caseDir, spec);
    } catch (AssertionError e) {
      failure = e;
    }
    if (known == null) {
      if (failure != null) {
        throw failure;
      }
      PASSED.incrementAndGet();
    } else if (failure == null) {
      fail(name + " is marked known (" + known + ") but passes now: remove its \"known\"");
    } else {
      synchronized (KNOWN) {
        KNOWN.add(name + " (" + known + ")");
      }
    }
  }

  private static void check(String name, Path caseDir, JsonNode spec) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    Path ctx = work.resolve("context");
    copyContext(caseDir.resolve("context"), ctx);
    setup(ctx, spec.path("setup"));
    Path dockerfile = ctx.resolve(spec.path("dockerfile").asText("Dockerfile"));
    String text = Files.readString(dockerfile);
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--progress",
                "plain",
                "-o",
                "type=oci,tar=false,dest=" + work.resolve("out")));
    // @BUSYBOX@ is the suite's busybox base, HOST/base/busybox:1; @REGISTRY@ is HOST
    if (text.contains("@BUSYBOX@") || text.contains("@REGISTRY@")) {
      text = text.replace("@BUSYBOX@", registry.base()).replace("@REGISTRY@", registry.host());
      Files.writeString(dockerfile, text);
      args.addAll(List.of("--insecure-registry", registry.host()));
    }
    if (spec.has("dockerfile")) {
      args.addAll(List.of("-f", dockerfile.toString()));
    }
    spec.path("args").forEach(a -> args.add(a.asText()));
    args.add(ctx.toString());
    BuildFixtures.Run r = BuildFixtures.runIn(work, Map.of(), args.toArray(String[]::new));
    JsonNode expect = spec.path("expect");
    String why = name + " (" + spec.path("source").asText() + ")\n" + r.err();
    for (JsonNode w : expect.path("stderr")) {
      assertThat(r.err()).as(why).contains(w.asText());
    }
    if (expect.has("error")) {
      assertThat(r.code()).as(why).isEqualTo(1);
      JsonNode error = expect.get("error");
      for (JsonNode part : error.isArray() ? error : List.of(error)) {
        assertThat(r.err()).as(why).contains(part.asText());
      }
      return;
    }
    assertThat(r.code()).as(why).isZero();
    BuildCommandTest.validate(work.resolve("out")); // schemas and ImageValidator, as every build
    BuildFixtures.Image image = BuildFixtures.image(work.resolve("out"));
    Map<String, TarFile> fs = rootfs(image);
    checkFiles(why, fs, expect.path("files"));
    for (JsonNode a : expect.path("absent")) {
      assertThat(fs).as(why + "\nabsent").doesNotContainKey(a.asText());
    }
    if (expect.has("paths")) {
      List<String> paths = new ArrayList<>();
      expect.get("paths").forEach(p -> paths.add(p.asText()));
      assertThat(new TreeSet<>(fs.keySet()))
          .as(why + "\nall paths")
          .containsExactlyElementsOf(new TreeSet<>(paths));
    }
    JsonNode config = image.config().path("config");
    for (Iterator<Map.Entry<String, JsonNode>> it = expect.path("config").properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode actual = config.get(f.getKey());
      if (f.getValue().isNull()) {
        assertThat(actual == null || actual.isNull())
            .as(why + "\nconfig " + f.getKey() + ": " + actual)
            .isTrue();
      } else {
        assertThat(actual).as(why + "\nconfig " + f.getKey()).isEqualTo(f.getValue());
      }
    }
    if (expect.has("historyTail")) {
      JsonNode want = expect.get("historyTail");
      JsonNode got = image.config().path("history");
      assertThat(got.size()).as(why + "\nhistory length").isGreaterThanOrEqualTo(want.size());
      for (int i = 0; i < want.size(); i++) {
        JsonNode h = got.get(got.size() - want.size() + i);
        JsonNode w = want.get(i);
        assertThat(h.path("created_by").asText())
            .as(why + "\nhistory " + i)
            .contains(w.path("contains").asText());
        if (w.has("empty")) {
          assertThat(h.path("empty_layer").asBoolean(false))
              .as(why + "\nhistory " + i + " empty_layer")
              .isEqualTo(w.get("empty").asBoolean());
        }
      }
    }
    if (expect.has("layers")) {
      assertThat(image.layers().size())
          .as(why + "\nlayers")
          .isEqualTo(expect.get("layers").asInt());
    }
    if (expect.has("history")) {
      List<String> want = new ArrayList<>();
      expect.get("history").forEach(h -> want.add(h.asText()));
      List<String> got = new ArrayList<>();
      image.config().path("history").forEach(h -> got.add(h.path("created_by").asText()));
      assertThat(got).as(why + "\nhistory").containsExactlyElementsOf(want);
    }
  }

  /**
   * Expected files: a path to its content, or to {type, content, contains, notContains, mode, uid,
   * gid, link} ({} only asks that it exists).
   */
  private static void checkFiles(String why, Map<String, TarFile> fs, JsonNode files) {
    for (Iterator<Map.Entry<String, JsonNode>> it = files.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String path = f.getKey();
      TarFile actual = fs.get(path);
      assertThat(actual).as(why + "\nmissing " + path).isNotNull();
      JsonNode want = f.getValue();
      if (want.isTextual()) {
        assertThat(actual.type()).as(why + "\n" + path + " type").isEqualTo('f');
        assertThat(actual.text()).as(why + "\n" + path).isEqualTo(want.asText());
        continue;
      }
      if (want.has("type")) {
        char type =
            switch (want.get("type").asText()) {
              case "dir" -> 'd';
              case "symlink" -> 'l';
              case "hardlink" -> 'h';
              default -> 'f';
            };
        assertThat(actual.type()).as(why + "\n" + path + " type").isEqualTo(type);
      }
      if (want.has("content")) {
        assertThat(actual.text()).as(why + "\n" + path).isEqualTo(want.get("content").asText());
      }
      for (JsonNode part : want.path("contains")) {
        assertThat(actual.text()).as(why + "\n" + path).contains(part.asText());
      }
      for (JsonNode part : want.path("notContains")) {
        assertThat(actual.text()).as(why + "\n" + path).doesNotContain(part.asText());
      }
      if (want.has("mode")) {
        assertThat(Integer.toOctalString(actual.mode()))
            .as(why + "\n" + path + " mode")
            .isEqualTo(Integer.toOctalString(Integer.parseInt(want.get("mode").asText(), 8)));
      }
      if (want.has("uid")) {
        assertThat(actual.uid()).as(why + "\n" + path + " uid").isEqualTo(want.get("uid").asLong());
      }
      if (want.has("gid")) {
        assertThat(actual.gid()).as(why + "\n" + path + " gid").isEqualTo(want.get("gid").asLong());
      }
      if (want.has("link")) {
        assertThat(actual.link())
            .as(why + "\n" + path + " link")
            .isEqualTo(want.get("link").asText());
      }
    }
  }

  /** The image's files: every layer applied in order, whiteouts and opaque directories honoured. */
  static Map<String, TarFile> rootfs(BuildFixtures.Image image) throws IOException {
    Map<String, TarFile> fs = new TreeMap<>();
    for (int i = 0; i < image.layers().size(); i++) {
      for (TarFile f : image.layerFiles(i)) {
        String parent =
            f.name().contains("/") ? f.name().substring(0, f.name().lastIndexOf('/')) : "";
        String base = f.name().substring(f.name().lastIndexOf('/') + 1);
        String prefix = parent.isEmpty() ? "" : parent + "/";
        if (base.equals(".wh..wh..opq")) {
          fs.keySet().removeIf(p -> p.startsWith(prefix) && !p.equals(parent));
        } else if (base.startsWith(".wh.")) {
          String gone = prefix + base.substring(4);
          fs.keySet().removeIf(p -> p.equals(gone) || p.startsWith(gone + "/"));
        } else {
          if (f.type() != 'd') {
            fs.keySet().removeIf(p -> p.startsWith(f.name() + "/"));
          }
          fs.put(f.name(), f);
        }
      }
    }
    return fs;
  }

  /** Copies the case's context; files get mode 0644 and directories 0755 unless set up else. */
  private static void copyContext(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(p, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }

  /**
   * What git cannot carry: {@code dirs} (empty directories), {@code files} (path to text, e.g.
   * without a final newline), {@code symlinks} (path to target), {@code tars} (archives made by
   * code), {@code modes} (path to octal).
   */
  private static void setup(Path ctx, JsonNode setup) throws IOException {
    for (JsonNode d : setup.path("dirs")) {
      Files.createDirectories(ctx.resolve(d.asText()));
    }
    setup
        .path("files")
        .properties()
        .iterator()
        .forEachRemaining(
            f -> {
              try {
                Path p = ctx.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue().asText(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    setup
        .path("symlinks")
        .properties()
        .iterator()
        .forEachRemaining(
            f -> {
              try {
                Path p = ctx.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.createSymbolicLink(p, Path.of(f.getValue().asText()));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    setup
        .path("tars")
        .properties()
        .iterator()
        .forEachRemaining(
            f -> {
              try {
                writeTar(ctx.resolve(f.getKey()), f.getValue());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    setup
        .path("modes")
        .properties()
        .iterator()
        .forEachRemaining(
            f -> {
              try {
                Files.setPosixFilePermissions(
                    ctx.resolve(f.getKey()),
                    PosixFilePermissions.fromString(
                        perms(Integer.parseInt(f.getValue().asText(), 8))));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /**
   * A tar archive made by code (gzip-compressed when the name ends with {@code .gz}): each entry a
   * {@code name} with {@code content}, or {@code type} dir or symlink ({@code link}), and a mode.
   */
  private static void writeTar(Path file, JsonNode entries) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream raw = Files.newOutputStream(file);
        OutputStream out = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (JsonNode e : entries) {
        String type = e.path("type").asText("file");
        TarArchiveEntry entry =
            switch (type) {
              case "dir" -> new TarArchiveEntry(e.get("name").asText());
              case "symlink" -> {
                var l = new TarArchiveEntry(e.get("name").asText(), TarConstants.LF_SYMLINK);
                l.setLinkName(e.get("link").asText());
                yield l;
              }
              default -> new TarArchiveEntry(e.get("name").asText());
            };
        entry.setMode(
            Integer.parseInt(e.path("mode").asText(type.equals("dir") ? "755" : "644"), 8)
                | (type.equals("dir") ? 040000 : type.equals("symlink") ? 0120000 : 0100000));
        byte[] data = e.path("content").asText("").getBytes(StandardCharsets.UTF_8);
        if (type.equals("file")) {
          entry.setSize(data.length);
        }
        tar.putArchiveEntry(entry);
        if (type.equals("file")) {
          tar.write(data);
        }
        tar.closeArchiveEntry();
      }
    }
  }

  private static String perms(int mode) {
    String all = "rwxrwxrwx";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 9; i++) {
      b.append((mode & (1 << (8 - i))) != 0 ? all.charAt(i) : '-');
    }
    return b.toString();
  }
}
