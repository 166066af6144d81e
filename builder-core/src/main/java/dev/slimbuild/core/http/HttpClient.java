package dev.slimbuild.core.http;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * A blocking HTTP/1.1 client over Apache HttpClient 5's classic API (see the package documentation
 * for why not the JDK's). Connections are pooled per route; a request that finds a reused
 * connection closed by the server is sent once more on a new one when its body can be sent again,
 * and a streamed body always goes on a new connection. Redirects are not followed and
 * authentication is the caller's: the caller decides ({@link #isRedirect}, {@link #sameOrigin}).
 * Proxies come from the {@link Proxies} it is given. The library's client ({@link Engine}) is made
 * on the first request, so a process that sends none never loads a class of it.
 */
public final class HttpClient {
  /** Made on the first TLS connection: a build that talks plain HTTP never loads the TLS stack. */
  private final Supplier<SSLContext> tlsSource;

  private final boolean verifyHostnames;
  private final Duration connectTimeout;
  private final Proxies proxies;
  private Engine engine;

  /**
   * A client that speaks TLS through {@code tls} (checking that certificates name the host when
   * {@code verifyHostnames}), gives up connecting after {@code connectTimeout}, and goes through
   * the proxies {@code proxies} names: an https request through a CONNECT tunnel (TLS end to end),
   * an http one sent to the proxy in absolute form.
   */
  public HttpClient(
      SSLContext tls, boolean verifyHostnames, Duration connectTimeout, Proxies proxies) {
    this(() -> tls, verifyHostnames, connectTimeout, proxies);
  }

  /**
   * As {@link #HttpClient(SSLContext, boolean, Duration, Proxies)}, the context made when needed.
   */
  public HttpClient(
      Supplier<SSLContext> tls, boolean verifyHostnames, Duration connectTimeout, Proxies proxies) {
    this.tlsSource = tls;
    this.verifyHostnames = verifyHostnames;
    this.connectTimeout = connectTimeout;
    this.proxies = proxies;
  }

  /** A client trusting the system's CAs, verifying host names. */
  public static HttpClient systemTrust(Duration connectTimeout, Proxies proxies) {
    return new HttpClient(
        () -> {
          try {
            return SSLContext.getDefault();
          } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
          }
        },
        true,
        connectTimeout,
        proxies);
  }

  private synchronized Engine engine() {
    if (engine == null) {
      engine = new Engine(tlsSource, verifyHostnames, connectTimeout, proxies);
    }
    return engine;
  }

  /**
   * Sends {@code request} and reads the answer's status line and headers; the caller closes the
   * answer's body. Connection and TLS failures are IOExceptions (a {@link
   * java.net.ConnectException} when refused, a {@link java.net.SocketTimeoutException} when the
   * server did not answer in time, a {@link javax.net.ssl.SSLException} for TLS).
   */
  public HttpResponse send(HttpRequest request) throws IOException {
    return engine().send(request);
  }

  static String origin(URI uri) {
    return uri.getScheme().toLowerCase(Locale.ROOT)
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + ":"
        + port(uri);
  }

  /** Whether {@code a} and {@code b} have the same scheme, host and port (default ports filled). */
  public static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && b.getScheme() != null
        && a.getHost() != null
        && b.getHost() != null
        && origin(a).equals(origin(b));
  }

  /** Whether {@code status} is a redirect a client may follow (with a Location). */
  public static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  static int port(URI uri) {
    return uri.getPort() >= 0
        ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** {@code host} without the brackets of an IPv6 literal. */
  static String bareHost(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * No byte of an answer arrived for the request's timeout (an idle limit per read, not a limit on
   * the whole transfer), or a write of the request waited as long. The message names the URL
   * without its query (which may carry a signed token) and the limit.
   */
  public static final class IdleTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    IdleTimeoutException(URI uri, Duration limit, String where) {
      super("no data from " + shown(uri) + " for " + format(limit) + " (" + where + ")");
    }
  }

  /** {@code uri} for messages: scheme, host, port and path; no user info, query or fragment. */
  public static String shown(URI uri) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + path;
  }

  /**
   * A duration as {@code --network-timeout} takes it: {@code 60s}, {@code 1m30s}, {@code 500ms}.
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
    }
    if (s % 3600 / 60 != 0) {
      b.append(s % 3600 / 60).append('m');
    }
    if (s % 60 != 0) {
      b.append(s % 60).append('s');
    }
    return b.toString();
  }

  /** A proxy that could not be reached or would not carry the request. */
  public static final class ProxyException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    ProxyException(String message, IOException cause) {
      this(message, cause, true);
    }

    ProxyException(String message, IOException cause, boolean retryable) {
      super(message, cause);
      this.retryable = retryable;
    }

    /** False for a proxy setting that cannot work, true for a proxy that failed this time. */
    public boolean retryable() {
      return retryable;
    }
  }
}
