package dev.slimbuild.core.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An answer: its status, headers and body. Closing the body (read to its end) hands the connection
 * back for the next request; closing it earlier closes the connection.
 */
public final class HttpResponse implements Closeable {
  private final URI uri;
  private final int status;
  private final Map<String, List<String>> headers;
  private final InputStream body;

  HttpResponse(URI uri, int status, Map<String, List<String>> headers, InputStream body) {
    this.uri = uri;
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** The URI this answer came from. */
  public URI uri() {
    return uri;
  }

  public int statusCode() {
    return status;
  }

  /** The first value of header {@code name} (any case). */
  public Optional<String> header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** Header {@code name} as a number, when it is one. */
  public OptionalLong headerAsLong(String name) {
    Optional<String> v = header(name);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.get().strip()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The body; the caller closes it. */
  public InputStream body() {
    return body;
  }

  /**
   * Reads what is left of the body (a redirect's or an error's few bytes) and closes it, so the
   * connection can serve the next request.
   */
  public void drain() {
    try (InputStream in = body) {
      in.skip(Long.MAX_VALUE);
    } catch (IOException e) {
      // the answer is not needed
    }
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // nothing more to read
    }
  }
}
