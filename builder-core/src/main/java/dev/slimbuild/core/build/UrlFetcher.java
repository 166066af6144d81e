package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.http.HttpClient;
import dev.slimbuild.core.http.HttpRequest;
import dev.slimbuild.core.http.HttpResponse;
import dev.slimbuild.core.http.Proxies;
import dev.slimbuild.core.http.RetryPolicy;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads the source of {@code ADD <http(s) URL> <dest>} into a staging directory in one
 * streaming pass that writes the file and computes its sha256 together, verifying an optional
 * {@code --checksum}.
 *
 * <p>The file name follows the Dockerfile front end of BuildKit: the last element of the original
 * URL's (percent-decoded) path with trailing slashes ignored, or {@value #UNNAMED} when the path is
 * empty or only slashes. Redirects do not change it and a {@code Content-Disposition} header is not
 * consulted (the front end always pins the name from the URL). Credentials in the URL's user info
 * are sent as HTTP Basic authentication, like Go's HTTP client does, and never appear in a message.
 */
final class UrlFetcher {
  /** The name used when the URL path has no last element. */
  static final String UNNAMED = "__unnamed__";

  private static final int BUFFER = 64 * 1024;

  /** How long one read of an answer may wait unless the caller says otherwise. */
  static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient client;
  private final Duration readTimeout;
  private final RetryPolicy policy;
  private final long maxBytes;

  /**
   * A fetcher with its own client: the system's trusted CAs, 30 s connect timeout, through {@code
   * proxies}; tries, waits and redirects as registries have them ({@link RetryPolicy#DEFAULT});
   * redirects followed except https to http.
   */
  UrlFetcher(Proxies proxies) {
    this(proxies, DEFAULT_READ_TIMEOUT);
  }

  /**
   * As {@link #UrlFetcher(Proxies)}, where a read that waits longer than {@code readTimeout} for
   * data fails the download (not retried: a stalled server would stall every attempt); connecting
   * waits at most the shorter of 30 s and {@code readTimeout}.
   */
  UrlFetcher(Proxies proxies, Duration readTimeout) {
    this(
        HttpClient.systemTrust(
            readTimeout.compareTo(Duration.ofSeconds(30)) < 0
                ? readTimeout
                : Duration.ofSeconds(30),
            proxies),
        Long.MAX_VALUE,
        RetryPolicy.DEFAULT,
        readTimeout);
  }

  UrlFetcher(HttpClient client, long maxBytes, int maxAttempts, Duration backoff) {
    this(client, maxBytes, RetryPolicy.DEFAULT.with(maxAttempts, backoff), DEFAULT_READ_TIMEOUT);
  }

  private UrlFetcher(HttpClient client, long maxBytes, RetryPolicy policy, Duration readTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    if (readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("the read timeout must be positive");
    }
    this.readTimeout = readTimeout;
    if (maxBytes < 0) {
      throw new IllegalArgumentException("invalid fetcher limits");
    }
    this.maxBytes = maxBytes;
    this.policy = policy;
  }

  /** A downloaded file in the staging directory, its size and sha256, and its name in the image. */
  record Fetched(Path file, long size, Digest digest, String fileName) {
    public Fetched {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(fileName, "fileName");
    }
  }

  /**
   * Downloads {@code url} into a new file inside {@code stagingDir}, streaming and hashing while
   * writing. Bad URLs, non-2xx statuses, oversized bodies and checksum mismatches are {@link
   * SlimbuildException}s; network failures that persist through the retries are IOExceptions. On
   * any failure no file is left behind.
   */
  public Fetched fetch(String url, Optional<Digest> checksum, Path stagingDir) throws IOException {
    String shown = redact(url);
    URI uri = parse(url, shown);
    if (checksum.isPresent() && !checksum.get().algorithm().equals("sha256")) {
      throw new SlimbuildException(
          "unsupported --checksum algorithm '"
              + checksum.get().algorithm()
              + "' for "
              + shown
              + ": only sha256 is supported");
    }
    String fileName = fileName(uri);
    HttpRequest request = request(uri);

    for (int attempt = 1; ; attempt++) {
      Path file = Files.createTempFile(stagingDir, "url-", ".download");
      boolean ok = false;
      try {
        Fetched fetched = attempt(request, file, fileName, shown, attempt);
        if (fetched != null) {
          verify(fetched.digest(), checksum, shown);
          ok = true;
          return fetched;
        }
      } finally {
        if (!ok) {
          Files.deleteIfExists(file);
        }
      }
      policy.backoff(attempt);
    }
  }

