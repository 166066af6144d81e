package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.OciSchemas;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
  @TempDir Path dir;

  @Test
  void locationFollowsTheEnvironment() {
    assertThat(LocalStore.defaultRoot(Map.of("SLIMBUILD_STORE", "/s", "XDG_DATA_HOME", "/x")))
        .isEqualTo(Path.of("/s"));
    assertThat(LocalStore.defaultRoot(Map.of("XDG_DATA_HOME", "/x", "HOME", "/h")))
        .isEqualTo(Path.of("/x/slimbuild/store"));
    assertThat(LocalStore.defaultRoot(Map.of("XDG_DATA_HOME", "rel", "HOME", "/h")))
        .isEqualTo(Path.of("/h/.local/share/slimbuild/store"));
  }

  @Test
  void putListResolveAndReplace() throws IOException {
    LocalStore store = new LocalStore(dir);
    BuiltImage one =
        TestImages.image(store.blobs(), Platform.parse("linux/amd64"), Map.of("f", "1"));
    BuiltImage two =
        TestImages.image(store.blobs(), Platform.parse("linux/amd64"), Map.of("f", "2"));
    ImageReference app = ImageReference.parse("app");
    ImageReference other = ImageReference.parse("registry.example.com/other:3");
    store.put(app, one.descriptor());
    store.put(other, one.descriptor());
    assertThat(store.resolve(app))
        .hasValueSatisfying(d -> assertThat(d.digest()).isEqualTo(one.manifest().digest()));

    store.put(app, two.descriptor());
    assertThat(store.list())
        .extracting(e -> e.name().toString() + " " + e.descriptor().digest())
        .containsExactly(
            "docker.io/library/app:latest " + two.manifest().digest(),
            "registry.example.com/other:3 " + one.manifest().digest());
    assertThat(store.resolve(ImageReference.parse("nothing"))).isEmpty();

    byte[] index = Files.readAllBytes(dir.resolve("index.json"));
    OciSchemas.validate("index", index);
    assertThat(new String(index, StandardCharsets.UTF_8))
        .contains("\"org.opencontainers.image.ref.name\":\"docker.io/library/app:latest\"");
    assertThat(dir.resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
    // The store is a valid layout for other tools: every entry validates.
    for (LocalStore.Entry e : store.list()) {
      new ImageValidator(store.blobs()).validate(e.descriptor());
    }
    // A second instance sees the same content.
    assertThat(new LocalStore(dir).list()).hasSize(2);
  }
}
