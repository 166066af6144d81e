package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.cli.HostileRegistry.Entry;
import dev.slimbuild.core.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Base images no sane registry holds, served from loopback: each is refused with an input error
 * (exit 1) that names the image or the entry, never an internal error or a stack trace.
 */
class HostileRegistryTest {
  @TempDir Path dir;
  private HostileRegistry registry;

  @BeforeEach
  void start() throws Exception {
    registry = new HostileRegistry();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private Run build(String from, String... moreLines) throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    StringBuilder df = new StringBuilder("FROM " + registry.host() + "/" + from + "\n");
    for (String l : moreLines) {
      df.append(l).append('\n');
    }
    Files.writeString(ctx.resolve("Dockerfile"), df.toString());
    Files.writeString(ctx.resolve("f.txt"), "context file\n");
    // a short timeout: the insecure registry's https probe waits for a TLS answer that this
    // plain-HTTP server never sends
    return BuildFixtures.runIn(
        dir,
        Map.of(),
        "build",
        "--progress",
        "quiet",
        "--platform",
        "linux/amd64",
        "--insecure-registry",
        registry.host(),
        "--network-timeout",
        "2s",
        "-o",
        "type=oci,tar=false,dest=" + dir.resolve("out"),
        ctx.toString());
  }

  private static void assertInputError(Run r) {
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .doesNotContain("\tat ")
        .doesNotContain("internal error")
        .doesNotContain("Exception");
  }

  @Test
  void aBaseWithMoreThan500LayersIsRefusedBeforeAnyLayerIsDownloaded() throws Exception {
    byte[] one = HostileRegistry.layer(Entry.file("x", "x\n"));
    List<Digest> layers = registry.image("hostile/tall", "1", Collections.nCopies(501, one));
    Run r = build("hostile/tall:1", "COPY f.txt /etc/", "RUN true");
    assertInputError(r);
    assertThat(r.err())
        .contains("Dockerfile:1: FROM " + registry.host() + "/hostile/tall:1")
        .contains("501 layers")
        .contains("at most 500 layers")
        .contains("overlayfs");
    assertThat(registry.gets(layers.get(0))).isZero();
  }

  @Test
  void aBaseWith500LayersIsTaken() throws Exception {
    byte[] one = HostileRegistry.layer(Entry.file("x", "x\n"));
    registry.image("hostile/tall", "500", Collections.nCopies(500, one));
    Run r = build("hostile/tall:500", "LABEL tall=yes");
    assertThat(r.code()).as(r.err()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {".wh..wh.../x", ".wh../x", "a/.wh.b/c", ".wh.", "d/.wh..."})
  void misusedWhiteoutNamesInABaseLayerAreInputErrorsNamingTheEntry(String name) throws Exception {
    registry.image(
        "hostile/wh",
        "1",
        List.of(HostileRegistry.layer(Entry.file("etc/ok.txt", "ok\n"), Entry.file(name, "x\n"))));
    Run r = build("hostile/wh:1", "COPY f.txt /etc/");
    assertInputError(r);
    assertThat(r.err())
        .contains("entry '" + name + "' refused")
        .contains(registry.host() + "/hostile/wh: layer sha256:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chr", "blk", "fifo"})
  void deviceNodesAndFifosInABaseLayerAreRefusedAsAddRefusesThem(String kind) throws Exception {
    byte type =
        switch (kind) {
          case "chr" -> TarArchiveEntry.LF_CHR;
          case "blk" -> TarArchiveEntry.LF_BLK;
          default -> TarArchiveEntry.LF_FIFO;
        };
    byte[] layer =
        HostileRegistry.layer(Entry.of("dev/", TarArchiveEntry.LF_DIR), Entry.of("dev/node", type));
    registry.image("hostile/dev", "1", List.of(layer));
    Run r = build("hostile/dev:1", "COPY f.txt /etc/");
    assertInputError(r);
    assertThat(r.err())
        .contains("entry 'dev/node' refused: device nodes and fifos are not allowed");

    // ADD of the same tar as a local archive says the same
    Path ctx = dir.resolve("ctx");
    Files.write(ctx.resolve("devices.tar"), layer);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD devices.tar /\n");
    Run add =
        BuildFixtures.runIn(
            dir,
            Map.of(),
            "build",
            "--progress",
            "quiet",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("out2"),
            ctx.toString());
    assertInputError(add);
    assertThat(add.err())
        .contains("entry 'dev/node' refused: device nodes and fifos are not allowed");
  }
}
