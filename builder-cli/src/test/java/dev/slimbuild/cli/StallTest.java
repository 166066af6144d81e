package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.cli.HostileRegistry.Entry;
import dev.slimbuild.core.oci.Digest;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers on loopback that send the headers and one byte of an answer and then nothing: a registry
 * blob and an {@code ADD <URL>} download fail after {@code --network-timeout} with the URL named,
 * instead of waiting for ever.
 */
class StallTest {
  @TempDir Path dir;

  private Run build(String dockerfile, String... options) throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    Files.writeString(ctx.resolve("f.txt"), "context file\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--progress",
                "quiet",
                "--platform",
                "linux/amd64",
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve("out")));
    args.addAll(List.of(options));
    args.add(ctx.toString());
    return BuildFixtures.runIn(dir, Map.of(), args.toArray(String[]::new));
  }

  @Test
  void aRegistryBlobThatStallsFailsAfterTheNetworkTimeoutNamingTheBlobAndUrl() throws Exception {
    try (HostileRegistry registry = new HostileRegistry()) {
      Digest layer =
          registry
              .image(
                  "hostile/stall",
                  "1",
                  List.of(HostileRegistry.layer(Entry.file("etc/base.txt", "base\n"))))
              .get(0);
      registry.stall(layer);
      String host = registry.host();
      // COPY onto the base needs its files: the layer is downloaded
      Run r =
          build(
              "FROM " + host + "/hostile/stall:1\nCOPY f.txt /etc/\n",
              "--insecure-registry",
              host,
              "--network-timeout",
              "2s");
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err())
          .contains(host + "/hostile/stall: GET blob " + layer)
          .contains("no data from http://" + host + "/v2/hostile/stall/blobs/" + layer + " for 2s")
          .contains("--network-timeout 2s")
          .doesNotContain("\tat ")
          .doesNotContain("internal error");
      assertThat(registry.gets(layer)).isEqualTo(1); // a stall is not retried
      assertThat(dir.resolve("out")).doesNotExist();
    }
  }

  @Test
  void anAddUrlThatStallsFailsAfterTheNetworkTimeoutNamingTheUrl() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService pool = Executors.newCachedThreadPool();
    CountDownLatch closing = new CountDownLatch(1);
    server.setExecutor(pool);
    server.createContext(
        "/slow/tool.bin",
        ex -> {
          ex.sendResponseHeaders(200, 1000);
          OutputStream out = ex.getResponseBody();
          out.write('x');
          out.flush();
          try {
            closing.await(60, TimeUnit.SECONDS); // bounded: released when the test ends
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow/tool.bin";
      Run r = build("FROM scratch\nADD " + url + " /opt/\n", "--network-timeout", "2s");
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err())
          .contains("failed to download " + url)
          .contains("no data from " + url + " for 2s")
          .contains("--network-timeout 2s")
          .doesNotContain("\tat ");
    } finally {
      closing.countDown();
      server.stop(0);
      pool.shutdownNow();
    }
  }

  @Test
  void aNetworkTimeoutThatIsNoDurationIsRefused() throws Exception {
    Run r = build("FROM scratch\n", "--network-timeout", "soon");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("invalid --network-timeout 'soon'");
  }
}
