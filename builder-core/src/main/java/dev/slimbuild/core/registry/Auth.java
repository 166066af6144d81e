package dev.slimbuild.core.registry;

import dev.slimbuild.core.http.HttpRequest;
import dev.slimbuild.core.http.HttpResponse;
import dev.slimbuild.core.registry.Credentials.Login;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authorization for one registry host (distribution spec "token authentication"): learns the
 * challenge the registry sends, then answers it with Basic credentials or with a Bearer token
 * fetched from the challenge's realm for the scopes a request needs (cached per scope set). The
 * login is looked up once, lazily, only when a challenge asks for it.
 *
 * <p>Why not jib-core's {@code RegistryClient}/{@code RegistryAuthenticator} here: the client keeps
 * its {@code Authorization} private and its HTTP client cannot be given our trust store (extra CA
 * files), so a token obtained through it could neither be read back nor fetched from a registry
 * with a private CA. The credential lookup itself is jib's (see {@link Credentials}).
 */
final class Auth {
  private final String host;
  private final Map<String, String> env;
  private final Transport transport;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private volatile Challenge challenge;
  private Optional<Login> login;

  Auth(String host, Map<String, String> env, Transport transport) {
    this.host = host;
    this.env = env;
    this.transport = transport;
  }

  /** Records the challenge of a 401 answer (or of the /v2/ ping). */
  void learn(Challenge c) {
    if (c != null && (c.isBasic() || c.isBearer())) {
      challenge = c;
    }
  }

  /** Forgets the token for {@code scopes} (it was refused). */
  void forget(List<String> scopes) {
    tokens.remove(String.join(" ", scopes));
  }

  /** The Authorization header value for a request needing {@code scopes}, or null for none. */
  String header(List<String> scopes) throws IOException {
    Challenge c = challenge;
    if (c == null) {
      return null;
    }
    if (c.isBasic()) {
      Login l =
          login()
              .orElseThrow(
                  () ->
                      new RegistryException(
                          "authentication required for "
                              + host
                              + " (401 UNAUTHORIZED): no credentials for it in the docker config,"
                              + " containers auth.json or a credential helper",
                          401,
                          "UNAUTHORIZED",
                          false));
      return basic(l);
    }
    String key = String.join(" ", scopes);
    String token = tokens.get(key);
    if (token == null) {
      token = fetchToken(c, scopes);
      tokens.put(key, token);
    }
    return "Bearer " + token;
  }

  RegistryException failed() {
    return new RegistryException(
        "authentication failed for " + host + " (401 UNAUTHORIZED)", 401, "UNAUTHORIZED", false);
  }

  private synchronized Optional<Login> login() throws RegistryException {
    if (login == null) {
      login = Credentials.lookup(host, env);
    }
    return login;
  }

  private static String basic(Login l) {
    return HttpRequest.basicAuthorization(l.username() + ":" + l.secret());
  }

  private String fetchToken(Challenge c, List<String> scopes) throws IOException {
    String realm = c.param("realm");
    if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
      throw new RegistryException(
          host + " asked for a bearer token without a usable realm", 401, "UNAUTHORIZED", false);
    }
    StringBuilder q = new StringBuilder();
    if (c.param("service") != null) {
      q.append("service=").append(enc(c.param("service")));
    }
    for (String s : scopes) {
      q.append(q.length() == 0 ? "" : "&").append("scope=").append(enc(s));
    }
    URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
    HttpRequest request = HttpRequest.get(uri, Duration.ofSeconds(60));
    Optional<Login> l = login();
    if (l.isPresent()) {
      request = request.header("Authorization", basic(l.get()));
    }
    String what = "token for " + host + " from " + uri.getHost() + ":" + uri.getPort();
    HttpResponse r = transport.exchange(request, what);
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(1 << 20);
    }
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw failed();
    }
    if (r.statusCode() != 200) {
      throw Transport.statusError(what, r.statusCode(), body);
    }
    try {
      JsonValue v = Json.parse(body);
      if (v instanceof JsonObject o) {
        for (String field : List.of("token", "access_token")) {
          if (o.get(field).orElse(null) instanceof JsonString s && !s.value().isEmpty()) {
            return s.value();
          }
        }
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new RegistryException(what + ": the answer has no token", 200, null, false);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
