package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerReader;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADD of an http URL through the CLI, against a server on loopback. */
class AddUrlTest {
  private static final byte[] BODY = "downloaded payload\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/files/tool.txt",
        ex -> {
          requests.incrementAndGet();
          ex.sendResponseHeaders(200, BODY.length);
          ex.getResponseBody().write(BODY);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/tool.txt";
  }

  private Run build(String dockerfile, String... extra) throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--progress",
                "quiet",
                "--store",
                dir.resolve("store").toString(),
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve("out")));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.run(Map.of(), args.toArray(String[]::new));
  }

  @Test
  void addUrlWithChecksumDownloadsOnceForTwoPlatformsAsMode0600() throws Exception {
    String sum = Digest.sha256Of(BODY).toString();
    Run r =
        build(
            "FROM scratch\nADD --checksum=" + sum + " " + url() + " /opt/\n",
            "--platform",
            "linux/amd64,linux/arm64");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(requests.get()).isEqualTo(1);

    Path blobs = dir.resolve("out/blobs/sha256");
    JsonObject index =
        (JsonObject)
            Json.parse(Files.readAllBytes(blobs.resolve(Digest.parse(r.out().trim()).hex())));
    List<String> layerDigests = new ArrayList<>();
    for (JsonValue m : ((JsonArray) index.get("manifests").orElseThrow()).values()) {
      if (((JsonObject) m).get("annotations").isPresent()) {
        continue; // an attestation manifest
      }
      String md = ((JsonString) ((JsonObject) m).get("digest").orElseThrow()).value();
      JsonObject manifest =
          (JsonObject) Json.parse(Files.readAllBytes(blobs.resolve(Digest.parse(md).hex())));
      JsonObject layer =
          (JsonObject) ((JsonArray) manifest.get("layers").orElseThrow()).values().get(0);
      layerDigests.add(((JsonString) layer.get("digest").orElseThrow()).value());
    }
    assertThat(layerDigests).hasSize(2);
    assertThat(layerDigests.get(0)).isEqualTo(layerDigests.get(1));

    try (InputStream in =
            Files.newInputStream(blobs.resolve(Digest.parse(layerDigests.get(0)).hex()));
        LayerReader reader = new LayerReader(in)) {
      List<String> seen = new ArrayList<>();
      for (LayerEntry e = reader.next(); e != null; e = reader.next()) {
        seen.add(e.path() + " " + Integer.toOctalString(e.mode()));
        if (e.path().equals("opt/tool.txt")) {
          try (InputStream c = e.content().open()) {
            assertThat(c.readAllBytes()).isEqualTo(BODY);
          }
        }
      }
      assertThat(seen).containsExactly("opt 755", "opt/tool.txt 600");
    }
  }

  @Test
  void wrongChecksumFailsWithTheLineAndBothDigestsAndLeavesNoOutput() throws Exception {
    String wrong = Digest.sha256Of("other").toString();
    Run r = build("FROM scratch\n\nADD --checksum=" + wrong + " " + url() + " /opt/tool\n");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: Dockerfile:3: ADD failed: ")
        .contains(wrong)
        .contains(Digest.sha256Of(BODY).toString())
        .doesNotContain("\tat ");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void checksumNeedsAUrl() throws Exception {
    Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(dir.resolve("ctx/local.txt"), "x");
    Run r = build("FROM scratch\nADD --checksum=" + Digest.sha256Of("x") + " local.txt /x\n");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: Dockerfile:2: ADD --checksum requires");
  }
}
