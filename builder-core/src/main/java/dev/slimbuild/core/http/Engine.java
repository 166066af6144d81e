package dev.slimbuild.core.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.DefaultClientConnectionReuseStrategy;
import org.apache.hc.client5.http.impl.auth.BasicScheme;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * {@link HttpClient}'s requests on Apache HttpClient 5's classic client, which it builds on its
 * first request: no thread of its own (no idle-connection evictor), nothing done by itself that the
 * caller did not ask for (redirects, retries but the one of a stale connection, authentication,
 * cookies, compression, protocol upgrades).
 */
final class Engine {
  /** Connections idle longer than this are not reused. */
  private static final Timeout MAX_IDLE = Timeout.ofSeconds(30);

  /** The pool token of connections any replayable request may reuse. */
  private static final Object SHARED = "shared";

  private final Supplier<SSLContext> tlsSource;
  private final boolean verifyHostnames;
  private final Timeout connectTimeout;
  private final Proxies proxies;
  private final CloseableHttpClient client;
  private TlsSocketStrategy tls;

  Engine(
      Supplier<SSLContext> tls, boolean verifyHostnames, Duration connectTimeout, Proxies proxies) {
    this.tlsSource = tls;
    this.verifyHostnames = verifyHostnames;
    this.connectTimeout = Timeout.ofMilliseconds(Math.max(1, connectTimeout.toMillis()));
    this.proxies = proxies;
    this.client = client();
  }

  private synchronized TlsSocketStrategy tls() {
    if (tls == null) {
      tls =
          verifyHostnames
              ? new DefaultClientTlsStrategy(
                  tlsSource.get(), HostnameVerificationPolicy.BUILTIN, null)
              : new DefaultClientTlsStrategy(
                  tlsSource.get(),
                  HostnameVerificationPolicy.CLIENT,
                  NoopHostnameVerifier.INSTANCE);
    }
    return tls;
  }

  private CloseableHttpClient client() {
    return HttpClients.custom()
        .setConnectionManager(
            PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(
                    (socket, target, port, attachment, context) ->
                        tls().upgrade(socket, target, port, attachment, context))
                .setDefaultConnectionConfig(
                    ConnectionConfig.custom()
                        .setConnectTimeout(connectTimeout)
                        // a TLS handshake or a proxy's answer waits no longer than a connection may
                        // take
                        .setSocketTimeout(connectTimeout)
                        .setIdleTimeout(MAX_IDLE)
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(connectTimeout).build())
                // as many connections as the callers' threads ask for, as before
                .setMaxConnPerRoute(1024)
                .setMaxConnTotal(4096)
                .build())
        .setRequestExecutor(new Exchanges())
        .setRetryStrategy(new StaleConnectionRetry())
        // a streamed body's connection (its own pool token) is not kept: nothing could reuse it
        .setConnectionReuseStrategy(
            (request, response, context) ->
                SHARED.equals(HttpClientContext.cast(context).getUserToken())
                    && DefaultClientConnectionReuseStrategy.INSTANCE.keepAlive(
                        request, response, context))
        .setUserAgent("slimbuild")
        .disableRedirectHandling()
        .disableContentCompression()
        .disableCookieManagement()
        .disableAuthCaching()
        .build();
  }

