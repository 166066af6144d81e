package dev.slimbuild.core.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordsTest {
  static final Digest D = Digest.sha256Of("x");

  @Test
  void platformParsesAndNormalises() {
    Platform p = Platform.parse("linux/arm64/v8");
    assertThat(p.toString()).isEqualTo("linux/arm64/v8");
    assertThat(p.matches(Platform.parse("linux/arm64"))).isTrue();
    assertThat(Platform.parse("linux/x86_64").matches(Platform.parse("linux/amd64"))).isTrue();
    assertThat(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v7"))).isTrue();
    assertThat(Platform.parse("linux/arm/v6").matches(Platform.parse("linux/arm/v7"))).isFalse();
    assertThat(Platform.parse("linux/x86_64").key()).isEqualTo(Platform.parse("linux/amd64"));
    assertThat(new Platform("windows", "amd64", null, "10.0.1", List.of("win32k")).key())
        .isEqualTo(Platform.parse("windows/amd64"));
    assertThat(p.toJson().toJson())
        .isEqualTo("{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}");
    assertThatThrownBy(() -> Platform.parse("linux")).hasMessageContaining("os/arch");
    assertThatThrownBy(() -> Platform.parse("linux//v7"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "app,docker.io/library/app:latest,app:latest",
    "app:1,docker.io/library/app:1,app:1",
    "user/app,docker.io/user/app:latest,user/app:latest",
    "index.docker.io/library/app:2,docker.io/library/app:2,app:2",
    "localhost/app,localhost/app:latest,localhost/app:latest",
    "registry.example.com:5000/team/app:v1.2,registry.example.com:5000/team/app:v1.2,registry.example.com:5000/team/app:v1.2",
  })
  void referencesNormaliseLikeDocker(String in, String full, String familiar) {
    ImageReference r = ImageReference.parse(in);
    assertThat(r.toString()).isEqualTo(full);
    assertThat(r.familiar()).isEqualTo(familiar);
  }

  @Test
  void digestReferences() {
    ImageReference r = ImageReference.parse("app@" + D);
    assertThat(r.tag()).isNull();
    assertThat(r.digest()).isEqualTo(D);
    assertThat(r.toString()).isEqualTo("docker.io/library/app@" + D);
    assertThat(r.tagOrLatest()).isEqualTo("latest");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "App", "app:", "app:-x", "a//b", "app@sha256:12", ":1", "-app"})
  void invalidReferencesSayWhy(String in) {
    assertThatThrownBy(() -> ImageReference.parse(in))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("invalid image reference \"" + in + "\": ");
  }

  @Test
  void configIsWrittenAsBuildKitWritesIt() {
    ImageConfig.ContainerConfig cc =
        ImageConfig.ContainerConfig.builder()
            .user("app")
            .exposedPorts(List.of("8080/tcp", "443/tcp"))
            .env(List.of("PATH=/bin", "X=<a&b>"))
            .entrypoint(List.of("/entry"))
            .cmd(List.of("run"))
            .volumes(List.of("/data"))
            .workingDir("/work")
            .labels(Map.of("z", "1", "a", "2"))
            .stopSignal("SIGTERM")
            .healthcheck(
                new ImageConfig.Healthcheck(List.of("CMD", "true"), 30_000_000_000L, 0, 0, 0, 3))
            .build();
    ImageConfig c =
        ImageConfig.of(Platform.parse("linux/arm64/v8"), cc, List.of(D))
            .withCreated(Instant.ofEpochSecond(0, 500_000_000))
            .withHistory(
                List.of(new ImageConfig.History(Instant.EPOCH, "RUN x", null, null, true)));
    String expected =
        "{\"architecture\":\"arm64\",\"config\":{\"User\":\"app\","
            + "\"ExposedPorts\":{\"443/tcp\":{},\"8080/tcp\":{}},"
            + "\"Env\":[\"PATH=/bin\",\"X=\\u003ca\\u0026b\\u003e\"],\"Entrypoint\":[\"/entry\"],"
            + "\"Cmd\":[\"run\"],\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/work\","
            + "\"Labels\":{\"a\":\"2\",\"z\":\"1\"},\"StopSignal\":\"SIGTERM\","
            + "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000,\"Retries\":3}},"
            + "\"created\":\"1970-01-01T00:00:00.5Z\","
            + "\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"RUN x\",\"empty_layer\":true}],"
            + "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + D
            + "\"]},\"variant\":\"v8\"}";
    assertThat(new String(c.toBytes(), StandardCharsets.UTF_8)).isEqualTo(expected);
    OciSchemas.validate("config", c.toBytes());
    assertThat(ImageConfig.parse(c.toBytes())).isEqualTo(c);
    assertThatThrownBy(() -> ImageConfig.ContainerConfig.builder().env(List.of("=x")).build())
        .hasMessageContaining("NAME=value");
  }

  @Test
  void manifestAndIndexAreCanonicalAndValid() {
    Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, D, 10);
    Descriptor layer = Descriptor.of(MediaType.OCI_LAYER_TAR_ZSTD, D, 20);
    Manifest m = Manifest.oci(config, List.of(layer)).withAnnotations(Map.of("b", "2", "a", "1"));
    String json = new String(m.toBytes(), StandardCharsets.UTF_8);
    assertThat(json)
        .isEqualTo(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaType.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\""
                + MediaType.OCI_CONFIG
                + "\",\"digest\":\""
                + D
                + "\",\"size\":10},\"layers\":[{\"mediaType\":\""
                + MediaType.OCI_LAYER_TAR_ZSTD
                + "\",\"digest\":\""
                + D
                + "\",\"size\":20}],\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}");
    OciSchemas.validate("manifest", m.toBytes());
    RawJson<Manifest> raw = RawJson.parse(m.toBytes(), Manifest::parse);
    assertThat(raw.digest()).isEqualTo(Digest.sha256Of(m.toBytes()));
    assertThat(raw.value()).isEqualTo(m);

    Index idx =
        Index.oci(
            List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, D, 5)
                    .withPlatform(Platform.parse("linux/amd64"))));
    OciSchemas.validate("index", idx.toBytes());
    assertThat(Index.parse(idx.toBytes())).isEqualTo(idx);
    OciSchemas.validate("descriptor", layer.toJson().toJson().getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Manifest.oci(config, List.of()))
        .hasMessageContaining("at least one layer");
  }

  @Test
  void rawBytesKeepTheirDigestEvenWhenNotCanonical() {
    byte[] pretty = "{ \"schemaVersion\": 2, \"manifests\": [] }".getBytes(StandardCharsets.UTF_8);
    RawJson<Index> raw = RawJson.parse(pretty, Index::parse);
    assertThat(raw.digest()).isEqualTo(Digest.sha256Of(pretty));
    assertThat(raw.bytes()).isEqualTo(pretty);
    assertThat(raw.value().toBytes()).isNotEqualTo(pretty);
  }
}
