package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.image;
import static dev.slimbuild.cli.BuildFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.Image;
import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.cli.BuildFixtures.TarFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimisation flags, the size report, its JSON and {@code --max-size}, in-process. */
class OptimizeCommandTest {
  @TempDir Path dir;
  private Path ctx;

  @BeforeEach
  void context() throws IOException {
    ctx = dir.resolve("ctx");
    write(
        ctx.resolve("Dockerfile"),
        """
        FROM scratch AS builder
        COPY app/ /app/
        FROM scratch
        COPY --from=builder /app /app
        COPY blob.bin /app/blob.bin
        COPY conf.txt /app/blob.bin
        COPY app/lib /srv/lib
        USER 1000
        CMD ["/app/run"]
        """);
    write(ctx.resolve("app/run"), "#!/bin/sh\necho hi\n");
    write(ctx.resolve("app/lib/__pycache__/mod.cpython-311.pyc"), "bytecode!");
    byte[] random = new byte[20_000];
    new Random(7).nextBytes(random); // incompressible, so the budget case is clear-cut
    Files.createDirectories(ctx);
    Files.write(ctx.resolve("blob.bin"), random);
    write(ctx.resolve("conf.txt"), "conf\n");
  }

  private Run build(String... extra) {
    List<String> args = new ArrayList<>(List.of("build", "--platform", "linux/amd64"));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.run(
        Map.of("SLIMBUILD_STORE", dir.resolve("store").toString()), args.toArray(new String[0]));
  }

  @Test
  void reportAndMetadataCarryTheSameFigures() throws IOException {
    Path out = dir.resolve("out");
    Path meta = dir.resolve("meta.json");
    Run r =
        build(
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + out,
            "--metadata-file",
            meta.toString());
    assertThat(r.code()).as(r.err()).isZero();
    BuildCommandTest.validate(out);
    // the table: one line per layer, with the instruction and line that made it
    assertThat(r.err())
        .contains(
            "linux/amd64: 3 layers",
            "line 4] COPY --from=builder /app /app",
            "line 6] COPY conf.txt /app/blob.bin",
            "stripped: pycache 2 files 18B",
            "[stage-1 line 5] COPY blob.bin /app/blob.bin (everything left out)");
    // per-step progress: each layer written at the end of its stage, with what it saved; the
    // builder stage keeps its bytecode (only the image is slimmed), COPY --from leaves it out
    assertThat(r.err())
        .containsPattern("\\[linux/amd64\\] \\[builder 1\\] layer .* stripped 0B")
        .containsPattern("\\[stage-1 1\\] layer .* stripped 9B .* COPY --from=builder");
    Image img = image(out);
    // the overwritten 20 kB never left the build: nothing was left of the layer of line 5
    assertThat(img.layers()).hasSize(3);
    assertThat(img.layerFiles(1)).extracting(TarFile::name).containsExactly("app", "app/blob.bin");
    assertThat(img.config().get("history").get(1).get("empty_layer").asBoolean()).isTrue();
    assertThat(img.layerFiles(0))
        .extracting(TarFile::name)
        .doesNotContain("app/lib/__pycache__/mod.cpython-311.pyc");

    JsonNode json = BuildFixtures.JSON.readTree(Files.readAllBytes(meta));
    JsonNode rep = json.get("slimbuild.sizeReport").get(0);
    assertThat(rep.get("platform").asText()).isEqualTo("linux/amd64");
    long sum = 0;
    for (JsonNode l : img.layers()) {
      sum += l.get("size").asLong();
    }
    assertThat(rep.get("compressedSize").asLong()).isEqualTo(sum);
    assertThat(rep.get("baseCompressedSize").asLong()).isZero();
    JsonNode layers = rep.get("layers");
    assertThat(layers).hasSize(3);
    assertThat(layers.get(1).get("line").asInt()).isEqualTo(6);
    JsonNode omitted = rep.get("omittedLayers");
    assertThat(omitted).hasSize(1);
    assertThat(omitted.get(0).get("line").asInt()).isEqualTo(5);
    assertThat(omitted.get(0).get("savings").get("wasted").get("bytes").asLong()).isEqualTo(20_000);
    assertThat(rep.get("savings").get("wasted").get("bytes").asLong()).isEqualTo(20_000);
    assertThat(layers.get(2).get("savings").get("stripped").get("pycache").get("files").asLong())
        .isEqualTo(1);
    assertThat(img.layerFiles(2)).extracting(TarFile::name).containsExactly("srv", "srv/lib");
    assertThat(rep.get("savings").get("strippedBytes").asLong())
        .isEqualTo(18); // in the COPY --from layer and in COPY app/lib
  }

