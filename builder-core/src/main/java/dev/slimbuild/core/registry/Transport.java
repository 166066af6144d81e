package dev.slimbuild.core.registry;

import dev.slimbuild.core.http.HttpClient;
import dev.slimbuild.core.http.HttpRequest;
import dev.slimbuild.core.http.HttpResponse;
import dev.slimbuild.core.http.Proxies;
import dev.slimbuild.core.http.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * HTTP to one registry host over {@link HttpClient}: picks the scheme once (https, verified; for an
 * insecure host https without verification, then plain http, as docker does), adds authorization,
 * answers 401 challenges, follows redirects for reads (dropping the authorization when the host
 * changes), retries with exponential backoff, and turns failures into {@link RegistryException}s
 * whose messages never contain a credential.
 */
final class Transport {
  /** Tries, waits between them and redirects: the same for registries and {@code ADD <URL>}. */

  /** One call that may be retried. */
  @FunctionalInterface
  interface IoCall<T> {
    T run() throws IOException;
  }

  /** A request to the registry, relative to its base URI unless {@code uri} is absolute. */
  record Req(
      String method,
      String target,
      Map<String, String> headers,
      HttpRequest.Body body,
      List<String> scopes,
      boolean followRedirects,
      String what) {
    Req {
      Objects.requireNonNull(method, "method");
      headers = Map.copyOf(headers);
      scopes = List.copyOf(scopes);
    }

    static Req of(String method, String target, List<String> scopes, String what) {
      return new Req(method, target, Map.of(), null, scopes, false, what);
    }

    Req headers(Map<String, String> h) {
      return new Req(method, target, h, body, scopes, followRedirects, what);
    }

    Req body(HttpRequest.Body b) {
      return new Req(method, target, headers, b, scopes, followRedirects, what);
    }

    Req redirects() {
      return new Req(method, target, headers, body, scopes, true, what);
    }
  }

  private final String host;
  private final boolean insecure;
  private final HttpClient client;
  private final Auth auth;
  private final Duration timeout;
  private volatile URI base;
  private final SchemeHints hints;

  Transport(String host, RegistryOptions opts) throws IOException {
    this.host = host;
    this.insecure = opts.isInsecure(host);
    this.timeout = opts.networkTimeout();
    Duration connect =
        timeout.compareTo(Duration.ofSeconds(15)) < 0 ? timeout : Duration.ofSeconds(15);
    // CA files are read now (a bad one fails before the build); the TLS context is made when a
    // connection needs it
    SSLContext custom = opts.caFiles().isEmpty() ? null : Tls.verifying(opts.caFiles());
    this.client =
        new HttpClient(
            () -> {
              if (insecure) {
                return Tls.unverified();
              }
              if (custom != null) {
                return custom;
              }
              try {
                return Tls.verifying(opts.caFiles());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            !insecure,
            connect,
            Proxies.fromEnv(opts.env()));
    this.auth = new Auth(host, opts.env(), this);
    this.hints = SchemeHints.of(opts.env());
  }

  String host() {
    return host;
  }

  /**
   * Runs {@code call} as {@link RetryPolicy#DEFAULT} allows while it fails with a retryable error.
   */
  static <T> T retrying(IoCall<T> call) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (RegistryException e) {
        if (!e.retryable() || !RetryPolicy.DEFAULT.another(attempt, e.unreachable())) {
          throw e;
        }
        RetryPolicy.DEFAULT.backoff(attempt);
      }
    }
  }

  /**
   * Sends {@code req} once (no retry), answering an auth challenge once when the body can be sent
   * again. The caller owns (closes) the response body.
   */
  HttpResponse send(Req req) throws IOException {
    URI uri = resolve(req.target());
    HttpResponse r = sendAuthorized(req, uri, auth.header(req.scopes()));
    if (r.statusCode() == 401) {
      r.drain();
      Challenge c = Challenge.parse(r.header("WWW-Authenticate").orElse(null)).orElse(null);
      boolean known = c != null;
      auth.learn(c);
      auth.forget(req.scopes());
      if (!known) {
        throw auth.failed();
      }
      if (req.body() != null && !req.body().replayable()) {
        // the streamed body is spent: let the caller start over (it will authorize first)
        throw new RegistryException(
            req.what() + ": the registry asked to authenticate again", 401, "UNAUTHORIZED", true);
      }
      r = sendAuthorized(req, uri, auth.header(req.scopes()));
      if (r.statusCode() == 401) {
        r.drain();
        throw auth.failed();
      }
    }
    return r;
  }

  private HttpResponse sendAuthorized(Req req, URI uri, String authorization) throws IOException {
    URI current = uri;
    String authz = authorization;
    for (int hop = 0; ; hop++) {
      HttpRequest request =
          new HttpRequest(req.method(), current, req.headers(), req.body(), timeout);
      if (authz != null) {
        request = request.header("Authorization", authz);
      }
      HttpResponse r = exchange(request, req.what());
      Optional<String> location = r.header("Location");
      if (!HttpClient.isRedirect(r.statusCode())
          || location.isEmpty()
          || !req.followRedirects()
          || hop >= RetryPolicy.DEFAULT.maxRedirects()) {
        return r;
      }
      r.drain();
      URI next = current.resolve(location.get());
      if (!HttpClient.sameOrigin(next, current)) {
        authz = null; // a storage backend: never hand it the registry's credentials
      }
      current = next;
    }
  }

  /** One HTTP exchange; connection failures become retryable RegistryExceptions. */
  HttpResponse exchange(HttpRequest request, String what) throws IOException {
    try {
      return client.send(request);
    } catch (IOException e) {
      throw connectionError(what, e);
    }
  }

