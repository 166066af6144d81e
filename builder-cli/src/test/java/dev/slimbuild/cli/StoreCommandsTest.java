package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store's commands through the CLI, on images a real build put there: {@code tag}, {@code
 * rmi} (with the build cache keeping what its records use), {@code df}, {@code inspect}'s config,
 * and the top-level help.
 */
class StoreCommandsTest {
  @TempDir Path dir;

  private Run cli(String... args) {
    return BuildFixtures.runIn(dir, Map.of(), args);
  }

  private Path store() {
    return dir.resolve("store");
  }

  /** A FROM scratch context of two COPY layers, {@code a.txt} then {@code FILE}. */
  private Path context(String name, String file, String extra) throws IOException {
    Path ctx = dir.resolve(name);
    write(
        ctx.resolve("Dockerfile"),
        "FROM scratch\nCOPY a.txt /a.txt\nCOPY " + file + " /" + file + "\n" + extra);
    write(ctx.resolve("a.txt"), "shared\n");
    write(ctx.resolve(file), name + "\n");
    return ctx;
  }

  private Run build(Path ctx, String name) {
    Run r = cli("build", "--progress", "quiet", "-t", name, ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return r;
  }

  private JsonNode inspect(String name) throws IOException {
    Run r = cli("inspect", "--format", "json", name);
    assertThat(r.code()).as(r.err()).isZero();
    return BuildFixtures.JSON.readTree(r.out());
  }

  /** The layer digests of a single-platform image. */
  private List<String> layers(JsonNode inspection) {
    List<String> out = new ArrayList<>();
    inspection
        .get("platforms")
        .get(0)
        .get("layers")
        .forEach(l -> out.add(l.get("digest").asText()));
    return out;
  }

  private boolean hasBlob(String digest) {
    return Files.exists(store().resolve("blobs").resolve(digest.replace(':', '/')));
  }

  private List<Path> blobFiles() throws IOException {
    Path d = store().resolve("blobs/sha256");
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.toList();
    }
  }

  private long blobBytes() throws IOException {
    long sum = 0;
    for (Path p : blobFiles()) {
      sum += Files.size(p);
    }
    return sum;
  }

  private long records() throws IOException {
    long n = 0;
    for (String kind : List.of("steps", "stages")) {
      try (Stream<Path> s = Files.list(store().resolve("cache").resolve(kind))) {
        n += s.filter(p -> p.toString().endsWith(".json")).count();
      }
    }
    return n;
  }

  /** {@code slimbuild df --format json} as type to [total, size, reclaimable]. */
  private Map<String, List<Long>> df() throws IOException {
    Run r = cli("df", "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, List<Long>> out = new LinkedHashMap<>();
    for (JsonNode row : BuildFixtures.JSON.readTree(r.out())) {
      out.put(
          row.get("type").asText(),
          List.of(
              row.get("total").asLong(),
              row.get("size").asLong(),
              row.get("reclaimable").asLong()));
    }
    return out;
  }

  @Test
  void tagNamesTheSameImageAndRmiRemovesOnlyWhatNothingElseUses() throws Exception {
    Run built = build(context("one", "b.txt", ""), "app:1");

    Run tag = cli("tag", "app:1", "registry.example.com/team/app:2");
    assertThat(tag.code()).as(tag.err()).isZero();
    Run images = cli("images");
    assertThat(images.out().lines().filter(l -> l.contains(built.digest().substring(7, 19))))
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).startsWith("app:1 "))
        .anySatisfy(l -> assertThat(l).startsWith("registry.example.com/team/app:2 "));
    assertThat(inspect("registry.example.com/team/app:2").get("descriptor").get("digest").asText())
        .isEqualTo(built.digest());

    // every blob is an image's: df counts them once, under the images
    Map<String, List<Long>> df = df();
    assertThat(df.get("images")).containsExactly(2L, blobBytes(), 0L);
    assertThat(df.get("buildCache")).containsExactly(records(), 0L, 0L);
    assertThat(df.get("unpackedLayers")).containsExactly(0L, 0L, 0L);
    assertThat(df.get("unusedBlobs")).containsExactly(0L, 0L, 0L);
    Run table = cli("df");
    assertThat(table.out().lines().toList().get(0)).matches("TYPE +TOTAL +SIZE +RECLAIMABLE");
    assertThat(table.out()).containsPattern("(?m)^Images +2 +\\S+ +0B");

