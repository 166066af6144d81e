package dev.slimbuild.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insecure plain-http registry is asked in https first once, and then in http first, until it
 * answers like something that is not a registry. The server here is a minimal one on loopback that
 * notes whether each connection opened with a TLS record (0x16) and answers /v2/ in http.
 */
class SchemeHintsTest {
  @TempDir Path dir;

  /** Connections opened: "tls" or "http". */
  private final List<String> opened = new CopyOnWriteArrayList<>();

  private final AtomicInteger status = new AtomicInteger(200);

  @Test
  void aPlainHttpRegistryIsAskedInHttpFirstOnceItAnsweredSo() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> serve(server), "scheme-hints-test-server");
      t.setDaemon(true);
      t.start();
      String host = "127.0.0.1:" + server.getLocalPort();
      Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.toString());
      RegistryOptions opts = new RegistryOptions(Set.of(host), Set.of(), env);

      try (Registry r = Registries.open(host, opts)) {
        assertThat(r.headManifest("app", "1")).isEmpty();
      }
      assertThat(opened).as("https first, then http").startsWith("tls").contains("http");
      try (var hints = Files.list(dir.resolve("slimbuild/registries"))) {
        assertThat(hints.toList()).hasSize(1);
      }

      opened.clear();
      try (Registry r = Registries.open(host, opts)) {
        assertThat(r.headManifest("app", "1")).isEmpty();
      }
      assertThat(opened).as("the hint: no TLS handshake at all").isNotEmpty().doesNotContain("tls");

      // the port now answers /v2/ with what is not a registry's answer: the hint is forgotten
      status.set(400);
      try (Registry r = Registries.open(host, opts)) {
        r.headManifest("app", "1");
      } catch (IOException expected) {
        // nothing there speaks TLS either
      }
      try (var hints = Files.list(dir.resolve("slimbuild/registries"))) {
        assertThat(hints.toList()).isEmpty();
      }
      t.interrupt();
    }
  }

  private void serve(ServerSocket server) {
    for (int i = 0; i < 200 && !server.isClosed(); i++) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        int first = in.read();
        if (first == 0x16) {
          opened.add("tls");
          continue; // not TLS here: drop the connection, as a plain server's garbage answer would
        }
        opened.add("http");
        // one request per connection: read the head, answer, close
        StringBuilder head = new StringBuilder().append((char) first);
        int c;
        while ((c = in.read()) != -1) {
          head.append((char) c);
          if (head.toString().endsWith("\r\n\r\n")) {
            break;
          }
        }
        int code = head.toString().startsWith("GET /v2/ ") ? status.get() : 404;
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 "
                    + code
                    + " X\r\nContent-Length: 0\r\nConnection: close\r\n"
                    + "Docker-Distribution-API-Version: registry/2.0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }
}
