package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.image;
import static dev.slimbuild.cli.BuildFixtures.texts;
import static dev.slimbuild.cli.BuildFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.Image;
import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.cli.BuildFixtures.TarFile;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.ImageValidator;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.OciSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slimbuild build} through the CLI, in-process, reading the OCI layout it writes. */
class BuildCommandTest {
  @TempDir Path dir;

  private Run build(Path context, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", "--progress", "quiet"));
    args.addAll(List.of(extra));
    args.add(context.toString());
    return BuildFixtures.run(
        Map.of("SLIMBUILD_STORE", dir.resolve("store").toString()), args.toArray(new String[0]));
  }

  /** Builds into an OCI layout, asserts success, validates everything and reads it back. */
  private Image buildOci(Path context, String... extra) throws IOException {
    Path out = dir.resolve("out-" + Long.toHexString(System.nanoTime()));
    List<String> args = new ArrayList<>(List.of("-o", "type=oci,dest=" + out));
    args.addAll(List.of(extra));
    Run r = build(context, args.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.digest()).startsWith("sha256:");
    Image img = validate(out);
    assertThat(img.index().get("manifests").get(0).get("digest").asText()).isEqualTo(r.digest());
    return img;
  }

  /** Every document validates against the OCI schemas and ImageValidator finds nothing. */
  static Image validate(Path layout) throws IOException {
    OciSchemas.validate("layoutheader", Files.readAllBytes(layout.resolve("oci-layout")));
    OciSchemas.validate("index", Files.readAllBytes(layout.resolve("index.json")));
    JsonNode index = BuildFixtures.JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
    for (JsonNode m : index.get("manifests")) {
      checkDocument(layout, m);
      Descriptor top =
          Descriptor.of(m.get("mediaType").asText(), Digest.parse(m.get("digest").asText()),
              m.get("size").asLong());
      assertThat(new ImageValidator(new BlobStore(layout)).problems(top)).isEmpty();
    }
    return image(layout);
  }

  private static void checkDocument(Path layout, JsonNode desc) {
    String mt = desc.get("mediaType").asText();
    byte[] bytes = BuildFixtures.bytes(layout, desc.get("digest").asText());
    if (mt.contains("index")) {
      OciSchemas.validate("index", bytes);
      BuildFixtures.json(layout, desc.get("digest").asText())
          .get("manifests")
          .forEach(m -> checkDocument(layout, m));
    } else {
      OciSchemas.validate("manifest", bytes);
      JsonNode manifest = BuildFixtures.json(layout, desc.get("digest").asText());
      OciSchemas.validate(
          "config", BuildFixtures.bytes(layout, manifest.get("config").get("digest").asText()));
    }
  }

