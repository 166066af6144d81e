package dev.slimbuild.core.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback HTTP/1.1 reverse proxy in front of a plain registry that fails a share of requests.
 * Periodic ({@link #start}): every {@code period}-th well-formed request is answered {@code 500} or
 * has its connection dropped (alternately) without reaching the registry. Random ({@link #random}):
 * each request fails with a given percentage, from a seeded generator, in one of four ways: dropped
 * before it reaches the registry, dropped after the registry answered (the registry did the work,
 * the client never hears of it), answered {@code 500}, or answered with its body cut in the middle.
 * One request per connection; bodies are streamed, never buffered whole. Bytes that are not HTTP (a
 * TLS handshake) close the connection and are not counted.
 */
public final class FaultProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int upstreamPort;
  private final int period;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();

  /** Requests answered 500, and connections dropped. */
  public final AtomicInteger errors = new AtomicInteger();

  public final AtomicInteger drops = new AtomicInteger();

  /** Every well-formed request line with its Content-Range header if any, in order. */
  public final List<String> seen = Collections.synchronizedList(new ArrayList<>());

  /** Random mode: the percentage of requests that fail, and the generator (null: periodic). */
  private final int percent;

  private final Random random;

  /** Random mode: which request lines ({@code METHOD TARGET}) may fail. */
  private volatile Predicate<String> eligible = line -> true;

  /** Random mode: requests dropped after the registry answered, and answers cut mid-body. */
  public final AtomicInteger dropsAfter = new AtomicInteger();

  public final AtomicInteger cuts = new AtomicInteger();

  private FaultProxy(ServerSocket server, int upstreamPort, int period) {
    this(server, upstreamPort, period, 0, null);
  }

  private FaultProxy(
      ServerSocket server, int upstreamPort, int period, int percent, Random random) {
    this.server = server;
    this.upstreamPort = upstreamPort;
    this.period = period;
    this.percent = percent;
    this.random = random;
  }

  /**
   * A proxy to {@code 127.0.0.1:upstreamPort} failing about {@code percent} % of requests, each in
   * one of the four ways, chosen by a generator seeded with {@code seed}.
   */
  public static FaultProxy random(int upstreamPort, int percent, long seed) throws IOException {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be 0 to 100");
    }
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultProxy p = new FaultProxy(s, upstreamPort, 0, percent, new Random(seed));
    p.pool.execute(p::acceptLoop);
    return p;
  }

  /** Only requests whose line ({@code METHOD TARGET}) {@code which} accepts may fail. */
  public FaultProxy onlyFor(Predicate<String> which) {
    this.eligible = which;
    return this;
  }

  /** Random mode: faults only of the kinds that never reach the registry (drop before, 500). */
  public FaultProxy beforeTheRegistry() {
    this.beforeOnly = true;
    return this;
  }

  private volatile boolean beforeOnly;

  private enum Fault {
    NONE,
    DROP_BEFORE,
    ERROR,
    DROP_AFTER,
    CUT
  }

  private Fault fault(int n, String line) {
    if (random == null) {
      return n % period != 0 ? Fault.NONE : (n / period) % 2 == 1 ? Fault.ERROR : Fault.DROP_BEFORE;
    }
    synchronized (random) {
      if (!eligible.test(line) || random.nextInt(100) >= percent) {
        return Fault.NONE;
      }
      return beforeOnly
          ? Fault.values()[1 + random.nextInt(2)]
          : Fault.values()[1 + random.nextInt(4)];
    }
  }

  /** A proxy to {@code 127.0.0.1:upstreamPort} failing every {@code period}-th request. */
  public static FaultProxy start(int upstreamPort, int period) throws IOException {
    if (period < 2) {
      throw new IllegalArgumentException("period must be at least 2");
    }
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultProxy p = new FaultProxy(s, upstreamPort, period);
    p.pool.execute(p::acceptLoop);
    return p;
  }

  /** {@code 127.0.0.1:PORT} of the proxy. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Well-formed requests seen. */
  public int requests() {
    return requests.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        pool.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      client.setSoTimeout(60_000);
      InputStream in = new BufferedInputStream(client.getInputStream());
      List<String> head = readHead(in);
      if (head == null) {
        return;
      }
      String[] requestLine = head.get(0).split(" ");
      if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        return;
      }
      int n = requests.incrementAndGet();
      long length = 0;
      boolean chunked = false;
      String range = "";
      for (String h : head.subList(1, head.size())) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-range:")) {
          range = " " + h.substring(14).strip();
        }
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).strip());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      seen.add(requestLine[0] + " " + requestLine[1] + range);
      OutputStream out = client.getOutputStream();
      Fault fault = fault(n, requestLine[0] + " " + requestLine[1]);
      if (fault == Fault.ERROR || fault == Fault.DROP_BEFORE) {
        // consume the request so the client sees the failure at the answer, then fail
        if (chunked) {
          copyChunked(in, OutputStream.nullOutputStream());
        } else {
          copy(in, OutputStream.nullOutputStream(), length);
        }
        if (fault == Fault.ERROR) {
          errors.incrementAndGet();
          byte[] body =
              "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected fault\"}]}"
                  .getBytes(StandardCharsets.UTF_8);
          out.write(
              ("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + body.length
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        } else {
          drops.incrementAndGet();
        }
        return;
      }
      try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
        upstream.setSoTimeout(60_000);
        OutputStream up = upstream.getOutputStream();
        StringBuilder sb = new StringBuilder(head.get(0)).append("\r\n");
        for (String h : head.subList(1, head.size())) {
          if (!h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
            sb.append(h).append("\r\n");
          }
        }
        sb.append("Connection: close\r\n\r\n");
        up.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (chunked) {
          copyChunked(in, up);
        } else {
          copy(in, up, length);
        }
        up.flush();
        relayResponse(
            new BufferedInputStream(upstream.getInputStream()),
            fault == Fault.DROP_AFTER ? OutputStream.nullOutputStream() : out,
            requestLine[0].equals("HEAD"),
            fault == Fault.CUT);
        if (fault == Fault.DROP_AFTER) {
          dropsAfter.incrementAndGet();
        }
      }
    } catch (IOException | RuntimeException e) {
      // the client sees a dropped connection
    }
  }

  /** Relays the answer; with {@code cut}, only the first half of its body, then the end. */
  private void relayResponse(InputStream in, OutputStream out, boolean head, boolean cut)
      throws IOException {
    List<String> lines = readHead(in);
    if (lines == null) {
      return;
    }
    int status = Integer.parseInt(lines.get(0).split(" ")[1]);
    long length = -1;
    boolean chunked = false;
    StringBuilder sb = new StringBuilder(lines.get(0)).append("\r\n");
    for (String h : lines.subList(1, lines.size())) {
      String lower = h.toLowerCase(Locale.ROOT);
      if (lower.startsWith("connection:")) {
        continue;
      }
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(h.substring(15).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
      sb.append(h).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n");
    if (cut && (head || chunked || length < 2 || status == 204 || status == 304)) {
      // nothing to cut: this one is dropped after the registry answered instead
      in.transferTo(OutputStream.nullOutputStream());
      dropsAfter.incrementAndGet();
      return;
    }
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (cut) {
      copy(in, out, length / 2);
      out.flush();
      cuts.incrementAndGet();
      return;
    }
    if (!head && status != 204 && status != 304) {
      if (chunked) {
        copyChunked(in, out);
      } else if (length >= 0) {
        copy(in, out, length);
      } else {
        in.transferTo(out);
      }
    }
    out.flush();
  }

  /** The request or status line and headers, or null at EOF or on non-HTTP bytes. */
  private static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int total = 0;
    while (true) {
      int b = in.read();
      if (b < 0 || ++total > 64 * 1024) {
        return null;
      }
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        if (s.endsWith("\r")) {
          s = s.substring(0, s.length() - 1);
        }
        line.reset();
        if (s.isEmpty()) {
          return lines.isEmpty() ? null : lines;
        }
        lines.add(s);
      } else if (b < 0x09 || (b > 0x0d && b < 0x20) || b > 0x7e) {
        return null; // not an HTTP head (e.g. a TLS ClientHello)
      } else {
        line.write(b);
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long left = n;
    while (left > 0) {
      int got = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (got < 0) {
        throw new IOException("short body");
      }
      out.write(buf, 0, got);
      left -= got;
    }
  }

  private static void copyChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String sizeLine = readLine(in);
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.US_ASCII));
      int semi = sizeLine.indexOf(';');
      long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
      if (size == 0) {
        String trailer;
        do {
          trailer = readLine(in);
          out.write((trailer + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } while (!trailer.isEmpty());
        return;
      }
      copy(in, out, size);
      String crlf = readLine(in);
      out.write((crlf + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int i = 0; i < 8192; i++) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF in chunked body");
      }
      if (b == '\n') {
        String s = line.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    throw new IOException("chunk line too long");
  }

  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