  /** One try: the result, or null when the failure is transient and another attempt is allowed. */
  private Fetched attempt(
      HttpRequest request, Path file, String fileName, String shown, int attempt)
      throws IOException {
    boolean last = !policy.another(attempt, false);
    HttpResponse response;
    try {
      response = send(request);
    } catch (HttpClient.IdleTimeoutException e) {
      throw stalled(shown, e);
    } catch (IOException e) {
      boolean unreachable =
          e instanceof ConnectException
              || e instanceof UnknownHostException
              || e instanceof HttpClient.ProxyException;
      if (!policy.another(attempt, unreachable)
          || (e instanceof HttpClient.ProxyException p && !p.retryable())) {
        throw networkFailure(shown, attempt, e);
      }
      return null;
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status < 200 || status > 299) {
        boolean retryable = RetryPolicy.retryableStatus(status);
        if (retryable && !last) {
          return null;
        }
        throw new SlimbuildException(
            "failed to download "
                + shown
                + ": HTTP status "
                + status
                + (retryable ? " (after " + attempts(attempt) + ")" : ""));
      }
      long declared = response.headerAsLong("Content-Length").orElse(-1);
      if (declared > maxBytes) {
        throw tooLarge(shown);
      }
      return copy(body, file, fileName, shown, last, attempt);
    }
  }

  /**
   * Sends the request and follows redirects (as many as the policy allows; not from https to http,
   * where the 3xx is the answer); the Authorization header of the URL's user info never leaves the
   * URL's origin.
   */
  private HttpResponse send(HttpRequest request) throws IOException {
    URI origin = request.uri();
    HttpRequest current = request;
    for (int hop = 0; ; hop++) {
      HttpResponse response = client.send(current);
      Optional<String> location = response.header("Location");
      if (!HttpClient.isRedirect(response.statusCode())
          || location.isEmpty()
          || hop >= policy.maxRedirects()) {
        return response;
      }
      URI next;
      try {
        next = current.uri().resolve(location.get());
      } catch (IllegalArgumentException e) {
        return response;
      }
      String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
      boolean downgrade =
          current.uri().getScheme().equalsIgnoreCase("https") && scheme.equals("http");
      if (downgrade
          || !(scheme.equals("http") || scheme.equals("https"))
          || next.getHost() == null) {
        return response; // the 3xx is the answer
      }
      response.drain();
      HttpRequest b = HttpRequest.get(next, readTimeout);
      Optional<String> authorization = Optional.ofNullable(request.headers().get("Authorization"));
      if (authorization.isPresent() && HttpClient.sameOrigin(origin, next)) {
        b = b.header("Authorization", authorization.get());
      }
      current = b;
    }
  }

  private Fetched copy(
      InputStream body, Path file, String fileName, String shown, boolean last, int attempt)
      throws IOException {
    MessageDigest sha = Digest.newSha256();
    byte[] buf = new byte[BUFFER];
    long size = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        int n;
        try {
          n = body.read(buf);
        } catch (HttpClient.IdleTimeoutException e) {
          throw stalled(shown, e);
        } catch (IOException e) {
          // the connection broke mid-body: as transient as a failed connect
          if (last) {
            throw networkFailure(shown, attempt, e);
          }
          return null;
        }
        if (n < 0) {
          break;
        }
        size += n;
        if (size > maxBytes) {
          throw tooLarge(shown);
        }
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    return new Fetched(file, size, Digest.sha256(sha.digest()), fileName);
  }

  private static void verify(Digest actual, Optional<Digest> expected, String shown) {
    if (expected.isPresent() && !expected.get().equals(actual)) {
      throw new SlimbuildException(
          "checksum mismatch for " + shown + ": expected " + expected.get() + ", got " + actual);
    }
  }

  private SlimbuildException tooLarge(String shown) {
    return new SlimbuildException(
        "failed to download " + shown + ": larger than the limit of " + maxBytes + " bytes");
  }

  private static IOException networkFailure(String shown, int attempts, IOException e) {
    // the cause is not attached: its message or stack could carry the raw URL
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new IOException(
        "failed to download " + shown + " after " + attempts(attempts) + ": " + redactAll(detail));
  }

  private IOException stalled(String shown, IOException e) {
    return new IOException(
        "failed to download "
            + shown
            + ": the server stalled: "
            + redactAll(e.getMessage())
            + "; the limit is --network-timeout "
            + HttpClient.format(readTimeout));
  }

  private static String attempts(int n) {
    return n == 1 ? "1 attempt" : n + " attempts";
  }

  private static URI parse(String url, String shown) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new SlimbuildException("invalid URL " + shown);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new SlimbuildException("unsupported URL scheme in " + shown + ": only http and https");
    }
    if (uri.getHost() == null) {
      throw new SlimbuildException("invalid URL " + shown + ": no host");
    }
    return uri;
  }

  private HttpRequest request(URI uri) {
    // the user info goes into a header, not the request line; the rest stays as the user wrote it
    String s = uri.getScheme() + "://" + hostPort(uri) + nullToEmpty(uri.getRawPath());
    if (uri.getRawQuery() != null) {
      s += "?" + uri.getRawQuery();
    }
    URI target;
    try {
      target = new URI(s);
    } catch (URISyntaxException e) {
      throw new SlimbuildException("invalid URL " + redact(uri.toString()));
    }
    HttpRequest b = HttpRequest.get(target, readTimeout);
    String userInfo = uri.getUserInfo();
    if (userInfo != null) {
      b = b.header("Authorization", HttpRequest.basicAuthorization(userInfo));
    }
    return b;
  }

  private static String hostPort(URI uri) {
    String host = uri.getHost();
    return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * The name BuildKit's Dockerfile front end gives the download: the last element of the decoded
   * path, trailing slashes ignored ({@code path.Base}), else {@value #UNNAMED}.
   */
  static String fileName(URI uri) {
    String path = nullToEmpty(uri.getPath());
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    if (end == 0) {
      return UNNAMED;
    }
    String base = path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    if (base.isEmpty() || base.equals(".") || base.equals("..") || hasControl(base)) {
      // BuildKit's source falls back to a safe name rather than writing such a path
      throw new SlimbuildException(
          "cannot derive a file name from URL " + redact(uri.toString()) + ": '" + base + "'");
    }
    return base;
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** {@code url} with any user info replaced by {@code xxxxx}, for messages. */
  static String redact(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int start = scheme + 3;
    int end = url.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int i = url.indexOf(c, start);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    int at = url.lastIndexOf('@', end - 1);
    if (at < start) {
      return url;
    }
    return url.substring(0, start) + "xxxxx" + url.substring(at);
  }

  private static String redactAll(String text) {
    StringBuilder out = new StringBuilder();
    for (String word : text.split(" ", -1)) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(redact(word));
    }
    return out.toString();
  }
}
