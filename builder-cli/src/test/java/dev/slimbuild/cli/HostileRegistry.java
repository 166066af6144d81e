package dev.slimbuild.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slimbuild.core.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A registry on loopback (plain HTTP, no auth) that serves whatever images a test makes up,
 * including ones no well-behaved registry holds: thousands of layers, layers with device nodes or
 * whiteout names in odd places, and blobs that send their headers and one byte and then stall
 * (until the registry is closed, at most a minute). Only GET and HEAD of {@code /v2/}, manifests
 * and blobs; everything else is 404.
 */
final class HostileRegistry implements AutoCloseable {
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Set<String> stalling = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closing = new CountDownLatch(1);

  /** GETs per blob digest. */
  final Map<String, AtomicInteger> blobGets = new ConcurrentHashMap<>();

  HostileRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/v2/", this::serve);
    server.start();
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** One tar entry of a made-up layer. */
  record Entry(String name, byte type, String content) {
    static Entry file(String name, String content) {
      return new Entry(name, TarArchiveEntry.LF_NORMAL, content);
    }

    static Entry of(String name, byte type) {
      return new Entry(name, type, null);
    }
  }

  /** An uncompressed layer holding {@code entries}, in that order. */
  static byte[] layer(Entry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type());
        t.setMode(e.type() == TarArchiveEntry.LF_DIR ? 040755 : 0100666);
        byte[] data =
            e.content() == null ? new byte[0] : e.content().getBytes(StandardCharsets.UTF_8);
        if (e.type() == TarArchiveEntry.LF_NORMAL) {
          t.setSize(data.length);
        }
        if (e.type() == TarArchiveEntry.LF_CHR || e.type() == TarArchiveEntry.LF_BLK) {
          t.setDevMajor(1);
          t.setDevMinor(3);
        }
        tar.putArchiveEntry(t);
        tar.write(data);
        tar.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  /**
   * Serves an amd64 image as {@code repository:tag} whose layers are {@code layers} (uncompressed
   * tars, repeated ones stored once); returns the layers' digests in order.
   */
  List<Digest> image(String repository, String tag, List<byte[]> layers) {
    List<Digest> digests = new ArrayList<>();
    StringBuilder diffIds = new StringBuilder();
    StringBuilder layerJson = new StringBuilder();
    for (byte[] l : layers) {
      Digest d = Digest.sha256Of(l);
      digests.add(d);
      blobs.put(d.toString(), l);
      diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(d).append('"');
      layerJson
          .append(layerJson.length() == 0 ? "" : ",")
          .append("{\"mediaType\":\"")
          .append(LAYER_TYPE)
          .append("\",\"digest\":\"")
          .append(d)
          .append("\",\"size\":")
          .append(l.length)
          .append('}');
    }
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds
                + "]}}")
            .getBytes(StandardCharsets.UTF_8);
    Digest c = Digest.sha256Of(config);
    blobs.put(c.toString(), config);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MANIFEST_TYPE
                + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + c
                + "\",\"size\":"
                + config.length
                + "},\"layers\":["
                + layerJson
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    manifests.put(repository + ":" + tag, manifest);
    return digests;
  }

  /** From now on, a GET of blob {@code d} sends its headers and one byte, then nothing. */
  void stall(Digest d) {
    stalling.add(d.toString());
  }

  int gets(Digest d) {
    AtomicInteger n = blobGets.get(d.toString());
    return n == null ? 0 : n.get();
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      boolean head = ex.getRequestMethod().equals("HEAD");
      if (!head && !ex.getRequestMethod().equals("GET")) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      if (path.equals("/v2/")) {
        send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), head);
        return;
      }
      int m = path.indexOf("/manifests/");
      if (m > 0) {
        byte[] body = manifests.get(path.substring(4, m) + ":" + path.substring(m + 11));
        if (body == null) {
          send(
              ex,
              404,
              "application/json",
              "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8),
              head);
        } else {
          ex.getResponseHeaders().add("Docker-Content-Digest", Digest.sha256Of(body).toString());
          send(ex, 200, MANIFEST_TYPE, body, head);
        }
        return;
      }
      int b = path.indexOf("/blobs/");
      String digest = b > 0 ? path.substring(b + 7) : "";
      byte[] body = blobs.get(digest);
      if (body == null) {
        send(
            ex,
            404,
            "application/json",
            "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8),
            head);
        return;
      }
      if (!head) {
        blobGets.computeIfAbsent(digest, k -> new AtomicInteger()).incrementAndGet();
      }
      if (!head && stalling.contains(digest)) {
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, 1);
        out.flush();
        closing.await(60, TimeUnit.SECONDS); // bounded: the registry is closed long before
        return;
      }
      send(ex, 200, "application/octet-stream", body, head);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body, boolean head)
      throws IOException {
    ex.getResponseHeaders().add("Content-Type", type);
    if (head) {
      ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
