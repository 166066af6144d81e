package dev.slimbuild.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loopback server that stops mid-exchange: it never reads an upload, or sends the head of an
 * answer and one byte of its body. Either way the client fails with an {@link
 * HttpClient.IdleTimeoutException} naming the URL and the limit, not a hang.
 */
class HttpClientStallTest {
  private static final Duration LIMIT = Duration.ofSeconds(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private ServerSocket server;
  private Thread thread;

  /** Accepts one connection and runs {@code script} on it, holding it open until the test ends. */
  private URI serve(Script script) throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    thread =
        new Thread(
            () -> {
              try (Socket s = server.accept()) {
                script.run(s);
                done.await(60, TimeUnit.SECONDS); // bounded: released when the test ends
              } catch (IOException | InterruptedException e) {
                // the test has ended
              }
            });
    thread.setDaemon(true);
    thread.start();
    return URI.create(
        "http://127.0.0.1:" + server.getLocalPort() + "/v2/r/blobs/uploads/x?t=s3cr3t");
  }

  private interface Script {
    void run(Socket s) throws IOException;
  }

  @AfterEach
  void stop() throws Exception {
    done.countDown();
    if (server != null) {
      server.close();
    }
    if (thread != null) {
      thread.join(10_000);
    }
  }

  private static HttpClient client() {
    return HttpClient.systemTrust(LIMIT, Proxies.fromEnv(Map.of()));
  }

  @Test
  void anUploadTheServerStopsReadingFailsAfterTheTimeoutNamingTheUrl() throws Exception {
    URI uri = serve(s -> {}); // reads nothing
    long size = 256L << 20; // far more than the socket buffers hold
    InputStream zeros =
        new InputStream() {
          long left = size;

          @Override
          public int read() {
            return left-- > 0 ? 0 : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
          }
        };
    HttpRequest put =
        new HttpRequest("PUT", uri, Map.of(), HttpRequest.Body.of(zeros, size), LIMIT);
    assertThatThrownBy(() -> client().send(put))
        .isInstanceOf(HttpClient.IdleTimeoutException.class)
        .hasMessageContaining(
            "no data from http://127.0.0.1:"
                + server.getLocalPort()
                + "/v2/r/blobs/uploads/x for 1s (sending the request)")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void anAnswerThatStallsAfterOneByteFailsAfterTheTimeoutNamingTheUrl() throws Exception {
    URI uri =
        serve(
            s -> {
              InputStream in = s.getInputStream();
              int last4 = 0;
              while (last4 != 0x0d0a0d0a) { // the request's head
                int b = in.read();
                if (b < 0) {
                  return;
                }
                last4 = (last4 << 8) | b;
              }
              OutputStream out = s.getOutputStream();
              out.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nx"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
            });
    HttpResponse r = client().send(HttpRequest.get(uri, LIMIT));
    assertThat(r.statusCode()).isEqualTo(200);
    try (InputStream body = r.body()) {
      assertThat(body.read()).isEqualTo('x');
      assertThatThrownBy(() -> body.read())
          .isInstanceOf(HttpClient.IdleTimeoutException.class)
          .hasMessageContaining("/v2/r/blobs/uploads/x for 1s (in the answer's body)");
      // and it stays failed: the rest of the body is not taken for its end
      assertThatThrownBy(() -> body.read(new byte[10]))
          .isInstanceOf(HttpClient.IdleTimeoutException.class);
    }
  }
}