    // the other name keeps everything
    List<Path> before = blobFiles();
    Run first = cli("rmi", "app:1");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("untagged: app:1 (" + built.digest() + ")")
        .contains("deleted 0 blobs, 0B");
    assertThat(blobFiles()).containsExactlyInAnyOrderElementsOf(before);

    // a name not in the store: nothing is removed
    Run missing = cli("rmi", "registry.example.com/team/app:2", "nope");
    BuildFixtures.assertInputError(missing);
    assertThat(missing.err()).contains("no image 'nope:latest' in the local store");
    assertThat(cli("images").out()).contains("registry.example.com/team/app:2");

    // the last name: the manifest and config go, the layers stay for the cache records
    List<String> layers = layers(inspect("registry.example.com/team/app:2"));
    String config =
        inspect("registry.example.com/team/app:2")
            .get("platforms")
            .get(0)
            .get("config")
            .get("digest")
            .asText();
    Run last = cli("rmi", "registry.example.com/team/app:2");
    assertThat(last.code()).as(last.err()).isZero();
    assertThat(last.out())
        .contains("deleted 2 blobs")
        .contains("2 blobs (")
        .contains("stay for the build cache");
    assertThat(hasBlob(built.digest())).isFalse();
    assertThat(hasBlob(config)).isFalse();
    assertThat(layers).hasSize(2).allMatch(this::hasBlob);
    assertThat(cli("images").out()).doesNotContain("app:");
    df = df();
    assertThat(df.get("images")).containsExactly(0L, 0L, 0L);
    assertThat(df.get("buildCache")).containsExactly(records(), blobBytes(), blobBytes());

