package dev.slimbuild.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small parts of the registry client, without a registry. */
class RegistryUnitsTest {

  @Test
  void parsesBearerAndBasicChallenges() {
    Challenge bearer =
        Challenge.parse(
                "Bearer realm=\"https://auth.test/token\",service=\"reg\","
                    + "scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"")
            .orElseThrow();
    assertThat(bearer.isBearer()).isTrue();
    assertThat(bearer.param("realm")).isEqualTo("https://auth.test/token");
    assertThat(bearer.param("service")).isEqualTo("reg");
    assertThat(bearer.param("scope")).isEqualTo("repository:a/b:pull,push");
    assertThat(bearer.param("error")).isEqualTo("insufficient_scope");

    Challenge basic = Challenge.parse("basic realm=\"a \\\"quoted\\\" realm\"").orElseThrow();
    assertThat(basic.isBasic()).isTrue();
    assertThat(basic.param("realm")).isEqualTo("a \"quoted\" realm");
    assertThat(Challenge.parse(null)).isEmpty();
    assertThat(Challenge.parse("  ")).isEmpty();
  }

  @Test
  void readsRegistryErrorBodies() {
    byte[] body =
        "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown\",\"detail\":{}}]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(ErrorBody.parse(body)).contains(new ErrorBody("BLOB_UNKNOWN", "blob unknown"));
    assertThat(ErrorBody.parse("<html>".getBytes(StandardCharsets.UTF_8))).isEmpty();

    RegistryException e = Transport.statusError("h/r: GET blob x", 404, body);
    assertThat(e.getMessage()).isEqualTo("h/r: GET blob x: 404 BLOB_UNKNOWN (blob unknown)");
    assertThat(e.code()).isEqualTo("BLOB_UNKNOWN");
    assertThat(e.retryable()).isFalse();
    assertThat(Transport.statusError("w", 503, new byte[0]).retryable()).isTrue();
    assertThat(Transport.statusError("w", 429, new byte[0]).retryable()).isTrue();
  }

  @Test
  void credentialFilesInOrderFromTheGivenEnvironment() {
    Map<String, String> env =
        Map.of(
            "REGISTRY_AUTH_FILE", "/a/auth.json",
            "DOCKER_CONFIG", "/d",
            "XDG_RUNTIME_DIR", "/run/user/1",
            "HOME", "/home/u");
    assertThat(Credentials.configFiles(env))
        .containsExactly(
            Path.of("/a/auth.json"),
            Path.of("/d/config.json"),
            Path.of("/run/user/1/containers/auth.json"),
            Path.of("/home/u/.docker/config.json"));
    assertThat(Credentials.configFiles(Map.of())).isEmpty();
  }

  @Test
  void credsStoreHelperFoundOnTheEnvironmentsPath(@TempDir Path tmp) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path helper = bin.resolve("docker-credential-store");
    Files.writeString(
        helper, "#!/bin/sh\nread -r s\nprintf '{\"Username\":\"bob\",\"Secret\":\"hunter2\"}'\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(tmp.resolve("config.json"), "{\"credsStore\":\"store\"}");
    Map<String, String> env =
        Map.of("DOCKER_CONFIG", tmp.toString(), "PATH", "/nonexistent:" + bin + ":/usr/bin:/bin");
    Credentials.Login login = Credentials.lookup("127.0.0.1:5000", env).orElseThrow();
    assertThat(login.username()).isEqualTo("bob");
    assertThat(login.secret()).isEqualTo("hunter2");
    assertThat(login.toString()).doesNotContain("hunter2");
    assertThat(Credentials.lookup("127.0.0.1:5000", Map.of("PATH", bin.toString()))).isEmpty();
  }

  @Test
  void authsEntryMatchesWithOrWithoutScheme(@TempDir Path tmp) throws IOException {
    Files.writeString(
        tmp.resolve("config.json"),
        "{\"auths\":{\"https://reg.test:5000\":{\"auth\":\"dTpw\"}}}"); // u:p
    Credentials.Login login =
        Credentials.lookup("reg.test:5000", Map.of("DOCKER_CONFIG", tmp.toString())).orElseThrow();
    assertThat(login).isEqualTo(new Credentials.Login("u", "p"));
    assertThat(Credentials.lookup("other.test", Map.of("DOCKER_CONFIG", tmp.toString()))).isEmpty();
  }

  /** jib-core stays an implementation detail of this package. */
  @Test
  void noJibTypeOutsideTheRegistryPackage() throws IOException {
    Path root = Path.of("src/main/java");
    assertThat(root).isDirectory();
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(root)) {
      offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !p.getParent().endsWith(Path.of("dev/slimbuild/core/registry")))
              .filter(p -> read(p).contains("com.google.cloud.tools.jib"))
              .toList();
    }
    assertThat(offenders).isEmpty();
    // and no public signature in the package names a jib type
    try (Stream<Path> files = Files.list(root.resolve("dev/slimbuild/core/registry"))) {
      for (Path p : files.toList()) {
        String src = read(p);
        if (src.contains("com.google.cloud.tools.jib")) {
          assertThat(src).as(p.toString()).doesNotContain("public final class", "public class");
        }
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