  dev.slimbuild.core.http.HttpResponse send(dev.slimbuild.core.http.HttpRequest request)
      throws IOException {
    URI uri = request.uri();
    String scheme = uri.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IOException("not an http or https URI: " + uri);
    }
    if (uri.getHost() == null) {
      throw new IOException("no host in " + uri);
    }
    Proxies.Proxy proxy;
    try {
      proxy = proxies.proxyFor(uri).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new HttpClient.ProxyException(e.getMessage(), null, false);
    }
    HttpUriRequestBase out = new HttpUriRequestBase(request.method(), uri);
    request.headers().forEach(out::addHeader);
    HttpClientContext context = HttpClientContext.create();
    Exchanges.Upload upload = null;
    if (request.body() != null) {
      upload = new Exchanges.Upload(request.body(), uri, request.timeout());
      out.setEntity(upload);
      context.setAttribute(Exchanges.UPLOAD, upload);
    }
    // a streamed body could not be sent again after a stale connection: a new one, its own token
    context.setUserToken(upload == null || request.body().replayable() ? SHARED : new Object());
    RequestConfig.Builder config =
        RequestConfig.custom()
            .setResponseTimeout(Timeout.ofMilliseconds(Math.max(1, request.timeout().toMillis())))
            .setRedirectsEnabled(false)
            .setAuthenticationEnabled(false)
            .setContentCompressionEnabled(false)
            .setProtocolUpgradeEnabled(false);
    if (proxy != null) {
      HttpHost proxyHost = new HttpHost("http", proxy.host(), proxy.port());
      config.setProxy(proxyHost);
      if (proxy.authorization() != null) {
        context.resetAuthExchange(proxyHost, new PresetAuthorization(proxy.authorization()));
      }
    }
    out.setConfig(config.build());
    ClassicHttpResponse r;
    try {
      r = client.executeOpen(null, out, context);
    } catch (HttpClient.IdleTimeoutException e) {
      throw e;
    } catch (ConnectTimeoutException e) {
      throw proxy == null
          ? e
          : new HttpClient.ProxyException("proxy " + proxy + ": " + e.getMessage(), e);
    } catch (SocketTimeoutException e) {
      if (context.getAttribute(Exchanges.SENT) != null) {
        throw new HttpClient.IdleTimeoutException(
            uri, request.timeout(), "before the answer's head ended");
      }
      throw e;
    } catch (ConnectException | UnknownHostException e) {
      if (proxy != null) { // every connection goes to the proxy
        throw new HttpClient.ProxyException("proxy " + proxy + ": " + e.getMessage(), e);
      }
      throw e;
    } catch (NoHttpResponseException e) {
      if (proxy != null && "https".equals(scheme) && context.getAttribute(Exchanges.SENT) == null) {
        throw new HttpClient.ProxyException(
            "proxy "
                + proxy
                + " closed the connection instead"
                + " of opening a tunnel to "
                + authority(uri),
            e);
      }
      throw e;
    } catch (ClientProtocolException e) {
      throw new IOException("bad HTTP from " + HttpClient.origin(uri) + ": " + e.getMessage(), e);
    }
    if (proxy != null && "https".equals(scheme) && context.getAttribute(Exchanges.SENT) == null) {
      // the request never went out: this is the proxy's answer to the CONNECT
      int status = r.getCode();
      String reason = r.getReasonPhrase() == null ? "" : " " + r.getReasonPhrase();
      r.close();
      throw new HttpClient.ProxyException(
          "proxy " + proxy + " refused a tunnel to " + authority(uri) + ": " + status + reason,
          null);
    }
    Map<String, List<String>> headers = new HashMap<>();
    for (Header h : r.getHeaders()) {
      headers
          .computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(h.getValue());
    }
    HttpEntity entity = r.getEntity();
    InputStream body =
        entity == null
            ? InputStream.nullInputStream()
            : new Body(entity.getContent(), entity.getContentLength(), uri, request.timeout());
    if (entity == null) {
      r.close();
    }
    return new dev.slimbuild.core.http.HttpResponse(uri, r.getCode(), headers, body);
  }

  /** {@code host:port} of {@code uri}, as a CONNECT names it. */
  private static String authority(URI uri) {
    return uri.getHost() + ":" + HttpClient.port(uri);
  }

  /** The {@code Proxy-Authorization} of a proxy URL's user info, sent without a challenge. */
  private static final class PresetAuthorization extends BasicScheme {
    private static final long serialVersionUID = 1L;
    private final transient String value;

    PresetAuthorization(String value) {
      this.value = value;
    }

    @Override
    public String generateAuthResponse(HttpHost host, HttpRequest request, HttpContext context) {
      return value;
    }
  }

  /**
   * Sends a request once more, at once, when the reused connection it went out on turns out to have
   * been closed by the server while idle (no answer, or the connection reset). The library asks
   * only when the body can be sent again.
   */
  private static final class StaleConnectionRetry implements HttpRequestRetryStrategy {
    @Override
    public boolean retryRequest(
        HttpRequest request, IOException e, int execCount, HttpContext context) {
      return execCount == 1
          && Boolean.TRUE.equals(context.getAttribute(Exchanges.REUSED))
          && (e instanceof NoHttpResponseException
              || (e instanceof SocketException && !(e instanceof ConnectException)));
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
      return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
      return TimeValue.ZERO_MILLISECONDS;
    }
  }

  /**
   * An answer's body: read failures name the URL ({@link IdleTimeoutException} when nothing came
   * for the request's timeout); closing it once read to its end hands the connection back for
   * reuse, closing it earlier closes the connection (nothing more is read).
   */
  private static final class Body extends InputStream {
    private final InputStream in;
    private final long length;
    private final URI uri;
    private final Duration timeout;
    private long read;
    private boolean ended;

    /** The failure every read after the first failed one throws again. */
    private Supplier<IOException> failure;

    private boolean closed;

    Body(InputStream in, long length, URI uri, Duration timeout) {
      this.in = in;
      this.length = length;
      this.uri = uri;
      this.timeout = timeout;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("the answer's body is closed");
      }
      if (len == 0) {
        return 0;
      }
      if (failure != null) {
        throw failure.get(); // the library's stream reads as ended once it failed: it did not
      }
      int n;
      try {
        n = in.read(b, off, len);
      } catch (SocketTimeoutException e) {
        failure = () -> new HttpClient.IdleTimeoutException(uri, timeout, "in the answer's body");
        throw failure.get();
      } catch (ConnectionClosedException e) {
        String message =
            length >= 0
                ? "the connection closed " + (length - read) + " bytes before the body's end"
                : "the connection closed inside the body";
        failure = () -> new EOFException(message);
        throw failure.get();
      } catch (IOException e) {
        failure = () -> new IOException("the answer's body failed: " + e.getMessage(), e);
        throw e;
      }
      if (n < 0) {
        ended = true;
      } else {
        read += n;
      }
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (ended || !(in instanceof EofSensorInputStream sensor)) {
          in.close(); // read to its end: the connection goes back to the pool
        } else {
          sensor.abort(); // not read to its end: the connection is closed, not drained
        }
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
