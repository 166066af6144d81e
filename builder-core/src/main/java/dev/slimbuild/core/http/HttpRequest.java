package dev.slimbuild.core.http;

import dev.slimbuild.core.fs.Slice;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One request: {@code uri} absolute (http or https), headers other than Host, Content-Length and
 * Connection (the client writes those), an optional body, and how long any one read of the answer
 * may wait.
 */
public record HttpRequest(
    String method, URI uri, Map<String, String> headers, Body body, Duration timeout) {
  public HttpRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(timeout, "timeout");
    if (!method.matches("[A-Z]+")) {
      throw new IllegalArgumentException("bad method " + method);
    }
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers)); // in order
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!h.getKey().matches("[A-Za-z0-9-]+")
          || h.getValue().indexOf('\r') >= 0
          || h.getValue().indexOf('\n') >= 0) {
        throw new IllegalArgumentException("bad header " + h.getKey());
      }
    }
  }

  /** A GET of {@code uri}. */
  public static HttpRequest get(URI uri, Duration timeout) {
    return new HttpRequest("GET", uri, Map.of(), null, timeout);
  }

  /** This request with one more header. */
  public HttpRequest header(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpRequest(method, uri, h, body, timeout);
  }

  /** The {@code Authorization} (or {@code Proxy-Authorization}) value for {@code user:secret}. */
  public static String basicAuthorization(String userColonSecret) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonSecret.getBytes(StandardCharsets.UTF_8));
  }

  /** A request body of exactly {@code length} bytes. */
  public interface Body {
    long length();

    /**
     * The bytes (the client closes the stream it gets); called again each time the request is sent
     * if {@link #replayable}.
     */
    InputStream open() throws IOException;

    /** Whether {@link #open} can be called more than once. */
    boolean replayable();

    /** Bytes in memory: can be sent again. */
    static Body of(byte[] bytes) {
      byte[] copy = bytes.clone();
      return new Body() {
        @Override
        public long length() {
          return copy.length;
        }

        @Override
        public InputStream open() {
          return new ByteArrayInputStream(copy);
        }

        @Override
        public boolean replayable() {
          return true;
        }
      };
    }

    /** The next {@code length} bytes of {@code in}, which stays open: sent once. */
    static Body of(InputStream in, long length) {
      return new Body() {
        private boolean opened;

        @Override
        public long length() {
          return length;
        }

        @Override
        public synchronized InputStream open() throws IOException {
          if (opened) {
            throw new IOException("a streamed request body cannot be sent twice");
          }
          opened = true;
          return new Slice(in, length, false); // the caller closes in
        }

        @Override
        public boolean replayable() {
          return false;
        }
      };
    }
  }
}