    // prune reclaims them
    Run prune = cli("prune");
    assertThat(prune.code()).as(prune.err()).isZero();
    assertThat(blobFiles()).isEmpty();
    assertThat(df().get("buildCache")).containsExactly(0L, 0L, 0L);
  }

  @Test
  void rmiDeletesAtOnceWhatNoRecordUsesButKeepsWhatAnotherImageUses() throws Exception {
    build(context("one", "b.txt", ""), "one:1");
    build(context("two", "c.txt", ""), "two:1");
    List<String> one = layers(inspect("one:1"));
    List<String> two = layers(inspect("two:1"));
    assertThat(one.get(0)).isEqualTo(two.get(0)); // COPY a.txt: the same layer
    Run prune = cli("prune"); // no record is left to keep a blob
    assertThat(prune.code()).as(prune.err()).isZero();
    assertThat(df().get("buildCache")).containsExactly(0L, 0L, 0L);

    Run r = cli("rmi", "one:1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("deleted 3 blobs").doesNotContain("build cache");
    assertThat(hasBlob(one.get(0))).as("two:1 uses it").isTrue();
    assertThat(hasBlob(one.get(1))).isFalse();
    assertThat(two).allMatch(this::hasBlob);
    Run still = cli("inspect", "two:1");
    assertThat(still.code()).as(still.err()).isZero();
    assertThat(df().get("images").get(1)).isEqualTo(blobBytes());

    Run rest = cli("rmi", "two:1");
    assertThat(rest.code()).as(rest.err()).isZero();
    assertThat(blobFiles()).isEmpty();
  }

  @Test
  void tagAndRmiErrorsNameTheirInput() throws Exception {
    build(context("one", "b.txt", ""), "app:1");
    Run noSource = cli("tag", "nope:1", "x:1");
    BuildFixtures.assertInputError(noSource);
    assertThat(noSource.err()).contains("no image nope:1 in the local store (" + store() + ")");
    Run badTarget = cli("tag", "app:1", "Bad Name");
    BuildFixtures.assertInputError(badTarget);
    assertThat(badTarget.err()).contains("Bad Name");
    Run badName = cli("rmi", "app:1", "a//b");
    BuildFixtures.assertInputError(badName);
    assertThat(badName.err()).contains("a//b");
    assertThat(cli("images").out()).contains("app:1");
    Run none = cli("rmi");
    assertThat(none.code()).isEqualTo(2);
  }

  @Test
  void inspectShowsTheConfigAsDockerImageInspectDoes() throws Exception {
    Path ctx =
        context(
            "cfg",
            "b.txt",
            "ENV X=1 Y=\"two words\"\nLABEL org.example.a=b\n"
                + "EXPOSE 80 443/udp\nUSER 1000\nWORKDIR /app\nENTRYPOINT [\"/a\"]\nCMD [\"x\"]\n");
    build(ctx, "cfg:1");
    Run r = cli("inspect", "cfg:1");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    // what inspect printed before stays: the layers follow the config's descriptor
    int at = lines.indexOf("linux/amd64");
    assertThat(at).isPositive();
    // two COPYs and WORKDIR's directory
    assertThat(lines.get(at + 3)).startsWith("  Layers:   3 (");
    assertThat(lines.subList(at + 7, lines.size()))
        .containsSequence(
            "  Created:      1970-01-01T00:00:00Z",
            "  User:         1000",
            "  WorkingDir:   /app",
            "  Env:          PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "                X=1",
            "                Y=two words",
            "  Entrypoint:   [\"/a\"]",
            "  Cmd:          [\"x\"]",
            "  ExposedPorts: 443/udp, 80/tcp",
            "  Labels:       org.example.a=b",
            "  History:      9 entries",
            "    COPY a.txt /a.txt # buildkit",
            "    COPY b.txt /b.txt # buildkit",
            "    ENV X=1 Y=two words  [no layer]");

    JsonNode json = inspect("cfg:1").get("platforms").get(0);
    assertThat(json.get("config").get("digest").asText()).startsWith("sha256:");
    JsonNode image = json.get("imageConfig");
    JsonNode c = image.get("config");
    assertThat(BuildFixtures.texts(c.get("Env"))).contains("X=1", "Y=two words");
    assertThat(BuildFixtures.texts(c.get("Entrypoint"))).containsExactly("/a");
    assertThat(BuildFixtures.texts(c.get("Cmd"))).containsExactly("x");
    assertThat(c.get("User").asText()).isEqualTo("1000");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/app");
    assertThat(c.get("Labels").get("org.example.a").asText()).isEqualTo("b");
    assertThat(c.get("ExposedPorts").has("80/tcp")).isTrue();
    assertThat(image.get("history")).hasSize(9);
    assertThat(image.get("history").get(2).get("empty_layer").asBoolean()).isTrue();
    assertThat(image.get("rootfs").get("diff_ids")).hasSize(3);
  }

  @Test
  void topLevelHelpSummariesAreWholeSentences() {
    Run help = cli("--help");
    assertThat(help.code()).isZero();
    List<String> lines = help.out().lines().toList();
    int at = lines.indexOf("Commands:");
    assertThat(at).isPositive();
    // each command's summary, its wrapped lines joined
    Map<String, String> summaries = new LinkedHashMap<>();
    String last = null;
    for (String l : lines.subList(at + 1, lines.size())) {
      Matcher m = Pattern.compile("  (\\S+) +(.*)").matcher(l);
      if (m.matches()) {
        last = m.group(1);
        summaries.put(last, m.group(2).trim());
      } else {
        summaries.put(last, summaries.get(last) + " " + l.trim());
      }
    }
    assertThat(summaries.keySet())
        .contains(
            "build", "tag", "rmi", "df", "prune", "inspect", "push", "sign", "verify", "parse");
    assertThat(summaries)
        .allSatisfy(
            (name, text) -> {
              assertThat(text).as(name).endsWith(".");
              // one sentence: no second one begins within the summary
              assertThat(text.substring(0, text.length() - 1))
                  .as(name)
                  .doesNotContainPattern("\\. [A-Z]");
            });
  }
}
