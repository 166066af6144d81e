package dev.slimbuild.core.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback token service for a registry in token-auth mode (distribution's "token authentication
 * specification"): {@code GET /token?service=S&scope=repository:NAME:ACTIONS} checks Basic
 * credentials and answers {@code {"token": JWT}}, an RS256 JWT whose {@code x5c} header carries the
 * certificate the registry has in its {@code rootcertbundle}. It grants every action asked for.
 */
public final class TokenService implements AutoCloseable {
  static final String SERVICE = "slimbuild-test-registry";
  static final String ISSUER = "slimbuild-test-issuer";

  private final HttpServer server;
  private final Path certificate;
  private final PrivateKey key;
  private final X509Certificate cert;
  private final String expectedAuth;

  /** Tokens issued and requests refused, for assertions. */
  public final AtomicInteger issued = new AtomicInteger();

  public final AtomicInteger refused = new AtomicInteger();

  private TokenService(
      HttpServer server,
      Path certificate,
      PrivateKey key,
      X509Certificate cert,
      String expectedAuth) {
    this.server = server;
    this.certificate = certificate;
    this.key = key;
    this.cert = cert;
    this.expectedAuth = expectedAuth;
  }

  static TokenService start(Path dir, String user, String password) throws IOException {
    Path crt = dir.resolve("token.crt");
    Path keyFile = dir.resolve("token.key");
    RegistryServer.selfSigned(dir, crt, keyFile, "slimbuild-token", "keyUsage=digitalSignature");
    PrivateKey key;
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(crt)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      String pem = Files.readString(keyFile);
      String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      key =
          KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    TokenService t = new TokenService(server, crt, key, cert, expected);
    server.createContext("/token", t::handle);
    server.start();
    return t;
  }

  String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  Path certificate() {
    return certificate;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (!expectedAuth.equals(auth)) {
        refused.incrementAndGet();
        send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad login\"}]}");
        return;
      }
      List<String> scopes = new ArrayList<>();
      String service = null;
      String query = ex.getRequestURI().getRawQuery();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String k = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (k.equals("scope")) {
          scopes.addAll(List.of(v.split(" ")));
        } else if (k.equals("service")) {
          service = v;
        }
      }
      if (!SERVICE.equals(service)) {
        send(ex, 400, "{\"errors\":[{\"code\":\"BAD_SERVICE\"}]}");
        return;
      }
      issued.incrementAndGet();
      send(ex, 200, JsonObject.builder().put("token", jwt(scopes)).build().toJson());
    }
  }

  private String jwt(List<String> scopes) throws IOException {
    List<JsonValue> access = new ArrayList<>();
    for (String scope : scopes) {
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      if (first < 0 || last <= first) {
        continue;
      }
      access.add(
          JsonObject.builder()
              .put("type", scope.substring(0, first))
              .put("name", scope.substring(first + 1, last))
              .put("actions", JsonArray.ofStrings(List.of(scope.substring(last + 1).split(","))))
              .build());
    }
    long now = System.currentTimeMillis() / 1000;
    try {
      JsonObject header =
          JsonObject.builder()
              .put("typ", "JWT")
              .put("alg", "RS256")
              .put(
                  "x5c",
                  JsonArray.ofStrings(
                      List.of(Base64.getEncoder().encodeToString(cert.getEncoded()))))
              .build();
      JsonObject claims =
          JsonObject.builder()
              .put("iss", ISSUER)
              .put("sub", "test")
              .put("aud", SERVICE)
              .put("exp", now + 600)
              .put("nbf", now - 10)
              .put("iat", now)
              .put("jti", "t" + issued.get())
              .put("access", new JsonArray(access))
              .build();
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String signingInput =
          b64.encodeToString(Json.write(header)) + "." + b64.encodeToString(Json.write(claims));
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
