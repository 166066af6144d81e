package dev.slimbuild.core.registry;

import dev.slimbuild.core.fs.Slice;
import dev.slimbuild.core.http.HttpClient;
import dev.slimbuild.core.http.HttpRequest;
import dev.slimbuild.core.http.HttpResponse;
import dev.slimbuild.core.http.RetryPolicy;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.Transport.Req;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The registry client (distribution spec v1.1, "pull" and "push" workflows) over {@link Transport}:
 * manifests as exact bytes, blobs streamed both ways, pushes that skip what exists, mount across
 * repositories, and upload in one PUT or in chunks.
 */
final class HttpRegistry implements Registry {
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size. */
  static final long DEFAULT_CHUNK = 16L << 20;

  static final String MANIFEST_ACCEPT =
      String.join(
          ", ",
          MediaType.OCI_MANIFEST,
          MediaType.OCI_INDEX,
          MediaType.DOCKER_MANIFEST,
          MediaType.DOCKER_MANIFEST_LIST);

  private static final Pattern REPOSITORY =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final int MAX_MANIFEST = 4 << 20;

  private final Transport http;
  private final long chunk;

  HttpRegistry(Transport http, long chunk) {
    this.http = http;
    this.chunk = chunk;
  }

  @Override
  public String host() {
    return http.host();
  }

  @Override
  public RawManifest getManifest(String repository, String reference) throws IOException {
    String what = where(repository) + ": GET manifest " + reference;
    Optional<Digest> expected = digestReference(reference);
    Req req =
        Req.of("GET", manifestPath(repository, reference), pull(repository), what)
            .headers(Map.of("Accept", MANIFEST_ACCEPT));
    return Transport.retrying(
        () -> {
          HttpResponse r = http.send(req);
          if (r.statusCode() != 200) {
            throw Transport.statusError(what, r);
          }
          byte[] bytes = manifestBody(what, r, "manifest");
          Digest digest = Digest.sha256Of(bytes);
          if (expected.isPresent()) {
            checkDigest(what, expected.get(), bytes);
            digest = expected.get();
          }
          Optional<String> header = r.header("Docker-Content-Digest");
          if (header.isPresent()) {
            Digest announced = parseDigest(what, header.get());
            if (announced.isRegistered()) {
              checkDigest(what, announced, bytes);
            }
          }
          return new RawManifest(bytes, mediaType(what, r, bytes), digest);
        });
  }

  @Override
  public Optional<RawManifest> referrers(String repository, Digest subject) throws IOException {
    String what = where(repository) + ": GET referrers of " + subject;
    Req req =
        Req.of("GET", "/v2/" + repository + "/referrers/" + subject, pull(repository), what)
            .headers(Map.of("Accept", MediaType.OCI_INDEX));
    return Transport.retrying(
        () -> {
          HttpResponse r = http.send(req);
          if (r.statusCode() == 404 || r.statusCode() == 405 || r.statusCode() == 400) {
            r.drain(); // no referrers API here (distribution 2.8 answers 404)
            return Optional.<RawManifest>empty();
          }
          if (r.statusCode() != 200) {
            throw Transport.statusError(what, r);
          }
          return Optional.of(RawManifest.of(manifestBody(what, r, "index"), MediaType.OCI_INDEX));
        });
  }

