package dev.slimbuild.core.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OciSchemasTest {
  private static final String D =
      "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

  @Test
  void acceptsValidAndReportsInvalidDocuments() {
    String ok = "{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"" + D + "\"}";
    assertThat(OciSchemas.problems("descriptor", ok.getBytes(StandardCharsets.UTF_8))).isEmpty();
    String badType = "{\"mediaType\":\"ab\",\"size\":1,\"digest\":\"" + D + "\"}";
    assertThat(OciSchemas.problems("descriptor", badType.getBytes(StandardCharsets.UTF_8)))
        .isNotEmpty();
    String noLayers = "{\"schemaVersion\":2,\"config\":" + ok + ",\"layers\":[]}";
    assertThatThrownBy(
            () -> OciSchemas.validate("manifest", noLayers.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void resolvesReferencesAcrossFilesOffline() {
    // The size of a layer is checked by a $ref from the manifest schema into defs-descriptor.json.
    String bad =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\""
            + D
            + "\"},\"layers\":[{\"mediaType\":\"a/b\",\"size\":-1,\"digest\":\""
            + D
            + "\"}]}";
    assertThat(OciSchemas.problems("manifest", bad.getBytes(StandardCharsets.UTF_8)))
        .anySatisfy(m -> assertThat(m).contains("size"));
  }
}