  @Test
  void maxSizeFailsAfterTheReportAndWritesNothing() throws IOException {
    Path out = dir.resolve("out");
    Path meta = dir.resolve("meta.json");
    Run r =
        build(
            "--progress",
            "quiet",
            "--max-size",
            "10kB",
            "-o",
            "type=oci,tar=false,dest=" + out,
            "--metadata-file",
            meta.toString(),
            "--no-optimize");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("linux/amd64: 4 layers"); // the report, even when quiet
    assertThat(r.err()).contains("error: image exceeds --max-size 10kB (10.00kB): linux/amd64 is");
    assertThat(r.err().indexOf("linux/amd64: 4 layers")).isLessThan(r.err().indexOf("error:"));
    assertThat(out).doesNotExist();
    assertThat(meta).doesNotExist();

    // optimised, the same Dockerfile fits: the 20 kB file is overwritten before it is written
    Run ok =
        build("--progress", "quiet", "--max-size", "10kB", "-o", "type=oci,tar=false,dest=" + out);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(out.resolve("index.json")).exists();
    Run tiny = build("--progress", "quiet", "--max-size", "0.1KiB", "-t", "x:1");
    assertThat(tiny.code()).isEqualTo(1);
    assertThat(
            BuildFixtures.run(Map.of("SLIMBUILD_STORE", dir.resolve("store").toString()), "images")
                .out())
        .doesNotContain("x:1");
  }

  @Test
  void squashNoStripKeepAndBadValues() throws IOException {
    Path out = dir.resolve("sq");
    Run r = build("--progress", "quiet", "--squash", "-o", "type=oci,tar=false,dest=" + out);
    assertThat(r.code()).as(r.err()).isZero();
    Image img = image(out);
    assertThat(img.layers()).hasSize(1);
    assertThat(img.rootfs().get("app/blob.bin").text()).isEqualTo("conf\n");

    Path kept = dir.resolve("kept");
    assertThat(
            build(
                    "--progress",
                    "quiet",
                    "--keep",
                    "pycache",
                    "-o",
                    "type=oci,tar=false,dest=" + kept)
                .code())
        .isZero();
    assertThat(image(kept).rootfs()).containsKey("app/lib/__pycache__/mod.cpython-311.pyc");
    Path noStrip = dir.resolve("nostrip");
    assertThat(
            build(
                    "--progress",
                    "quiet",
                    "--no-strip",
                    "--strip",
                    "/app/run",
                    "-o",
                    "type=oci,tar=false,dest=" + noStrip)
                .code())
        .isZero();
    assertThat(image(noStrip).rootfs())
        .containsKey("app/lib/__pycache__/mod.cpython-311.pyc")
        .containsKey("app/run");
    Path extra = dir.resolve("extra");
    assertThat(
            build(
                    "--progress",
                    "quiet",
                    "--strip",
                    "/app/run",
                    "-o",
                    "type=oci,tar=false,dest=" + extra)
                .code())
        .isZero();
    assertThat(image(extra).rootfs()).doesNotContainKey("app/run");

    Run bad = build("--max-size", "lots");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("invalid size 'lots'");
    Run badKeep = build("--keep", "pipp");
    assertThat(badKeep.code()).isEqualTo(1);
    assertThat(badKeep.err()).contains("--keep 'pipp'");
  }
}