  private Path context(String dockerfile) throws IOException {
    Path ctx = Files.createTempDirectory(dir, "ctx");
    write(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  // ---------------------------------------------------------------- config instructions

  @Test
  void configInstructionsAndHistory() throws Exception {
    Path ctx =
        context(
            """
            ARG BASE=scratch
            FROM ${BASE}
            ARG VERSION=1.0
            ENV APP_HOME=/opt/app LEVEL=$VERSION
            LABEL org.example.version=$VERSION "quoted key"=yes
            WORKDIR $APP_HOME
            COPY app.txt .
            USER 1000:1000
            EXPOSE 8080 53/udp
            VOLUME ["/data"]
            SHELL ["/bin/bash", "-c"]
            STOPSIGNAL SIGTERM
            HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD check --now
            ENTRYPOINT ["/opt/app/run"]
            CMD echo hello
            WORKDIR /opt/app
            """);
    write(ctx.resolve("app.txt"), "app\n");
    Image img =
        buildOci(ctx, "--build-arg", "VERSION=2.5", "--label", "extra=1", "--platform",
            "linux/amd64", "--source-date-epoch", "1700000000");
    JsonNode cfg = img.config();
    assertThat(cfg.get("architecture").asText()).isEqualTo("amd64");
    assertThat(cfg.get("os").asText()).isEqualTo("linux");
    assertThat(cfg.get("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
    JsonNode c = cfg.get("config");
    assertThat(texts(c.get("Env")))
        .containsExactly(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "APP_HOME=/opt/app",
            "LEVEL=2.5");
    assertThat(c.get("Labels").get("org.example.version").asText()).isEqualTo("2.5");
    assertThat(c.get("Labels").get("quoted key").asText()).isEqualTo("yes");
    assertThat(c.get("Labels").get("extra").asText()).isEqualTo("1");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/opt/app");
    assertThat(c.get("User").asText()).isEqualTo("1000:1000");
    assertThat(iterableNames(c.get("ExposedPorts"))).containsExactlyInAnyOrder("8080/tcp", "53/udp");
    assertThat(iterableNames(c.get("Volumes"))).containsExactly("/data");
    assertThat(texts(c.get("Shell"))).containsExactly("/bin/bash", "-c");
    assertThat(c.get("StopSignal").asText()).isEqualTo("SIGTERM");
    assertThat(texts(c.get("Entrypoint"))).containsExactly("/opt/app/run");
    // CMD in shell form uses the SHELL set before it
    assertThat(texts(c.get("Cmd"))).containsExactly("/bin/bash", "-c", "echo hello");
    JsonNode hc = c.get("Healthcheck");
    assertThat(texts(hc.get("Test"))).containsExactly("CMD-SHELL", "check --now");
    assertThat(hc.get("Interval").asLong()).isEqualTo(30_000_000_000L);
    assertThat(hc.get("Timeout").asLong()).isEqualTo(5_000_000_000L);
    assertThat(hc.get("Retries").asInt()).isEqualTo(3);

    List<String> createdBy = new ArrayList<>();
    List<Boolean> empty = new ArrayList<>();
    for (JsonNode h : cfg.get("history")) {
      createdBy.add(h.get("created_by").asText());
      empty.add(h.has("empty_layer") && h.get("empty_layer").asBoolean());
      assertThat(h.get("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
    }
    assertThat(createdBy)
        .containsExactly(
            "ARG VERSION=2.5",
            "ENV APP_HOME=/opt/app LEVEL=2.5",
            "LABEL org.example.version=2.5 quoted key=yes",
            "WORKDIR /opt/app",
            "COPY app.txt . # buildkit",
            "USER 1000:1000",
            "EXPOSE [8080/tcp 53/udp]",
            "VOLUME [/data]",
            "SHELL [/bin/bash -c]",
            "STOPSIGNAL SIGTERM",
            "HEALTHCHECK [\"CMD-SHELL\" \"check --now\"]",
            "ENTRYPOINT [\"/opt/app/run\"]",
            "CMD [\"/bin/bash\" \"-c\" \"echo hello\"]",
            "WORKDIR /opt/app");
    // layers: the first WORKDIR (creates /opt/app) and COPY; the second WORKDIR changes nothing
    assertThat(empty)
        .containsExactly(true, true, true, false, false, true, true, true, true, true, true, true,
            true, true);
    assertThat(img.layers()).hasSize(2);
    assertThat(cfg.get("rootfs").get("diff_ids")).hasSize(2);
    List<TarFile> workdirLayer = img.layerFiles(0);
    assertThat(workdirLayer)
        .extracting(TarFile::name, TarFile::type, TarFile::mode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("opt", 'd', 0755),
            org.assertj.core.groups.Tuple.tuple("opt/app", 'd', 0755));
    List<TarFile> copyLayer = img.layerFiles(1);
    assertThat(copyLayer).extracting(TarFile::name).containsExactly("opt", "opt/app", "opt/app/app.txt");
    assertThat(copyLayer.get(2).text()).isEqualTo("app\n");
  }

  private static List<String> iterableNames(JsonNode obj) {
    List<String> out = new ArrayList<>();
    obj.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