  private RegistryException connectionError(String what, IOException e) {
    if (e instanceof RegistryException re) {
      return re;
    }
    if (e instanceof HttpClient.ProxyException pe) {
      return new RegistryException(what + ": " + e.getMessage(), 0, null, pe.retryable(), true);
    }
    if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
      return new RegistryException(
          what + ": cannot reach registry " + host + " (connection refused)", 0, null, true, true);
    }
    if (e instanceof UnknownHostException) {
      return new RegistryException(
          what + ": cannot reach registry " + host + " (unknown host)", 0, null, true, true);
    }
    if (e instanceof SSLException || e.getCause() instanceof SSLException) {
      String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new RegistryException(
          what
              + ": TLS verification failed for "
              + host
              + ": "
              + detail
              + " (trust its CA with --registry-ca FILE, or allow it with --insecure-registry "
              + host
              + ")",
          0,
          null,
          false);
    }
    if (e instanceof HttpClient.IdleTimeoutException) {
      // not retried: a server that stalls mid-answer would make every attempt wait as long
      return stalled(what, e);
    }
    if (e instanceof SocketTimeoutException) {
      return new RegistryException(what + ": " + host + " did not answer in time", 0, null, true);
    }
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new RegistryException(
        what + ": connection to " + host + " failed: " + detail, 0, null, true);
  }

  /** The error for a read that waited longer than the network timeout (not retried). */
  RegistryException stalled(String what, IOException e) {
    return new RegistryException(
        what
            + ": registry "
            + host
            + " stalled: "
            + e.getMessage()
            + "; the limit is --network-timeout "
            + HttpClient.format(timeout),
        0,
        null,
        false);
  }

  /** The error for an unexpected status, with the registry's error code when it sent one. */
  static RegistryException statusError(String what, int status, byte[] body) {
    Optional<ErrorBody> err = ErrorBody.parse(body);
    StringBuilder m = new StringBuilder(what).append(": ").append(status);
    String code = err.map(ErrorBody::code).orElse(null);
    if (code != null) {
      m.append(' ').append(code);
    }
    String detail = err.map(ErrorBody::message).orElse(ErrorBody.snippet(body));
    if (detail != null && !detail.isEmpty()) {
      m.append(" (").append(detail).append(')');
    }
    boolean retryable = RetryPolicy.retryableStatus(status);
    return new RegistryException(m.toString(), status, code, retryable);
  }

  /** Reads what is left of an error answer (bounded) and turns it into an exception. */
  static RegistryException statusError(String what, HttpResponse r) throws IOException {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(64 * 1024);
    } catch (IOException e) {
      body = new byte[0];
    }
    return statusError(what, r.statusCode(), body);
  }

  private URI resolve(String target) throws IOException {
    URI t = URI.create(target);
    return t.isAbsolute() ? t : base().resolve(target);
  }

  /** The registry's base URI, found once by a {@code GET /v2/} ping (which also learns auth). */
  URI base() throws IOException {
    URI b = base;
    if (b == null) {
      synchronized (this) {
        if (base == null) {
          base = retrying(this::ping);
        }
        b = base;
      }
    }
    return b;
  }

  private URI ping() throws IOException {
    // a loopback registry may speak plain http, as Docker and containerd allow by default; only
    // when its https port is not TLS at all (a certificate it fails to verify stays an error)
    boolean loopback = !insecure && isLoopback(host);
    // a host that answered in http last time is asked in http first (see SchemeHints)
    boolean hinted = (insecure || loopback) && hints.plainHttp(host);
    List<String> schemes =
        hinted
            ? List.of("http", "https")
            : insecure || loopback ? List.of("https", "http") : List.of("https");
    RegistryException last = null;
    for (String scheme : schemes) {
      boolean hintedTry = hinted && last == null;
      if (loopback
          && last != null
          && scheme.equals("http")
          && !String.valueOf(last.getMessage()).contains("nrecognized SSL message")) {
        throw last;
      }
      URI candidate = URI.create(scheme + "://" + host + "/");
      HttpRequest request = HttpRequest.get(candidate.resolve("/v2/"), timeout);
      try {
        HttpResponse r = exchange(request, "GET " + scheme + "://" + host + "/v2/");
        r.drain();
        if (hintedTry && r.statusCode() != 200 && r.statusCode() != 401) {
          // not a registry's answer (a TLS server answers plain http with 400): https, as ever
          hints.remember(host, false);
          last =
              new RegistryException(
                  "GET http://" + host + "/v2/: " + r.statusCode(), 0, null, false);
          continue;
        }
        if (RetryPolicy.retryableStatus(r.statusCode())) {
          throw statusError("GET " + host + "/v2/", r.statusCode(), new byte[0]);
        }
        if (r.statusCode() == 401) {
          auth.learn(Challenge.parse(r.header("WWW-Authenticate").orElse(null)).orElse(null));
        }
        if (insecure || loopback) {
          hints.remember(host, scheme.equals("http"));
        }
        return candidate;
      } catch (RegistryException e) {
        if (hintedTry) {
          hints.remember(host, false);
          last = e;
          continue;
        }
        if (e.status() != 0) {
          throw e;
        }
        last = e; // an insecure host may speak plain http: try the next scheme
      }
    }
    throw Objects.requireNonNull(last);
  }

  /** Whether {@code host} ({@code host[:port]}) is localhost or a loopback address. */
  static boolean isLoopback(String host) {
    String h = host;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      h = end < 0 ? h : h.substring(1, end);
    } else if (h.indexOf(':') == h.lastIndexOf(':') && h.indexOf(':') >= 0) {
      h = h.substring(0, h.indexOf(':'));
    }
    return h.equals("localhost") || h.equals("::1") || h.matches("127\\.\\d+\\.\\d+\\.\\d+");
  }
}
