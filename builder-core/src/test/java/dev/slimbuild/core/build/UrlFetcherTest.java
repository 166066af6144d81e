package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.http.HttpClient;
import dev.slimbuild.core.http.Proxies;
import dev.slimbuild.core.http.RetryPolicy;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlFetcherTest {
  private static final byte[] HELLO = "hello, slimbuild\n".getBytes(StandardCharsets.UTF_8);
  private static final Digest HELLO_DIGEST = Digest.sha256Of(HELLO);
  private static final Digest OTHER_DIGEST = Digest.sha256Of("something else");

  @TempDir Path staging;
  private final List<HttpServer> servers = new ArrayList<>();
  private HttpServer server;
  private UrlFetcher fetcher;

  private static HttpClient client() {
    return HttpClient.systemTrust(Duration.ofSeconds(30), Proxies.NONE);
  }

  @BeforeEach
  void start() throws IOException {
    server = newServer();
    fetcher = new UrlFetcher(client(), Long.MAX_VALUE, 3, Duration.ofMillis(1));
  }

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  private HttpServer newServer() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.start();
    servers.add(s);
    return s;
  }

  private static String base(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  private String url(String path) {
    return base(server) + path;
  }

  private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static HttpHandler serving(byte[] body) {
    return ex -> respond(ex, 200, body);
  }

  private List<Path> stagedFiles() throws IOException {
    try (Stream<Path> s = Files.list(staging)) {
      return s.toList();
    }
  }

  @Test
  void downloadsWithMatchingChecksumNamingTheFileAfterThePath() throws IOException {
    server.createContext("/files/app.tar.gz", serving(HELLO));

    UrlFetcher.Fetched f =
        fetcher.fetch(url("/files/app.tar.gz"), Optional.of(HELLO_DIGEST), staging);

    assertThat(f.fileName()).isEqualTo("app.tar.gz");
    assertThat(f.digest()).isEqualTo(HELLO_DIGEST);
    assertThat(f.size()).isEqualTo(HELLO.length);
    assertThat(f.file().getParent()).isEqualTo(staging);
    assertThat(Files.readAllBytes(f.file())).isEqualTo(HELLO);
    assertThat(stagedFiles()).containsExactly(f.file());
  }

  @Test
  void withoutChecksumTheDigestIsComputed() throws IOException {
    server.createContext("/a b.txt", serving(HELLO));

    UrlFetcher.Fetched f = fetcher.fetch(url("/a%20b.txt?x=1&y=/z"), Optional.empty(), staging);

    assertThat(f.digest()).isEqualTo(HELLO_DIGEST);
    assertThat(f.fileName()).isEqualTo("a b.txt");
  }

  @Test
  void checksumMismatchNamesBothDigestsAndLeavesNoFile() throws IOException {
    server.createContext("/f.bin", serving(HELLO));
    String u = url("/f.bin");

    assertThatThrownBy(() -> fetcher.fetch(u, Optional.of(OTHER_DIGEST), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(u)
        .hasMessageContaining("expected " + OTHER_DIGEST)
        .hasMessageContaining("got " + HELLO_DIGEST);
    assertThat(stagedFiles()).isEmpty();
  }

  @Test
  void notFoundNamesUrlAndStatusWithoutRetrying() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/missing.tgz",
        ex -> {
          calls.incrementAndGet();
          respond(ex, 404, "nope".getBytes(StandardCharsets.UTF_8));
        });
    String u = url("/missing.tgz");

    assertThatThrownBy(() -> fetcher.fetch(u, Optional.empty(), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(u)
        .hasMessageContaining("404");
    assertThat(calls).hasValue(1);
    assertThat(stagedFiles()).isEmpty();
  }

  @Test
  void followsRedirectsKeepingTheOriginalName() throws IOException {
    server.createContext(
        "/latest/tool.tar.gz",
        ex -> {
          ex.getResponseHeaders().add("Location", "/v1.2/tool-1.2.tar.gz");
          respond(ex, 302, new byte[0]);
        });
    server.createContext("/v1.2/tool-1.2.tar.gz", serving(HELLO));

    UrlFetcher.Fetched f =
        fetcher.fetch(url("/latest/tool.tar.gz"), Optional.of(HELLO_DIGEST), staging);

    assertThat(f.fileName()).isEqualTo("tool.tar.gz");
    assertThat(Files.readAllBytes(f.file())).isEqualTo(HELLO);
  }

  @Test
  void contentDispositionIsIgnoredAsInBuildKitsDockerfileFrontEnd() throws IOException {
    HttpHandler withDisposition =
        ex -> {
          ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"cd.txt\"");
          respond(ex, 200, HELLO);
        };
    server.createContext("/dir/", withDisposition);
    server.createContext("/", withDisposition);

    assertThat(fetcher.fetch(url("/dir/"), Optional.empty(), staging).fileName()).isEqualTo("dir");
    assertThat(fetcher.fetch(url("/"), Optional.empty(), staging).fileName())
        .isEqualTo(UrlFetcher.UNNAMED);
    assertThat(fetcher.fetch(url(""), Optional.empty(), staging).fileName())
        .isEqualTo(UrlFetcher.UNNAMED);
  }

  @ParameterizedTest
  @CsvSource({
    "http://h/a/b/c.tar.gz, c.tar.gz",
    "http://h/a/b/, b",
    "http://h/a//, a",
    "http://h/, __unnamed__",
    "http://h, __unnamed__",
    "http://h/x%2Fy, y",
    "http://h/na%C3%AFve.txt?q=/other#frag, naïve.txt",
    "http://h/+plus, +plus"
  })
  void fileNameIsTheLastPathElement(String url, String name) {
    assertThat(UrlFetcher.fileName(URI.create(url))).isEqualTo(name);
  }

  @Test
  void retriesServerErrorsAndTooManyRequests() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/flaky.bin",
        ex -> {
          int n = calls.incrementAndGet();
          respond(ex, n == 1 ? 500 : n == 2 ? 429 : 200, n >= 3 ? HELLO : new byte[0]);
        });

    UrlFetcher.Fetched f = fetcher.fetch(url("/flaky.bin"), Optional.of(HELLO_DIGEST), staging);

    assertThat(calls).hasValue(3);
    assertThat(Files.readAllBytes(f.file())).isEqualTo(HELLO);
    assertThat(stagedFiles()).containsExactly(f.file());
  }

  @Test
  void persistentServerErrorGivesUpAfterThreeAttempts() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/down.bin",
        ex -> {
          calls.incrementAndGet();
          respond(ex, 503, "busy".getBytes(StandardCharsets.UTF_8));
        });
    String u = url("/down.bin");

    assertThatThrownBy(() -> fetcher.fetch(u, Optional.empty(), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(u)
        .hasMessageContaining("503")
        .hasMessageContaining("3 attempts");
    assertThat(calls).hasValue(3);
    assertThat(stagedFiles()).isEmpty();
  }

  @Test
  void connectionFailuresAreRetriedThenReportedAsIoErrors() throws IOException {
    HttpServer gone = newServer();
    String u = "http://user:s3cret@127.0.0.1:" + gone.getAddress().getPort() + "/x.bin";
    gone.stop(0);

    assertThatThrownBy(() -> fetcher.fetch(u, Optional.empty(), staging))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("3 attempts")
        .hasMessageContaining("http://xxxxx@127.0.0.1:")
        .hasMessageNotContaining("s3cret")
        .hasMessageNotContaining("user");
    assertThat(stagedFiles()).isEmpty();
  }

  @Test
  void credentialsAreSentAsBasicAuthButRedactedInEveryMessage() {
    AtomicReference<String> auth = new AtomicReference<>();
    server.createContext(
        "/private/a.bin",
        ex -> {
          auth.set(ex.getRequestHeaders().getFirst("Authorization"));
          respond(ex, 200, HELLO);
        });
    server.createContext("/private/none.bin", ex -> respond(ex, 404, new byte[0]));
    String port = String.valueOf(server.getAddress().getPort());
    String withCreds = "http://alice:s3cret@127.0.0.1:" + port;

    assertThatThrownBy(
            () -> fetcher.fetch(withCreds + "/private/none.bin", Optional.empty(), staging))
        .hasMessageContaining("http://xxxxx@127.0.0.1:" + port + "/private/none.bin")
        .hasMessageNotContaining("s3cret")
        .hasMessageNotContaining("alice");
    assertThatThrownBy(
            () -> fetcher.fetch(withCreds + "/private/a.bin", Optional.of(OTHER_DIGEST), staging))
        .hasMessageContaining("xxxxx@")
        .hasMessageNotContaining("s3cret")
        .hasMessageNotContaining("alice");
    assertThat(auth.get())
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> fetcher.fetch("ftp://bob:pw@127.0.0.1/x", Optional.empty(), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("ftp://xxxxx@127.0.0.1/x")
        .hasMessageNotContaining("pw");
  }

  @Test
  void credentialsDoNotFollowARedirectToAnotherOrigin() throws IOException {
    HttpServer other = newServer();
    AtomicReference<String> seen = new AtomicReference<>("unset");
    other.createContext(
        "/b.bin",
        ex -> {
          seen.set(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          respond(ex, 200, HELLO);
        });
    server.createContext(
        "/a.bin",
        ex -> {
          ex.getResponseHeaders().add("Location", base(other) + "/b.bin");
          respond(ex, 302, new byte[0]);
        });
    String u = "http://alice:s3cret@127.0.0.1:" + server.getAddress().getPort() + "/a.bin";

    UrlFetcher.Fetched f = fetcher.fetch(u, Optional.of(HELLO_DIGEST), staging);

    assertThat(seen.get()).isEqualTo("null");
    assertThat(f.fileName()).isEqualTo("a.bin");
  }

  @Test
  void credentialsFollowARedirectWithinTheSameOrigin() throws IOException {
    AtomicReference<String> seen = new AtomicReference<>("unset");
    server.createContext(
        "/c.bin",
        ex -> {
          seen.set(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          respond(ex, 200, HELLO);
        });
    server.createContext(
        "/old/a.bin",
        ex -> {
          ex.getResponseHeaders().add("Location", "../c.bin");
          respond(ex, 301, new byte[0]);
        });
    String u = "http://alice:s3cret@127.0.0.1:" + server.getAddress().getPort() + "/old/a.bin";

    UrlFetcher.Fetched f = fetcher.fetch(u, Optional.of(HELLO_DIGEST), staging);

    assertThat(seen.get()).startsWith("Basic ");
    assertThat(f.fileName()).isEqualTo("a.bin");
  }

  @Test
  void redirectLoopsAreBounded() {
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/loop",
        ex -> {
          calls.incrementAndGet();
          ex.getResponseHeaders().add("Location", "/loop");
          respond(ex, 302, new byte[0]);
        });
    String u = "http://alice:s3cret@127.0.0.1:" + server.getAddress().getPort() + "/loop";

    assertThatThrownBy(() -> fetcher.fetch(u, Optional.empty(), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("302")
        .hasMessageNotContaining("s3cret");
    assertThat(calls.get())
        .as("the first request and the redirects the policy follows")
        .isEqualTo(RetryPolicy.DEFAULT.maxRedirects() + 1);
  }

  @Test
  void onlySha256ChecksumsAreAccepted() {
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/f.bin",
        ex -> {
          calls.incrementAndGet();
          respond(ex, 200, HELLO);
        });
    Digest sha512 = new Digest("sha512", "ab".repeat(64));

    assertThatThrownBy(() -> fetcher.fetch(url("/f.bin"), Optional.of(sha512), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("sha512")
        .hasMessageContaining("only sha256");
    assertThat(calls).hasValue(0);
  }

  @Test
  void onlyHttpAndHttpsAreAccepted() {
    assertThatThrownBy(() -> fetcher.fetch("file:///etc/passwd", Optional.empty(), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("only http and https");
  }

  @Test
  void sizeLimitStopsTheDownloadAndLeavesNoFile() throws IOException {
    server.createContext(
        "/big.bin",
        ex -> {
          ex.sendResponseHeaders(200, 0); // chunked: the limit must be enforced while streaming
          try (OutputStream out = ex.getResponseBody()) {
            out.write(new byte[4096]);
          }
        });
    UrlFetcher limited = new UrlFetcher(client(), 1000, 3, Duration.ofMillis(1));

    assertThatThrownBy(() -> limited.fetch(url("/big.bin"), Optional.empty(), staging))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("1000 bytes");
    assertThat(stagedFiles()).isEmpty();
  }

  private static final int BIG = 50 * 1024 * 1024;

  /** Deterministic pseudo-random content, generated in chunks by both sides. */
  private static void bigChunk(long seed, byte[] buf) {
    long x = seed;
    for (int i = 0; i < buf.length; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      buf[i] = (byte) (x >>> 56);
    }
  }

  @Test
  void streamsFiftyMegabytes() throws IOException {
    int chunk = 64 * 1024;
    server.createContext(
        "/big.img",
        ex -> {
          ex.sendResponseHeaders(200, BIG);
          byte[] buf = new byte[chunk];
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < BIG / chunk; i++) {
              bigChunk(i, buf);
              out.write(buf);
            }
          }
        });
    MessageDigest expected = Digest.newSha256();
    byte[] buf = new byte[chunk];
    for (int i = 0; i < BIG / chunk; i++) {
      bigChunk(i, buf);
      expected.update(buf);
    }
    Digest want = Digest.sha256(expected.digest());

    UrlFetcher.Fetched f = fetcher.fetch(url("/big.img"), Optional.of(want), staging);

    assertThat(f.size()).isEqualTo(BIG);
    assertThat(Files.size(f.file())).isEqualTo(BIG);
    assertThat(f.digest()).isEqualTo(want);
  }

  @Test
  void redactReplacesOnlyTheUserInfo() {
    assertThat(UrlFetcher.redact("https://u:p@h:1/a@b?c=@#@"))
        .isEqualTo("https://xxxxx@h:1/a@b?c=@#@");
    assertThat(UrlFetcher.redact("https://h/a@b")).isEqualTo("https://h/a@b");
    assertThat(UrlFetcher.redact("https://tok@h")).isEqualTo("https://xxxxx@h");
  }
}
