package dev.slimbuild.core.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real registry for integration tests: Debian's {@code docker-registry} (CNCF distribution 2.8)
 * on a free 127.0.0.1 port with a temporary storage directory. Plain HTTP, TLS with a self-signed
 * certificate and htpasswd basic auth, or bearer tokens from a loopback {@link TokenService}.
 * {@link #close()} stops only the process it started (by its PID) and deletes its files.
 */
public final class RegistryServer implements AutoCloseable {
  private static final int READY_POLLS = 200; // x 50 ms

  private final Process process;
  private final Path dir;
  private final int port;
  private final Path caFile;
  private final TokenService tokens;

  private RegistryServer(Process process, Path dir, int port, Path caFile, TokenService tokens) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.caFile = caFile;
    this.tokens = tokens;
  }

  /** A plain-HTTP registry without authentication. */
  public static RegistryServer plain() throws IOException {
    Path dir = Files.createTempDirectory("slimbuild-registry");
    return start(dir, "", null, null, false);
  }

  /** A TLS registry (self-signed certificate, see {@link #caFile()}) requiring basic auth. */
  public static RegistryServer tlsWithBasicAuth(String user, String password) throws IOException {
    Path dir = Files.createTempDirectory("slimbuild-registry");
    Path crt = dir.resolve("registry.crt");
    Path key = dir.resolve("registry.key");
    selfSigned(dir, crt, key, "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    Path htpasswd = dir.resolve("htpasswd");
    run(dir, "htpasswd", "-Bbc", htpasswd.toString(), user, password);
    String extra =
        "  tls: {certificate: "
            + crt
            + ", key: "
            + key
            + "}\n"
            + "auth: {htpasswd: {realm: slimbuild-test, path: "
            + htpasswd
            + "}}\n";
    return start(dir, extra, crt, null, true);
  }

  /**
   * A plain-HTTP registry using token authentication: a loopback token service checks {@code
   * user}/{@code password} (Basic) and issues RS256 JWTs whose x5c certificate the registry trusts.
   */
  public static RegistryServer withTokenAuth(String user, String password) throws IOException {
    Path dir = Files.createTempDirectory("slimbuild-registry");
    TokenService tokens = TokenService.start(dir, user, password);
    String extra =
        "auth:\n  token:\n"
            + "    realm: "
            + tokens.realm()
            + "\n"
            + "    service: "
            + TokenService.SERVICE
            + "\n"
            + "    issuer: "
            + TokenService.ISSUER
            + "\n"
            + "    rootcertbundle: "
            + tokens.certificate()
            + "\n";
    try {
      return start(dir, extra, null, tokens, false);
    } catch (IOException | RuntimeException e) {
      tokens.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** The registry's storage directory (tests corrupt blobs there). */
  public Path storage() {
    return dir.resolve("storage");
  }

  /** The PEM certificate of a TLS registry (null for plain ones). */
  public Path caFile() {
    return caFile;
  }

  /** The token service of a token-auth registry (null otherwise). */
  public TokenService tokens() {
    return tokens;
  }

  @Override
  public void close() throws IOException {
    try {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      if (tokens != null) {
        tokens.close();
      }
      deleteTree(dir);
    }
  }

  private static RegistryServer start(
      Path dir, String extraConfig, Path caFile, TokenService tokens, boolean tls)
      throws IOException {
    ensureTools();
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // a free port may be taken before we bind it
      int port = freePort();
      Path config = dir.resolve("config.yml");
      String yaml =
          "version: 0.1\n"
              + "log: {level: warn, accesslog: {disabled: true}}\n"
              + "storage: {filesystem: {rootdirectory: "
              + dir.resolve("storage")
              + "},"
              + " delete: {enabled: true}}\n"
              + "http:\n  addr: 127.0.0.1:"
              + port
              + "\n  secret: slimbuild-test-secret\n"
              + extraConfig;
      Files.writeString(config, yaml);
      Path log = dir.resolve("registry-" + attempt + ".log");
      Process p =
          new ProcessBuilder("docker-registry", "serve", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        waitReady(p, port, tls);
        return new RegistryServer(p, dir, port, caFile, tokens);
      } catch (IOException e) {
        p.destroyForcibly();
        last = new IOException(e.getMessage() + "\n" + Files.readString(log), e);
      }
    }
    throw last;
  }

  private static void waitReady(Process p, int port, boolean tls) throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(Tls.unverified())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    URI ping = URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port + "/v2/");
    for (int i = 0; i < READY_POLLS; i++) {
      if (!p.isAlive()) {
        throw new IOException("docker-registry exited with " + p.exitValue());
      }
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(ping).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      sleep(50);
    }
    throw new IOException("docker-registry did not answer on port " + port);
  }

  /** Makes a self-signed certificate and its key with openssl. */
  static void selfSigned(Path dir, Path crt, Path key, String cn, String ext) throws IOException {
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + cn,
        "-addext",
        ext,
        "-keyout",
        key.toString(),
        "-out",
        crt.toString());
  }

  static void run(Path dir, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(command[0] + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted");
    }
  }

  private static volatile boolean toolsChecked;

  /** Installs the Debian packages (scripts/install-test-deps.sh) if a tool is missing. */
  private static synchronized void ensureTools() throws IOException {
    if (toolsChecked) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("docker-registry", "htpasswd", "openssl")) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      Path script = findScript();
      run(script.getParent(), "bash", script.toString());
      for (String tool : missing) {
        if (!onPath(tool)) {
          throw new IOException(tool + " is missing and could not be installed");
        }
      }
    }
    toolsChecked = true;
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Path findScript() throws IOException {
    Path d = Path.of("").toAbsolutePath();
    for (int i = 0; i < 6 && d != null; i++, d = d.getParent()) {
      Path s = d.resolve("scripts/install-test-deps.sh");
      if (Files.isRegularFile(s)) {
        return s;
      }
    }
    throw new IOException("scripts/install-test-deps.sh not found above " + Path.of(""));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
