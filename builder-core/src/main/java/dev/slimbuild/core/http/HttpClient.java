package dev.slimbuild.core.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A blocking HTTP/1.1 client (see the package documentation for why not the JDK's). Connections
 * are kept alive and reused per scheme, host and port; a request that finds a reused connection
 * closed by the server is sent once more on a new one when its body can be sent again. Redirects
 * are not followed: the caller decides ({@link #isRedirect}, {@link #sameOrigin}). Proxies come
 * from the {@link Proxies} it is given.
 */
public final class HttpClient {
  private static final int BUFFER = 64 * 1024;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int MAX_IDLE_PER_ORIGIN = 8;
  private static final long MAX_IDLE_NANOS = Duration.ofSeconds(30).toNanos();

  /** Made on the first TLS connection: a build that talks plain HTTP never loads the TLS stack. */
  private final java.util.function.Supplier<SSLContext> tlsSource;
  private SSLContext tls;
  private final boolean verifyHostnames;
  private final int connectTimeoutMillis;
  private final Proxies proxies;
  private final Map<String, Deque<Connection>> idle = new HashMap<>();

  /**
   * A client that speaks TLS through {@code tls} (checking that certificates name the host when
   * {@code verifyHostnames}), gives up connecting after {@code connectTimeout}, and goes through
   * the proxies {@code proxies} names: an https request through a CONNECT tunnel (TLS end to
   * end), an http one sent to the proxy in absolute form.
   */
  public HttpClient(
      SSLContext tls, boolean verifyHostnames, Duration connectTimeout, Proxies proxies) {
    this(() -> tls, verifyHostnames, connectTimeout, proxies);
  }

  /** As {@link #HttpClient(SSLContext, boolean, Duration, Proxies)}, the context made when needed. */
  public HttpClient(java.util.function.Supplier<SSLContext> tls, boolean verifyHostnames,
      Duration connectTimeout, Proxies proxies) {
    this.tlsSource = tls;
    this.verifyHostnames = verifyHostnames;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    this.proxies = proxies;
  }

  /** A client trusting the system's CAs, verifying host names. */
  public static HttpClient systemTrust(Duration connectTimeout, Proxies proxies) {
    return new HttpClient(() -> {
      try {
        return SSLContext.getDefault();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("no TLS in this JVM", e);
      }
    }, true, connectTimeout, proxies);
  }

  private synchronized SSLContext tls() {
    if (tls == null) {
      tls = tlsSource.get();
    }
    return tls;
  }

  /**
   * Sends {@code request} and reads the answer's status line and headers; the caller closes the
   * answer's body. Connection and TLS failures are IOExceptions (a {@link
   * java.net.ConnectException} when refused, a {@link java.net.SocketTimeoutException} when
   * the server did not answer in time, a {@link javax.net.ssl.SSLException} for TLS).
   */
  public HttpResponse send(HttpRequest request) throws IOException {
    String scheme = request.uri().getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IOException("not an http or https URI: " + request.uri());
    }
    boolean replayable = request.body() == null || request.body().replayable();
    // a streamed body goes on a new connection: it could not be sent again on a stale one
    Proxies.Proxy proxy;
    try {
      proxy = proxies.proxyFor(request.uri()).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new ProxyException(e.getMessage(), null, false);
    }
    String key = origin(request.uri()) + (proxy == null ? "" : " via " + proxy);
    Connection c = replayable ? takeIdle(key) : null;
    if (c != null) {
      try {
        return exchange(c, request);
      } catch (StaleConnection e) {
        c.close(); // closed by the server while idle: once more on a new connection
      }
    }
    c = open(request.uri(), proxy, key);
    try {
      return exchange(c, request);
    } catch (StaleConnection e) {
      throw (IOException) e.getCause();
    }
  }

  private HttpResponse exchange(Connection c, HttpRequest request) throws IOException {
    try {
      c.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
          request.timeout().toMillis())));
      c.uri = request.uri();
      c.timeout = request.timeout();
      writeRequest(c, request);
      try {
        return readResponse(c, request);
      } catch (SocketTimeoutException e) {
        throw new IdleTimeoutException(c.uri, c.timeout, "before the answer's head ended");
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      if (e instanceof IOException io && !(e instanceof IdleTimeoutException) && c.reused
          && !c.readAny) {
        throw new StaleConnection(io);
      }
      throw e;
    }
  }

  /** A reused connection that failed before any byte of an answer came back. */
  private static final class StaleConnection extends IOException {
    private static final long serialVersionUID = 1L;

    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  private void writeRequest(Connection c, HttpRequest request) throws IOException {
    URI uri = request.uri();
    StringBuilder head = new StringBuilder();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    head.append(request.method()).append(' ');
    if (c.forwardProxy != null) {
      head.append("http://").append(hostHeader(uri)); // absolute form, to an http proxy
    }
    head.append(path);
    if (uri.getRawQuery() != null) {
      head.append('?').append(uri.getRawQuery());
    }
    head.append(" HTTP/1.1\r\nHost: ").append(hostHeader(uri)).append("\r\n");
    head.append("User-Agent: slimbuild\r\n");
    if (c.forwardProxy != null && c.forwardProxy.authorization() != null) {
      head.append("Proxy-Authorization: ").append(c.forwardProxy.authorization()).append("\r\n");
    }
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    HttpRequest.Body body = request.body();
    if (body != null) {
      head.append("Content-Length: ").append(body.length()).append("\r\n");
    } else if (!request.method().equals("GET") && !request.method().equals("HEAD")
        && !request.method().equals("DELETE")) {
      head.append("Content-Length: 0\r\n");
    }
    head.append("\r\n");
    c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      try (InputStream in = body.open()) {
        byte[] buf = new byte[BUFFER];
        long left = body.length();
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            throw new EOFException("the request body ended " + left + " bytes short of "
                + body.length());
          }
          c.out.write(buf, 0, n);
          left -= n;
        }
      }
    }
    c.out.flush();
  }

  private HttpResponse readResponse(Connection c, HttpRequest request) throws IOException {
    while (true) {
      String statusLine = readLine(c);
      c.readAny = true;
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x answer from " + origin(request.uri()));
      }
      int status;
      try {
        status = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IOException("bad HTTP status from " + origin(request.uri()));
      }
      Map<String, List<String>> headers = readHeaders(c);
      if (status >= 100 && status < 200) {
        continue; // an interim answer: the real one follows
      }
      boolean keepAlive = parts[0].equals("HTTP/1.1") && !tokens(headers, "connection")
          .contains("close");
      InputStream body;
      if (request.method().equals("HEAD") || status == 204 || status == 304) {
        body = new FixedBody(c, 0, keepAlive);
      } else if (tokens(headers, "transfer-encoding").contains("chunked")) {
        body = new ChunkedBody(c, keepAlive);
      } else if (headers.containsKey("content-length")) {
        long length;
        try {
          length = Long.parseLong(headers.get("content-length").get(0).strip());
        } catch (NumberFormatException e) {
          throw new IOException("bad Content-Length from " + origin(request.uri()));
        }
        body = new FixedBody(c, length, keepAlive);
      } else {
        body = new FixedBody(c, -1, false); // to the end of the connection
      }
      return new HttpResponse(request.uri(), status, headers, body);
    }
  }

  private static List<String> tokens(Map<String, List<String>> headers, String name) {
    List<String> out = new ArrayList<>();
    for (String v : headers.getOrDefault(name, List.of())) {
      for (String t : v.split(",")) {
        out.add(t.strip().toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  private static Map<String, List<String>> readHeaders(Connection c) throws IOException {
    Map<String, List<String>> headers = new HashMap<>();
    int total = 0;
    for (String line; !(line = readLine(c)).isEmpty(); ) {
      total += line.length();
      if (total > MAX_HEADER_BYTES) {
        throw new IOException("HTTP headers larger than " + MAX_HEADER_BYTES + " bytes");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue; // not a header: ignored, as lenient clients do
      }
      headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
    }
    return headers;
  }

  /** A line of the answer's head, without its CRLF (or bare LF). */
  private static String readLine(Connection c) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = c.in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1
            : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= MAX_HEADER_BYTES) {
        throw new IOException("an HTTP header line longer than " + MAX_HEADER_BYTES + " bytes");
      }
      line.write(b);
    }
  }

  private static String origin(URI uri) {
    return uri.getScheme().toLowerCase(Locale.ROOT) + "://"
        + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port(uri);
  }

  /** Whether {@code a} and {@code b} have the same scheme, host and port (default ports filled). */
  public static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && b.getScheme() != null && a.getHost() != null
        && b.getHost() != null && origin(a).equals(origin(b));
  }

  /** Whether {@code status} is a redirect a client may follow (with a Location). */
  public static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** {@code host} without the brackets of an IPv6 literal. */
  static String bareHost(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
  }

  private static String hostHeader(URI uri) {
    int defaultPort = "https".equals(uri.getScheme()) ? 443 : 80;
    return uri.getPort() < 0 || uri.getPort() == defaultPort
        ? uri.getHost()
        : uri.getHost() + ":" + uri.getPort();
  }

  private synchronized Connection takeIdle(String origin) {
    Deque<Connection> q = idle.get(origin);
    long now = System.nanoTime();
    while (q != null && !q.isEmpty()) {
      Connection c = q.pollLast();
      if (now - c.idleSince < MAX_IDLE_NANOS && !c.socket.isClosed()) {
        c.reused = true;
        c.readAny = false;
        return c;
      }
      c.close();
    }
    return null;
  }

  private synchronized void giveBack(Connection c) {
    Deque<Connection> q = idle.computeIfAbsent(c.origin, k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_ORIGIN) {
      c.close();
      return;
    }
    c.idleSince = System.nanoTime();
    q.addLast(c);
  }

  private Connection open(URI uri, Proxies.Proxy proxy, String key) throws IOException {
    String host = uri.getHost();
    if (host == null) {
      throw new IOException("no host in " + uri);
    }
    String bare = bareHost(host);
    int port = port(uri);
    boolean tlsToServer = "https".equals(uri.getScheme());
    if (proxy != null) {
      Socket s;
      try {
        s = connect(proxy.host(), proxy.port());
      } catch (IOException e) {
        throw new ProxyException("proxy " + proxy + ": " + e.getMessage(), e);
      }
      Socket raw = s;
      try {
        if (tlsToServer) {
          tunnel(s, proxy, bare, port);
          s = startTls(s, bare, port);
        }
        Connection c = new Connection(key, s, raw);
        c.forwardProxy = tlsToServer ? null : proxy;
        return c;
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
    }
    Socket s = connect(bare, port);
    try {
      return new Connection(key, tlsToServer ? startTls(s, bare, port) : s, s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A TCP connection to {@code host}, trying each of its addresses in turn. */
  private Socket connect(String host, int port) throws IOException {
    IOException failed = null;
    for (InetAddress a : InetAddress.getAllByName(host)) {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(a, port), connectTimeoutMillis);
        // a TLS handshake or a proxy's answer waits no longer than a connection may take
        s.setSoTimeout(Math.max(connectTimeoutMillis, 1));
        return s;
      } catch (IOException e) {
        s.close();
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    throw failed != null ? failed : new IOException("no address for " + host);
  }

  /** Asks {@code proxy} (connected as {@code s}) for a tunnel to {@code host:port}. */
  private void tunnel(Socket s, Proxies.Proxy proxy, String host, int port) throws IOException {
    String target = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    StringBuilder head = new StringBuilder("CONNECT ").append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(target).append("\r\n");
    if (proxy.authorization() != null) {
      head.append("Proxy-Authorization: ").append(proxy.authorization()).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = s.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    // read unbuffered: what follows the answer's head is the server's TLS
    InputStream in = s.getInputStream();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new ProxyException("proxy " + proxy + " closed the connection instead of"
            + " opening a tunnel to " + target, null);
      }
      answer.write(b);
      byte[] a = answer.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
        break;
      }
      if (n > MAX_HEADER_BYTES) {
        throw new ProxyException("proxy " + proxy + " sent too long an answer", null);
      }
    }
    String status = answer.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].startsWith("2")) {
      throw new ProxyException("proxy " + proxy + " refused a tunnel to " + target + ": "
          + (parts.length >= 2 ? parts[1] + (parts.length > 2 ? " " + parts[2] : "") : status),
          null);
    }
  }

  /**
   * No byte of an answer arrived for the request's timeout (an idle limit per read, not a limit
   * on the whole transfer). The message names the URL without its query (which may carry a
   * signed token) and the limit.
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
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + path;
  }

  /** A duration as {@code --network-timeout} takes it: {@code 60s}, {@code 1m30s}, {@code 500ms}. */
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

  private Socket startTls(Socket plain, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) tls().getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters p = s.getSSLParameters();
    if (verifyHostnames) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  /**
   * Closes connections whose writes stall: a socket write has no timeout of its own, and a
   * server that stops reading an upload would block it for ever. One daemon thread, started on
   * first use, that only sleeps until a deadline.
   */
  private static final class Watchdog {
    static final java.util.concurrent.ScheduledThreadPoolExecutor TIMER;

    static {
      TIMER = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "slimbuild-http-watchdog");
        t.setDaemon(true);
        return t;
      });
      TIMER.setRemoveOnCancelPolicy(true);
    }
  }

  /**
   * The socket's output, each write of which must finish within the current request's timeout;
   * otherwise the watchdog closes the TCP socket under it and the write fails as an {@link
   * IdleTimeoutException} naming the URL.
   */
  private static final class WatchedOutput extends OutputStream {
    private final Connection c;
    private final OutputStream out;

    WatchedOutput(Connection c, OutputStream out) {
      this.c = c;
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      watched(() -> out.write(b, off, len));
    }

    @Override
    public void flush() throws IOException {
      watched(out::flush);
    }

    private interface Io {
      void run() throws IOException;
    }

    private void watched(Io io) throws IOException {
      Duration limit = c.timeout;
      if (limit == null) {
        io.run();
        return;
      }
      java.util.concurrent.ScheduledFuture<?> alarm = Watchdog.TIMER.schedule(() -> {
        c.writeStalled = true;
        try {
          c.raw.close(); // the TCP socket: closing a TLS socket could wait for the writer
        } catch (IOException e) {
          // closed anyway
        }
      }, Math.max(1, limit.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        io.run();
      } catch (IOException e) {
        if (c.writeStalled) {
          throw new IdleTimeoutException(c.uri, limit, "sending the request");
        }
        throw e;
      } finally {
        alarm.cancel(false);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** One connection; in the idle pool between exchanges. */
  private static final class Connection {
    final String origin;
    final Socket socket;
    final BufferedInputStream in;
    final OutputStream out;
    long idleSince;
    /** The http proxy requests on this connection go to in absolute form, if any. */
    Proxies.Proxy forwardProxy;
    boolean reused;
    boolean readAny;
    /** The request being answered on this connection, and how long a read of it may wait. */
    URI uri;
    Duration timeout;

    /** The TCP socket under {@code socket} (itself, or the one TLS runs over). */
    final Socket raw;
    /** Set by the watchdog when it closed the connection because a write stalled. */
    volatile boolean writeStalled;

    Connection(String origin, Socket socket, Socket raw) throws IOException {
      this.origin = origin;
      this.socket = socket;
      this.raw = raw;
      this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
      this.out = new BufferedOutputStream(new WatchedOutput(this, socket.getOutputStream()),
          BUFFER);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /**
   * An answer's body on connection {@code c}: closing it once it has been read to its end hands
   * the connection back for reuse (unless the server said it closes it), else closes it.
   */
  private abstract class Body extends InputStream {
    final Connection c;
    private final boolean keepAlive;
    private boolean closed;

    Body(Connection c, boolean keepAlive) {
      this.c = c;
      this.keepAlive = keepAlive;
    }

    /** Reads at most {@code len} (at least 1) bytes; -1 at the body's end. */
    abstract int readSome(byte[] b, int off, int len) throws IOException;

    /** Whether the body has been read to its end. */
    abstract boolean complete();

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("the answer's body is closed");
      }
      try {
        return len == 0 ? 0 : readSome(b, off, len);
      } catch (SocketTimeoutException e) {
        throw new IdleTimeoutException(c.uri, c.timeout, "in the answer's body");
      }
    }

    @Override
    public final int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(1, n))];
      long skipped = 0;
      while (skipped < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    @Override
    public final void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (complete() && keepAlive) {
        giveBack(c);
      } else {
        c.close();
      }
    }
  }

  /** A body of a known length, or ({@code length} -1) up to the end of the connection. */
  private final class FixedBody extends Body {
    private long left;

    FixedBody(Connection c, long length, boolean keepAlive) {
      super(c, keepAlive);
      this.left = length;
    }

    @Override
    int readSome(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = c.in.read(b, off, left < 0 ? len : (int) Math.min(len, left));
      if (n < 0) {
        if (left > 0) {
          throw new EOFException("the connection closed " + left + " bytes before the body's end");
        }
        left = 0;
        return -1;
      }
      if (left > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    boolean complete() {
      return left == 0;
    }
  }

  /** A {@code Transfer-Encoding: chunked} body. */
  private final class ChunkedBody extends Body {
    private long chunkLeft;
    private boolean done;

    ChunkedBody(Connection c, boolean keepAlive) {
      super(c, keepAlive);
    }

    @Override
    int readSome(byte[] b, int off, int len) throws IOException {
      if (chunkLeft == 0 && !nextChunk()) {
        return -1;
      }
      int n = c.in.read(b, off, (int) Math.min(len, chunkLeft));
      if (n < 0) {
        throw new EOFException("the connection closed inside a chunk");
      }
      chunkLeft -= n;
      if (chunkLeft == 0 && !readLine(c).isEmpty()) {
        throw new IOException("a chunk does not end with CRLF");
      }
      return n;
    }

    /** Reads the next chunk's size line; false at the last chunk (its trailers read too). */
    private boolean nextChunk() throws IOException {
      if (done) {
        return false;
      }
      String line = readLine(c);
      int semi = line.indexOf(';');
      String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 0) {
        throw new IOException("bad chunk size in an HTTP answer");
      }
      if (size == 0) {
        readHeaders(c); // trailers
        done = true;
        return false;
      }
      chunkLeft = size;
      return true;
    }

    @Override
    boolean complete() {
      return done;
    }
  }
}
