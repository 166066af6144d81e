package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesCommandTest {
  @TempDir Path dir;

  @Test
  void listsTheStoreNamedBySlimbuildStore() throws Exception {
    LocalStore store = new LocalStore(dir.resolve("store"));
    BuiltImage one =
        TestImages.image(store.blobs(), Platform.parse("linux/amd64"), Map.of("f", "1"));
    BuiltImage arm =
        TestImages.image(store.blobs(), Platform.parse("linux/arm64"), Map.of("f", "2"));
    ImageIndex idx = ImageIndex.assemble(store.blobs(), List.of(one, arm), Map.of());
    store.put(ImageReference.parse("app:1"), one.descriptor());
    store.put(ImageReference.parse("registry.example.com/multi"), idx.descriptor());

    Map<String, String> env = Map.of("SLIMBUILD_STORE", dir.resolve("store").toString());
    Run table = run(env, "images");
    assertThat(table.code()).as(table.err()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("NAME").contains("DIGEST", "PLATFORMS", "SIZE");
    assertThat(lines.get(1))
        .startsWith("app:1 ")
        .contains("sha256:" + one.manifest().digest().shortHex() + " ")
        .contains("linux/amd64 ");
    assertThat(lines.get(2))
        .startsWith("registry.example.com/multi:latest")
        .contains("linux/amd64,linux/arm64");

    Run json = run(env, "images", "--format", "json");
    assertThat(json.code()).isZero();
    JsonArray arr = (JsonArray) Json.parse(json.out().trim());
    JsonObject first = (JsonObject) arr.get(0);
    assertThat(first.get("name").orElseThrow().toJson()).isEqualTo("\"docker.io/library/app:1\"");
    assertThat(first.get("digest").orElseThrow().toJson())
        .isEqualTo("\"" + one.manifest().digest() + "\"");
    long expectedSize =
        one.manifest().size() + one.manifest().value().config().size() + one.layersSize();
    assertThat(first.get("size").orElseThrow().toJson()).isEqualTo(Long.toString(expectedSize));
  }

  @Test
  void hiddenStoreOptionAndEmptyStore() {
    Run r = run(Map.of(), "images", "--store", dir.resolve("empty").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out().trim()).isEqualTo("NAME   DIGEST   PLATFORMS   SIZE");
    Run j = run(Map.of("XDG_DATA_HOME", dir.toString()), "images", "--format", "json");
    assertThat(j.out().trim()).isEqualTo("[]");
  }

  @Test
  void humanSizes() {
    assertThat(ImagesCommand.humanSize(999)).isEqualTo("999B");
    assertThat(ImagesCommand.humanSize(1234)).isEqualTo("1.23kB");
    assertThat(ImagesCommand.humanSize(45_600_000)).isEqualTo("45.6MB");
    assertThat(ImagesCommand.humanSize(2_000_000_000L)).isEqualTo("2GB");
  }
}
