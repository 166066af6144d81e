package dev.slimbuild.core.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.HttpResponseInformationCallback;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;

/**
 * The exchange of one request on its connection, as {@link HttpClient} needs it: it notes in the
 * request's context that the request went out (so an answer without it is a proxy's to the CONNECT)
 * and whether its connection had carried an earlier request (so a failure can be taken for a stale
 * connection), and it watches the writes of a body, whose socket writes have no timeout of their
 * own: one that waits longer than the request's timeout closes the connection and fails as an
 * {@link HttpClient.IdleTimeoutException}.
 */
final class Exchanges extends HttpRequestExecutor {
  static final String SENT = "slimbuild.sent";
  static final String REUSED = "slimbuild.reused";
  static final String UPLOAD = "slimbuild.upload";
  private static final String TUNNEL = "slimbuild.tunnel";

  @Override
  public ClassicHttpResponse execute(
      ClassicHttpRequest request,
      HttpClientConnection conn,
      HttpResponseInformationCallback informationCallback,
      HttpContext context)
      throws IOException, HttpException {
    if (Method.CONNECT.isSame(request.getMethod())) {
      context.setAttribute(TUNNEL, conn);
      return super.execute(request, conn, informationCallback, context);
    }
    // a tunnel's connection carried its CONNECT before this request
    long before = context.getAttribute(TUNNEL) == conn ? 1 : 0;
    context.setAttribute(REUSED, conn.getEndpointDetails().getRequestCount() > before);
    context.setAttribute(SENT, true);
    Upload upload = (Upload) context.getAttribute(UPLOAD);
    if (upload == null) {
      return super.execute(request, conn, informationCallback, context);
    }
    upload.conn = conn;
    try {
      return super.execute(request, conn, informationCallback, context);
    } catch (IOException e) {
      if (upload.stalled) {
        throw new HttpClient.IdleTimeoutException(
            upload.uri, upload.timeout, "sending the request");
      }
      throw e;
    }
  }

  /** A request's body of its stated length, each write of which is watched. */
  static final class Upload extends AbstractHttpEntity {
    private static final int BUFFER = 64 * 1024;
    private final HttpRequest.Body body;
    final URI uri;
    final Duration timeout;
    volatile HttpClientConnection conn;

    /** Set by the watchdog when it closed the connection because a write stalled. */
    volatile boolean stalled;

    Upload(HttpRequest.Body body, URI uri, Duration timeout) {
      super((String) null, null, false);
      this.body = body;
      this.uri = uri;
      this.timeout = timeout;
    }

    @Override
    public long getContentLength() {
      return body.length();
    }

    @Override
    public boolean isRepeatable() {
      return body.replayable();
    }

    @Override
    public boolean isStreaming() {
      return !body.replayable();
    }

    @Override
    public InputStream getContent() throws IOException {
      return body.open();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      try (InputStream in = body.open()) {
        byte[] buf = new byte[BUFFER];
        long left = body.length();
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            throw new EOFException(
                "the request body ended " + left + " bytes short of " + body.length());
          }
          watched(() -> out.write(buf, 0, n));
          left -= n;
        }
        watched(out::flush);
      }
    }

    private interface Io {
      void run() throws IOException;
    }

    private void watched(Io io) throws IOException {
      ScheduledFuture<?> alarm =
          Watchdog.TIMER.schedule(
              () -> {
                HttpClientConnection c = conn;
                if (c != null) {
                  stalled = true;
                  c.close(
                      CloseMode.IMMEDIATE); // the TCP socket: a TLS close could wait for the writer
                }
              },
              Math.max(1, timeout.toMillis()),
              TimeUnit.MILLISECONDS);
      try {
        io.run();
      } finally {
        alarm.cancel(false);
      }
    }

    @Override
    public void close() {
      // the caller owns the stream the body reads
    }
  }

  /** One daemon thread, started on the first body sent, that only sleeps until a deadline. */
  private static final class Watchdog {
    static final ScheduledThreadPoolExecutor TIMER;

    static {
      TIMER =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "slimbuild-http-watchdog");
                t.setDaemon(true);
                return t;
              });
      TIMER.setRemoveOnCancelPolicy(true);
    }
  }
}