  /**
   * The body of a manifest or index answer, at most 4 MiB; a stall or a cut connection while it is
   * read is a retryable error, as any other request's.
   */
  private byte[] manifestBody(String what, HttpResponse r, String kind) throws IOException {
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readNBytes(MAX_MANIFEST + 1);
    } catch (HttpClient.IdleTimeoutException e) {
      throw http.stalled(what, e);
    } catch (IOException e) {
      throw new RegistryException(what + ": connection dropped: " + e.getMessage(), 0, null, true);
    }
    if (bytes.length > MAX_MANIFEST) {
      throw new RegistryException(what + ": " + kind + " larger than 4 MiB", 200, null, false);
    }
    return bytes;
  }

  @Override
  public Optional<Descriptor> headManifest(String repository, String reference) throws IOException {
    String what = where(repository) + ": HEAD manifest " + reference;
    Req req =
        Req.of("HEAD", manifestPath(repository, reference), pull(repository), what)
            .headers(Map.of("Accept", MANIFEST_ACCEPT));
    Optional<Optional<Descriptor>> found =
        Transport.retrying(
            () -> {
              HttpResponse r = http.send(req);
              r.drain();
              if (r.statusCode() == 404) {
                return Optional.of(Optional.<Descriptor>empty());
              }
              if (r.statusCode() != 200) {
                throw Transport.statusError(what, r.statusCode(), new byte[0]);
              }
              Optional<String> digest = r.header("Docker-Content-Digest");
              Optional<String> type = r.header("Content-Type").map(t -> bare(t));
              long size = r.headerAsLong("Content-Length").orElse(-1);
              if (digest.isEmpty() || type.isEmpty() || size < 0) {
                return Optional.<Optional<Descriptor>>empty(); // not enough: GET it
              }
              return Optional.of(
                  Optional.of(Descriptor.of(type.get(), parseDigest(what, digest.get()), size)));
            });
    if (found.isPresent()) {
      return found.get();
    }
    try {
      return Optional.of(getManifest(repository, reference).descriptor());
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Digest putManifest(String repository, String reference, byte[] bytes, String mediaType)
      throws IOException {
    String what = where(repository) + ": PUT manifest " + reference;
    byte[] copy = bytes.clone();
    Digest digest = Digest.sha256Of(copy);
    Optional<Digest> asked = digestReference(reference);
    if (asked.isPresent()) {
      checkDigest(what, asked.get(), copy);
      digest = asked.get();
    }
    Req req =
        Req.of("PUT", manifestPath(repository, reference), push(repository, List.of()), what)
            .headers(Map.of("Content-Type", mediaType))
            .body(HttpRequest.Body.of(copy));
    Digest result = digest;
    return Transport.retrying(
        () -> {
          HttpResponse r = http.send(req);
          if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw Transport.statusError(what, r);
          }
          r.drain();
          Optional<String> header = r.header("Docker-Content-Digest");
          if (header.isPresent()
              && !parseDigest(what, header.get()).equals(result)
              && result.algorithm().equals("sha256")) {
            throw new RegistryException(
                what + ": the registry stored digest " + header.get() + ", expected " + result,
                r.statusCode(),
                "DIGEST_INVALID",
                false);
          }
          return result;
        });
  }

  @Override
  public boolean hasBlob(String repository, Digest digest) throws IOException {
    String what = where(repository) + ": HEAD blob " + digest;
    Req req = Req.of("HEAD", blobPath(repository, digest), pull(repository), what).redirects();
    return Transport.retrying(
        () -> {
          HttpResponse r = http.send(req);
          r.drain();
          return switch (r.statusCode()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw Transport.statusError(what, r.statusCode(), new byte[0]);
          };
        });
  }

  @Override
  public InputStream getBlob(String repository, Digest digest) throws IOException {
    String what = where(repository) + ": GET blob " + digest;
    Req req = Req.of("GET", blobPath(repository, digest), pull(repository), what).redirects();
    HttpResponse first =
        Transport.retrying(
            () -> {
              HttpResponse r = http.send(req);
              if (r.statusCode() != 200) {
                throw Transport.statusError(what, r);
              }
              return r;
            });
    return new ResumingBody(req, first);
  }

  /**
   * A blob's body that survives a connection cut mid-body: the rest is asked for again with a
   * {@code Range} request (a registry that ignores it sends the whole blob, and the bytes already
   * read are skipped), up to {@link RetryPolicy#DEFAULT}'s attempts per blob. The caller still
   * checks the digest. A stall (no data for the network timeout) is not retried. Every failure
   * names the registry, the repository and the blob.
   */
  private final class ResumingBody extends InputStream {
    private final Req req;
    private InputStream body;
    private final long total;
    private long offset;
    private int resumed;
    private boolean closed;

    ResumingBody(Req req, HttpResponse first) {
      this.req = req;
      this.body = first.body();
      this.total = first.headerAsLong("Content-Length").orElse(-1);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException(req.what() + ": the body is closed");
      }
      if (len == 0) {
        return 0;
      }
      while (true) {
        try {
          int n = body.read(b, off, len);
          if (n > 0) {
            offset += n;
          }
          return n;
        } catch (HttpClient.IdleTimeoutException e) {
          throw http.stalled(req.what() + " (after " + offset + bytes() + ")", e);
        } catch (IOException e) {
          resume(e);
        }
      }
    }

    private String bytes() {
      return total >= 0 ? " of " + total + " bytes" : " bytes";
    }

    /** Opens the rest of the blob after {@code cut}, or throws once the attempts are spent. */
    private void resume(IOException cut) throws IOException {
      closeQuietly(body);
      IOException last = cut;
      while (RetryPolicy.DEFAULT.another(resumed + 1, false)) {
        resumed++;
        RetryPolicy.DEFAULT.backoff(resumed);
        try {
          body = reopen();
          return;
        } catch (RegistryException e) {
          if (!e.retryable()) {
            throw e;
          }
          last = e;
        } catch (HttpClient.IdleTimeoutException e) {
          throw http.stalled(req.what() + " (after " + offset + bytes() + ")", e);
        } catch (IOException e) {
          last = e;
        }
      }
      throw new RegistryException(
          req.what()
              + ": the connection broke after "
              + offset
              + bytes()
              + " ("
              + (resumed + 1)
              + " attempts): "
              + detail(last),
          0,
          null,
          true);
    }

    private InputStream reopen() throws IOException {
      HttpResponse r = http.send(req.headers(Map.of("Range", "bytes=" + offset + "-")));
      if (r.statusCode() == 206) {
        String range = r.header("Content-Range").orElse("");
        if (!range.strip().startsWith("bytes " + offset + "-")) {
          r.close();
          throw new RegistryException(
              req.what()
                  + ": the registry answered a request for the"
                  + " bytes from "
                  + offset
                  + " with the range '"
                  + range
                  + "'",
              206,
              null,
              false);
        }
        return r.body();
      }
      if (r.statusCode() != 200) {
        throw Transport.statusError(req.what(), r);
      }
      InputStream in = r.body();
      try {
        long skipped = in.skip(offset); // the whole blob again: skip what was read already
        if (skipped != offset) {
          throw new EOFException("the blob ended after " + skipped + " bytes");
        }
      } catch (IOException e) {
        closeQuietly(in);
        throw e;
      }
      return in;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        closeQuietly(body);
      }
    }
  }

  private static String detail(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // abandoned
    }
  }

  @Override
  public PushResult pushBlob(
      String repository, Descriptor blob, BlobContent content, List<String> mountFrom)
      throws IOException {
    Digest digest = blob.digest();
    if (hasBlob(repository, digest)) {
      return PushResult.EXISTED;
    }
    List<String> sources = new ArrayList<>(new LinkedHashSet<>(mountFrom));
    sources.remove(repository);
    String session = null;
    for (String from : sources) {
      checkRepository(from);
      Optional<String> mounted = mount(repository, digest, from);
      if (mounted.isEmpty()) {
        if (session != null) {
          cancel(repository, session);
        }
        return PushResult.MOUNTED;
      }
      if (session != null) {
        cancel(repository, session);
      }
      session = mounted.get();
    }
    upload(repository, blob, content, session);
    return PushResult.UPLOADED;
  }

  /** Empty when mounted; else the upload session the registry opened instead. */
  private Optional<String> mount(String repository, Digest digest, String from) throws IOException {
    String what = where(repository) + ": mount blob " + digest + " from " + from;
    String target = "/v2/" + repository + "/blobs/uploads/?mount=" + digest + "&from=" + from;
    Req req = Req.of("POST", target, push(repository, List.of(from)), what);
    return Transport.retrying(
        () -> {
          HttpResponse r = http.send(req);
          r.drain();
          if (r.statusCode() == 201) {
            return Optional.empty();
          }
          if (r.statusCode() == 202) {
            return Optional.of(location(what, r));
          }
          throw Transport.statusError(what, r.statusCode(), new byte[0]);
        });
  }

  @Override
  public void checkPush(String repository) throws IOException {
    checkRepository(repository);
    String what = where(repository) + ": check push access";
    Req req =
        Req.of("POST", "/v2/" + repository + "/blobs/uploads/", push(repository, List.of()), what);
    String session =
        Transport.retrying(
            () -> {
              HttpResponse r = http.send(req);
              r.drain();
              if (r.statusCode() != 202) {
                throw Transport.statusError(what, r.statusCode(), new byte[0]);
              }
              return location(what, r);
            });
    cancel(repository, session);
  }

  private void cancel(String repository, String session) {
    try {
      HttpResponse r =
          http.send(Req.of("DELETE", session, push(repository, List.of()), "cancel upload"));
      r.drain();
    } catch (IOException e) {
      // an abandoned session expires on the registry by itself
    }
  }

  /**
   * Uploads {@code blob}; a failed attempt starts a new upload session with the content opened
   * again (a half-sent stream cannot be resumed reliably).
   */
  private void upload(String repository, Descriptor blob, BlobContent content, String session)
      throws IOException {
    String open = session;
    for (int attempt = 1; ; attempt++) {
      if (open == null) {
        // a new session is retried on its own: a failed start costs no upload attempt
        open = Transport.retrying(() -> start(repository, blob.digest()));
      }
      try {
        if (blob.size() <= chunk) {
          monolithic(repository, blob, content, open);
        } else {
          chunked(repository, blob, content, open);
        }
        return;
      } catch (RegistryException e) {
        open = null;
        if (!e.retryable() || !RetryPolicy.DEFAULT.another(attempt, false)) {
          throw e;
        }
        RetryPolicy.DEFAULT.backoff(attempt);
        if (hasBlob(repository, blob.digest())) {
          return; // the failure hit after the registry had committed it
        }
      }
    }
  }

  private String start(String repository, Digest digest) throws IOException {
    String what = where(repository) + ": start upload of " + digest;
    Req req =
        Req.of("POST", "/v2/" + repository + "/blobs/uploads/", push(repository, List.of()), what);
    HttpResponse r = http.send(req);
    r.drain();
    if (r.statusCode() != 202) {
      throw Transport.statusError(what, r.statusCode(), new byte[0]);
    }
    return location(what, r);
  }

  private void monolithic(String repository, Descriptor blob, BlobContent content, String session)
      throws IOException {
    String what = where(repository) + ": upload blob " + blob.digest();
    try (InputStream in = content.open()) {
      Req req =
          Req.of("PUT", withDigest(session, blob.digest()), push(repository, List.of()), what)
              .headers(Map.of("Content-Type", "application/octet-stream"))
              .body(HttpRequest.Body.of(in, blob.size()));
      HttpResponse r = http.send(req);
      if (r.statusCode() != 201) {
        throw Transport.statusError(what, r);
      }
      r.drain();
    }
  }

  private void chunked(String repository, Descriptor blob, BlobContent content, String session)
      throws IOException {
    String what = where(repository) + ": upload blob " + blob.digest();
    MessageDigest hasher = blob.digest().newHasher();
    String location = session;
    long offset = 0;
    try (InputStream raw = content.open();
        InputStream in = new DigestInputStream(raw, hasher)) {
      while (offset < blob.size()) {
        long len = Math.min(chunk, blob.size() - offset);
        Slice slice = new Slice(in, len, false);
        String range = offset + "-" + (offset + len - 1);
        Req req =
            Req.of("PATCH", location, push(repository, List.of()), what + " (bytes " + range + ")")
                .headers(Map.of("Content-Type", "application/octet-stream", "Content-Range", range))
                .body(HttpRequest.Body.of(slice, len));
        HttpResponse r = http.send(req);
        if (r.statusCode() != 202) {
          throw Transport.statusError(req.what(), r);
        }
        r.drain();
        if (slice.remaining() > 0) {
          throw new RegistryException(
              what + ": the content ended before " + blob.size() + " bytes", 0, null, false);
        }
        location = location(what, r);
        offset += len;
      }
      if (in.read() != -1) {
        throw new RegistryException(
            what + ": the content is longer than " + blob.size() + " bytes", 0, null, false);
      }
    }
    Digest actual = Digest.of(blob.digest().algorithm(), hasher.digest());
    if (!actual.equals(blob.digest())) {
      throw new RegistryException(
          what + ": content digest mismatch: expected " + blob.digest() + ", got " + actual,
          0,
          "DIGEST_INVALID",
          false);
    }
    Req commit =
        Req.of(
            "PUT",
            withDigest(location, blob.digest()),
            push(repository, List.of()),
            what + " (commit)");
    HttpResponse r = http.send(commit);
    if (r.statusCode() != 201) {
      throw Transport.statusError(commit.what(), r);
    }
    r.drain();
  }

  @Override
  public void close() {}

  // --- helpers ---

  private String where(String repository) {
    checkRepository(repository);
    return http.host() + "/" + repository;
  }

  private static void checkRepository(String repository) {
    if (!REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name: " + repository);
    }
  }

  private static String manifestPath(String repository, String reference) {
    if (digestReference(reference).isEmpty() && !TAG.matcher(reference).matches()) {
      throw new IllegalArgumentException("invalid tag or digest: " + reference);
    }
    return "/v2/" + repository + "/manifests/" + reference;
  }

  private static String blobPath(String repository, Digest digest) {
    return "/v2/" + repository + "/blobs/" + digest;
  }

  private static Optional<Digest> digestReference(String reference) {
    if (!reference.contains(":")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(reference));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid digest reference: " + reference);
    }
  }

  private static List<String> pull(String repository) {
    return List.of("repository:" + repository + ":pull");
  }

  private static List<String> push(String repository, List<String> alsoPull) {
    List<String> scopes = new ArrayList<>();
    scopes.add("repository:" + repository + ":pull,push");
    for (String from : alsoPull) {
      scopes.add("repository:" + from + ":pull");
    }
    return scopes;
  }

  private static String withDigest(String location, Digest digest) {
    return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
  }

  private static String location(String what, HttpResponse r) throws RegistryException {
    String loc = r.header("Location").orElse(null);
    if (loc == null || loc.isEmpty()) {
      throw new RegistryException(
          what + ": the registry sent no upload location", r.statusCode(), null, false);
    }
    return r.uri().resolve(URI.create(loc)).toString();
  }

  private static void checkDigest(String what, Digest expected, byte[] bytes)
      throws RegistryException {
    if (!expected.isRegistered()) {
      throw new RegistryException(
          what + ": cannot verify digest algorithm " + expected.algorithm(), 0, null, false);
    }
    MessageDigest md = expected.newHasher();
    Digest actual = Digest.of(expected.algorithm(), md.digest(bytes));
    if (!actual.equals(expected)) {
      throw new RegistryException(
          what + ": digest mismatch: expected " + expected + ", got " + actual,
          0,
          "DIGEST_INVALID",
          false);
    }
  }

  private static Digest parseDigest(String what, String s) throws RegistryException {
    try {
      return Digest.parse(s.strip());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(what + ": the registry sent an invalid digest", 0, null, false);
    }
  }

  private static String bare(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip();
  }

  private static String mediaType(String what, HttpResponse r, byte[] bytes)
      throws RegistryException {
    Optional<String> header = r.header("Content-Type").map(HttpRegistry::bare);
    if (header.isPresent()
        && !header.get().isEmpty()
        && !header.get().equals("application/json")
        && !header.get().equals("application/octet-stream")) {
      return header.get();
    }
    try {
      JsonValue v = Json.parse(bytes);
      if (v instanceof JsonObject o && o.get("mediaType").orElse(null) instanceof JsonString s) {
        return s.value();
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new RegistryException(what + ": the manifest's media type is unknown", 200, null, false);
  }
}
