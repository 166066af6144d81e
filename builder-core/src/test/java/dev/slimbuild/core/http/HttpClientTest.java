package dev.slimbuild.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 client against a scripted server on loopback: each accepted connection answers its
 * requests from a script, so framing (length, chunked, to the end), keep-alive reuse, a connection
 * the server closed while idle, and bodies sent are seen byte for byte.
 */
class HttpClientTest {
  private static final Duration T = Duration.ofSeconds(10);

  /** What the server does with one request on a connection: answer, or close the connection. */
  @FunctionalInterface
  interface Step {
    /** Writes the answer; false to close the connection after it. */
    boolean answer(String head, byte[] body, OutputStream out) throws IOException;
  }

  private final List<String> heads = Collections.synchronizedList(new ArrayList<>());
  private final List<byte[]> bodies = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger connections = new AtomicInteger();
  private ServerSocket server;
  private Thread thread;

  /** What the server does with a connection after its steps (TLS in a tunnel). */
  @FunctionalInterface
  interface After {
    void run(Socket s) throws IOException;
  }

  /** Serves connections one after the other; each takes the next steps of {@code perConnection}. */
  private URI serve(List<List<Step>> perConnection) throws IOException {
    return serve(perConnection, s -> {});
  }

  private URI serve(List<List<Step>> perConnection, After after) throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    thread =
        new Thread(
            () -> {
              for (List<Step> steps : perConnection) {
                try (Socket s = server.accept()) {
                  connections.incrementAndGet();
                  s.setSoTimeout(10_000);
                  InputStream in = s.getInputStream();
                  OutputStream out = s.getOutputStream();
                  for (Step step : steps) {
                    String head = readHead(in);
                    if (head == null) {
                      break;
                    }
                    byte[] body = new byte[contentLength(head)];
                    int off = 0;
                    while (off < body.length) {
                      int n = in.read(body, off, body.length - off);
                      if (n < 0) {
                        break;
                      }
                      off += n;
                    }
                    heads.add(head);
                    bodies.add(body);
                    boolean keep = step.answer(head, body, out);
                    out.flush();
                    if (!keep) {
                      break;
                    }
                  }
                  after.run(s);
                } catch (IOException e) {
                  return; // the test ended
                }
              }
            },
            "scripted-http");
    thread.setDaemon(true);
    thread.start();
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
      thread.join(5_000);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      sb.append((char) b);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        return sb.toString();
      }
    }
    return null;
  }

  private static int contentLength(String head) throws IOException {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring(15).strip());
        }
      }
    }
    return 0;
  }

  private static Step text(String status, String headers, String body) {
    return (head, b, out) -> {
      out.write(
          ("HTTP/1.1 "
                  + status
                  + "\r\n"
                  + headers
                  + "Content-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.ISO_8859_1));
      return true;
    };
  }

  private static String read(HttpResponse r) throws IOException {
    try (InputStream in = r.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static final HttpClient CLIENT = HttpClient.systemTrust(T, Proxies.NONE);

  @Test
  void framesAndReusesOneConnection() throws IOException {
    Step chunked =
        (head, body, out) -> {
          out.write(
              ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          return true;
        };
    Step interim =
        (head, body, out) -> {
          out.write(
              "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
          return true;
        };
    Step headWithLength =
        (head, body, out) -> {
          out.write(
              "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nDocker-Content-Digest: sha256:ab\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
          return true;
        };
    URI base =
        serve(
            List.of(
                List.of(
                    text("200 OK", "Content-Type: text/plain\r\n", "first"),
                    chunked,
                    interim,
                    headWithLength,
                    text("404 Not Found", "", "{\"errors\":[]}"))));
    HttpResponse r = CLIENT.send(HttpRequest.get(base.resolve("/v2/a?x=1&y=%2F"), T));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.header("content-type")).contains("text/plain");
    assertThat(r.headerAsLong("Content-Length")).hasValue(5);
    assertThat(read(r)).isEqualTo("first");
    assertThat(read(CLIENT.send(HttpRequest.get(base.resolve("/c"), T)))).isEqualTo("hello world");
    HttpResponse empty = CLIENT.send(HttpRequest.get(base.resolve("/e"), T));
    assertThat(empty.statusCode()).isEqualTo(204);
    assertThat(empty.header("X-A")).contains("1");
    assertThat(read(empty)).isEmpty();
    HttpResponse head = CLIENT.send(new HttpRequest("HEAD", base.resolve("/h"), Map.of(), null, T));
    assertThat(head.header("docker-content-digest")).contains("sha256:ab");
    assertThat(read(head)).isEmpty(); // a HEAD answer has no body, whatever its length says
    HttpResponse missing = CLIENT.send(HttpRequest.get(base.resolve("/m"), T));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(read(missing)).isEqualTo("{\"errors\":[]}");
    assertThat(connections.get()).isEqualTo(1);
    assertThat(heads.get(0))
        .startsWith("GET /v2/a?x=1&y=%2F HTTP/1.1\r\n")
        .contains("\r\nHost: 127.0.0.1:" + base.getPort() + "\r\n");
    assertThat(heads.get(3)).startsWith("HEAD /h HTTP/1.1\r\n");
  }

  @Test
  void sendsBodiesOfTheirLengthAndAStreamOnANewConnection() throws IOException {
    URI base =
        serve(
            List.of(
                List.of(
                    text("201 Created", "Location: /next\r\n", ""), text("202 Accepted", "", "")),
                List.of(text("201 Created", "", ""))));
    HttpResponse put =
        CLIENT.send(
            new HttpRequest(
                "PUT",
                base.resolve("/m"),
                Map.of("Content-Type", "application/json"),
                HttpRequest.Body.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                T));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.header("location")).contains("/next");
    read(put);
    HttpResponse post = CLIENT.send(new HttpRequest("POST", base.resolve("/u"), Map.of(), null, T));
    assertThat(post.statusCode()).isEqualTo(202);
    read(post);
    InputStream stream = new ByteArrayInputStream("0123456789".getBytes(StandardCharsets.UTF_8));
    HttpResponse patch =
        CLIENT.send(
            new HttpRequest(
                "PATCH", base.resolve("/u/1"), Map.of(), HttpRequest.Body.of(stream, 4), T));
    assertThat(patch.statusCode()).isEqualTo(201);
    read(patch);
    assertThat(new String(bodies.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(heads.get(0)).contains("Content-Length: 7\r\n", "Content-Type: application/json");
    assertThat(heads.get(1)).contains("Content-Length: 0\r\n");
    assertThat(new String(bodies.get(2), StandardCharsets.UTF_8)).isEqualTo("0123");
    assertThat(stream.read()).isEqualTo('4'); // the caller's stream: read only as far as sent
    assertThat(connections.get()).isEqualTo(2); // the streamed body never risks a stale one
  }

  /** A process that used the client exits at once: it leaves no thread that holds the JVM. */
  @Test
  void startsNoThreadThatWouldKeepTheJvmAlive() throws IOException {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    URI base = serve(List.of(List.of(text("200 OK", "", "a"), text("201 Created", "", ""))));
    HttpClient client = HttpClient.systemTrust(T, Proxies.NONE);
    assertThat(read(client.send(HttpRequest.get(base.resolve("/a"), T)))).isEqualTo("a");
    read(
        client.send(
            new HttpRequest(
                "PUT",
                base.resolve("/b"),
                Map.of(),
                HttpRequest.Body.of(new byte[100_000]),
                T))); // a body: the write watchdog runs
    List<String> holding = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && t.isAlive() && !t.isDaemon() && t != thread) {
        holding.add(t.getName());
      }
    }
    assertThat(holding).isEmpty();
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsReplacedOnce() throws IOException {
    Step answerThenClose =
        (head, body, out) -> {
          text("200 OK", "", "one").answer(head, body, out);
          return false; // closes without saying so, as an idle timeout does
        };
    URI base = serve(List.of(List.of(answerThenClose), List.of(text("200 OK", "", "two"))));
    assertThat(read(CLIENT.send(HttpRequest.get(base.resolve("/1"), T)))).isEqualTo("one");
    assertThat(read(CLIENT.send(HttpRequest.get(base.resolve("/2"), T)))).isEqualTo("two");
    assertThat(connections.get()).isEqualTo(2);
  }

  @Test
  void aTruncatedBodyFailsAndASilentServerTimesOut() throws IOException {
    Step shortBody =
        (head, body, out) -> {
          out.write(
              "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.UTF_8));
          return false;
        };
    Step silent =
        (head, body, out) -> {
          try {
            Thread.sleep(1_500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return false;
        };
    URI base = serve(List.of(List.of(shortBody), List.of(silent)));
    HttpResponse r = CLIENT.send(HttpRequest.get(base.resolve("/t"), T));
    assertThatThrownBy(() -> read(r))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("7 bytes before the body's end");
    assertThatThrownBy(
            () -> CLIENT.send(HttpRequest.get(base.resolve("/s"), Duration.ofMillis(300))))
        .isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void aServerThatNeverAnswersTheTlsHandshakeTimesOut() throws Exception {
    // the scripted server waits for an HTTP head that a TLS client never sends
    URI base = serve(List.of(List.of(text("200 OK", "", ""))));
    HttpClient impatient = HttpClient.systemTrust(Duration.ofMillis(300), Proxies.NONE);
    assertThatThrownBy(
            () ->
                impatient.send(
                    HttpRequest.get(URI.create("https://127.0.0.1:" + base.getPort() + "/v2/"), T)))
        .isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void refusesBadRequestsBeforeSendingThem() {
    assertThatThrownBy(
            () -> HttpRequest.get(URI.create("http://h/"), T).header("X-Bad", "a\r\nInjected: 1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CLIENT.send(HttpRequest.get(URI.create("ftp://h/"), T)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an http or https URI");
  }

  private static HttpClient viaProxy(int port, SSLContext tls) {
    return new HttpClient(
        tls, true, T, Proxies.always(new Proxies.Proxy("127.0.0.1", port, "Basic Ym9iOnB3")));
  }

  @Test
  void plainHttpGoesToTheProxyInAbsoluteForm() throws Exception {
    URI proxy = serve(List.of(List.of(text("200 OK", "", "proxied"))));
    HttpResponse r =
        viaProxy(proxy.getPort(), SSLContext.getDefault())
            .send(HttpRequest.get(URI.create("http://registry.invalid:5000/v2/x?y=1"), T));
    assertThat(read(r)).isEqualTo("proxied");
    assertThat(heads.get(0))
        .startsWith("GET http://registry.invalid:5000/v2/x?y=1 HTTP/1.1\r\n")
        .contains(
            "\r\nHost: registry.invalid:5000\r\n", "\r\nProxy-Authorization: Basic Ym9iOnB3\r\n");
  }

  @Test
  void aProxyRefusingTheTunnelIsNamedWithoutItsCredentials() throws Exception {
    URI proxy = serve(List.of(List.of(text("407 Proxy Authentication Required", "", ""))));
    assertThatThrownBy(
            () ->
                viaProxy(proxy.getPort(), SSLContext.getDefault())
                    .send(HttpRequest.get(URI.create("https://registry.invalid/v2/"), T)))
        .isInstanceOf(HttpClient.ProxyException.class)
        .hasMessageContaining("proxy 127.0.0.1:" + proxy.getPort())
        .hasMessageContaining("registry.invalid:443")
        .hasMessageContaining("407")
        .hasMessageNotContaining("Ym9iOnB3");
    assertThat(heads.get(0))
        .startsWith("CONNECT registry.invalid:443 HTTP/1.1\r\n")
        .contains("Proxy-Authorization: Basic Ym9iOnB3");
  }

  /**
   * An https request through a CONNECT tunnel: the proxy sees only the CONNECT, the server (the
   * same scripted thread, speaking TLS with a certificate for registry.invalid once the tunnel is
   * up) sees the request, and the client checks the certificate names the registry.
   */
  @Test
  void httpsGoesThroughATunnelWithTlsToTheServer(@TempDir Path tmp) throws Exception {
    Path ks = tmp.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=registry.invalid",
                "-ext",
                "SAN=dns:registry.invalid",
                "-validity",
                "2",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    keytool.getInputStream().readAllBytes();
    assertThat(keytool.waitFor()).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(store, "changeit".toCharArray());
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    Step tunnel =
        (head, body, out) -> {
          out.write(
              "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          return true;
        };
    URI proxy =
        serve(
            List.of(List.of(tunnel)),
            socket -> {
              SSLSocket tls =
                  (SSLSocket)
                      serverTls
                          .getSocketFactory()
                          .createSocket(socket, null, socket.getPort(), false);
              tls.setUseClientMode(false);
              String inner = readHead(tls.getInputStream());
              heads.add(inner);
              text("200 OK", "", "secret-free").answer(inner, new byte[0], tls.getOutputStream());
              tls.getOutputStream().flush();
            });
    HttpResponse r =
        viaProxy(proxy.getPort(), clientTls)
            .send(HttpRequest.get(URI.create("https://registry.invalid/v2/"), T));
    assertThat(read(r)).isEqualTo("secret-free");
    assertThat(heads.get(0)).startsWith("CONNECT registry.invalid:443 HTTP/1.1\r\n");
    assertThat(heads.get(1))
        .startsWith("GET /v2/ HTTP/1.1\r\n")
        .contains("Host: registry.invalid\r\n")
        .doesNotContain("Proxy-Authorization"); // inside the tunnel: the server's request only
  }
}
