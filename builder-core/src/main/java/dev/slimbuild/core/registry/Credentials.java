package dev.slimbuild.core.registry;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.registry.credentials.CredentialHelperUnhandledServerUrlException;
import com.google.cloud.tools.jib.registry.credentials.DockerConfigCredentialRetriever;
import com.google.cloud.tools.jib.registry.credentials.DockerCredentialHelper;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the login for one registry host the way docker and podman do, through jib-core's credential
 * retrievers: the files named by {@code REGISTRY_AUTH_FILE}, {@code DOCKER_CONFIG/config.json},
 * {@code XDG_RUNTIME_DIR/containers/auth.json} and {@code HOME/.docker/config.json}, in that order;
 * in each, {@code credHelpers[host]}, then {@code credsStore}, then {@code auths}. Helpers ({@code
 * docker-credential-NAME}) are looked up on the {@code PATH} of the given environment (not the
 * JVM's), so jib is handed their absolute path.
 *
 * <p>Only jib's two retrievers are used, not its {@code CredentialRetrieverFactory}, whose
 * construction links Google's OAuth library: the shipped jar leaves that library and jib's HTTP
 * stack out, and no jib class loads unless a credential file exists.
 */
final class Credentials {

  /** A username and secret; {@link #toString()} never shows the secret. */
  record Login(String username, String secret) {
    @Override
    public String toString() {
      return "Login[" + username + ", ****]";
    }
  }

  private Credentials() {}

  /** The login for {@code host} (host[:port]), if any file or helper has one. */
  static Optional<Login> lookup(String host, Map<String, String> env) throws RegistryException {
    for (Path file : configFiles(env)) {
      if (!Files.isRegularFile(file)) {
        continue;
      }
      JsonObject config = readQuietly(file);
      Optional<String> helper =
          config == null
              ? Optional.empty()
              : stringIn(config, "credHelpers", host).or(() -> string(config, "credsStore"));
      if (helper.isPresent()) {
        Optional<Path> exe = onPath("docker-credential-" + helper.get(), env);
        if (exe.isPresent()) {
          Optional<Login> login =
              retrieve(
                  () -> {
                    try {
                      return Optional.of(
                          new DockerCredentialHelper(host, exe.get(), env).retrieve());
                    } catch (CredentialHelperUnhandledServerUrlException e) {
                      return Optional.empty(); // the helper has none for this host: read on
                    }
                  },
                  host,
                  exe.get().getFileName());
          if (login.isPresent()) {
            return login;
          }
        }
      }
      Optional<Login> login =
          retrieve(
              () -> DockerConfigCredentialRetriever.create(host, file).retrieve(event -> {}),
              host,
              file.getFileName());
      if (login.isPresent()) {
        return login;
      }
    }
    return Optional.empty();
  }

  /** The credential files to read, most explicit first, without duplicates. */
  static List<Path> configFiles(Map<String, String> env) {
    Set<Path> files = new LinkedHashSet<>();
    nonEmpty(env.get("REGISTRY_AUTH_FILE")).ifPresent(f -> files.add(Path.of(f)));
    nonEmpty(env.get("DOCKER_CONFIG")).ifPresent(d -> files.add(Path.of(d, "config.json")));
    nonEmpty(env.get("XDG_RUNTIME_DIR"))
        .ifPresent(d -> files.add(Path.of(d, "containers", "auth.json")));
    nonEmpty(env.get("HOME")).ifPresent(h -> files.add(Path.of(h, ".docker", "config.json")));
    return new ArrayList<>(files);
  }

  /** One of jib's retrievers, called. */
  @FunctionalInterface
  private interface Retriever {
    Optional<Credential> retrieve() throws Exception;
  }

  private static Optional<Login> retrieve(Retriever retriever, String host, Path source)
      throws RegistryException {
    try {
      Optional<Credential> c = retriever.retrieve();
      return c.map(x -> new Login(x.getUsername(), x.getPassword()));
    } catch (Exception e) {
      if (e instanceof RuntimeException) {
        throw new RegistryException(
            "cannot read credentials for " + host + " from " + source, 0, null, false);
      }
      // the cause may carry a helper's output: keep it out of the message
      throw new RegistryException(
          "cannot get credentials for " + host + " from " + source, 0, null, false);
    }
  }

  private static JsonObject readQuietly(Path file) {
    try {
      JsonValue v = Json.parse(Files.readAllBytes(file));
      return v instanceof JsonObject o ? o : null;
    } catch (IOException | RuntimeException e) {
      return null; // jib reports an unreadable file the same way: no credentials from it
    }
  }

  private static Optional<String> stringIn(JsonObject config, String map, String key) {
    return config
        .get(map)
        .flatMap(m -> m instanceof JsonObject o ? o.get(key) : Optional.empty())
        .flatMap(v -> v instanceof JsonString s ? nonEmpty(s.value()) : Optional.empty());
  }

  private static Optional<String> string(JsonObject config, String key) {
    return config
        .get(key)
        .flatMap(v -> v instanceof JsonString s ? nonEmpty(s.value()) : Optional.empty());
  }

  /** The executable {@code name} in the first directory of the environment's PATH having it. */
  static Optional<Path> onPath(String name, Map<String, String> env) {
    if (name.contains("/")) {
      return Optional.empty();
    }
    for (String dir : env.getOrDefault("PATH", "").split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
