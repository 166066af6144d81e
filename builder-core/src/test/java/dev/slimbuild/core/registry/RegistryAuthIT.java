package dev.slimbuild.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.Registry.PushResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, credentials (docker config, podman auth.json, helpers) and token auth, for real. */
class RegistryAuthIT {
  static final String USER = "alice";
  static final String PASSWORD = "Pw-9f3kq-s3cret";

  static RegistryServer tls;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws IOException {
    tls = RegistryServer.tlsWithBasicAuth(USER, PASSWORD);
  }

  @AfterAll
  static void stop() throws IOException {
    if (tls != null) {
      tls.close();
    }
  }

  static String auth(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** A docker config.json in {@code dir} with an {@code auths} entry for {@code host}. */
  static Path dockerConfig(Path dir, String host, String user, String password) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("config.json"),
        "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth(user, password) + "\"}}}");
    return dir;
  }

  static RegistryOptions verified(Map<String, String> env) {
    return new RegistryOptions(Set.of(), Set.of(tls.caFile()), env);
  }

  /** Pushes a blob and a manifest and reads the manifest back. */
  static void roundTrip(Registry r, String repo) throws IOException {
    byte[] cfg = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(cfg), cfg.length);
    assertThat(r.pushBlob(repo, c, () -> new ByteArrayInputStream(cfg), List.of()))
        .isEqualTo(PushResult.UPLOADED);
    Descriptor l = Blobs.descriptor(MediaType.OCI_LAYER_TAR_ZSTD, 7, 70_000);
    r.pushBlob(repo, l, () -> Blobs.stream(7, 70_000), List.of());
    byte[] m = RegistryIT.manifest(c, l);
    Digest d = r.putManifest(repo, "v1", m, MediaType.OCI_MANIFEST);
    RawManifest got = r.getManifest(repo, "v1");
    assertThat(got.bytes()).isEqualTo(m);
    assertThat(got.digest()).isEqualTo(d);
    assertThat(Blobs.digest(r.getBlob(repo, l.digest()))).isEqualTo(l.digest());
  }

  @Test
  void tlsWithCaFileAndDockerConfigAuths() throws IOException {
    Path dc = dockerConfig(tmp.resolve("docker"), tls.host(), USER, PASSWORD);
    try (Registry r =
        Registries.open(tls.host(), verified(Map.of("DOCKER_CONFIG", dc.toString())))) {
      roundTrip(r, "tls/docker-config");
    }
  }

  @Test
  void podmanAuthFile() throws IOException {
    Path authJson = tmp.resolve("auth.json");
    Files.writeString(
        authJson,
        "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + auth(USER, PASSWORD) + "\"}}}");
    try (Registry r =
        Registries.open(tls.host(), verified(Map.of("REGISTRY_AUTH_FILE", authJson.toString())))) {
      roundTrip(r, "tls/podman");
    }
  }

  @Test
  void xdgRuntimeDirAuthFile() throws IOException {
    Path runtime = tmp.resolve("run");
    Files.createDirectories(runtime.resolve("containers"));
    Files.writeString(
        runtime.resolve("containers/auth.json"),
        "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + auth(USER, PASSWORD) + "\"}}}");
    try (Registry r =
        Registries.open(tls.host(), verified(Map.of("XDG_RUNTIME_DIR", runtime.toString())))) {
      assertThat(r.headManifest("tls/xdg", "none")).isEmpty(); // authorized: 404, not 401
    }
  }

  @Test
  void credentialHelperFromCredHelpers() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path called = tmp.resolve("helper-called");
    Path helper = bin.resolve("docker-credential-test");
    Files.writeString(
        helper,
        "#!/bin/sh\n"
            + "[ \"$1\" = get ] || exit 1\n"
            + "read -r server\n"
            + "echo \"$server\" > '"
            + called
            + "'\n"
            + "if [ \"$server\" = '"
            + tls.host()
            + "' ]; then\n"
            + "  printf '{\"ServerURL\":\"%s\",\"Username\":\""
            + USER
            + "\",\"Secret\":\""
            + PASSWORD
            + "\"}' \"$server\"\n"
            + "else echo 'credentials not found in native keychain'; exit 1; fi\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dc = Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(
        dc.resolve("config.json"), "{\"credHelpers\":{\"" + tls.host() + "\":\"test\"}}");
    Map<String, String> env =
        Map.of("DOCKER_CONFIG", dc.toString(), "PATH", bin + ":/usr/bin:/bin");
    try (Registry r = Registries.open(tls.host(), verified(env))) {
      roundTrip(r, "tls/helper");
    }
    assertThat(Files.readString(called).strip()).isEqualTo(tls.host());
  }

  @Test
  void withoutTheCaFileTlsFailsClearly() throws IOException {
    Path dc = dockerConfig(tmp.resolve("docker"), tls.host(), USER, PASSWORD);
    RegistryOptions noCa =
        new RegistryOptions(Set.of(), Set.of(), Map.of("DOCKER_CONFIG", dc.toString()));
    try (Registry r = Registries.open(tls.host(), noCa)) {
      assertThatThrownBy(() -> r.getManifest("tls/x", "v1"))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage())
                    .contains("TLS verification failed for " + tls.host())
                    .contains("--registry-ca");
              });
    }
  }

  @Test
  void insecureHostSkipsVerification() throws IOException {
    Path dc = dockerConfig(tmp.resolve("docker"), tls.host(), USER, PASSWORD);
    RegistryOptions insecure =
        new RegistryOptions(Set.of(tls.host()), Set.of(), Map.of("DOCKER_CONFIG", dc.toString()));
    try (Registry r = Registries.open(tls.host(), insecure)) {
      roundTrip(r, "tls/insecure");
    }
  }

  @Test
  void wrongPasswordIsAClear401WithoutTheSecret() throws IOException {
    String wrong = "Wr0ng-pa55-zz9";
    Path dc = dockerConfig(tmp.resolve("docker"), tls.host(), USER, wrong);
    try (Registry r =
        Registries.open(tls.host(), verified(Map.of("DOCKER_CONFIG", dc.toString())))) {
      assertThatThrownBy(() -> r.getManifest("tls/x", "v1"))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage())
                    .isEqualTo("authentication failed for " + tls.host() + " (401 UNAUTHORIZED)")
                    .doesNotContain(wrong)
                    .doesNotContain(auth(USER, wrong))
                    .doesNotContain(PASSWORD);
              });
    }
  }

  @Test
  void noCredentialsSaysSo() throws IOException {
    try (Registry r = Registries.open(tls.host(), verified(Map.of("HOME", tmp.toString())))) {
      assertThatThrownBy(() -> r.hasBlob("tls/x", Digest.sha256Of("x")))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("authentication required for " + tls.host())
          .hasMessageContaining("no credentials");
    }
  }

  @Test
  void bearerTokenFlow() throws IOException {
    try (RegistryServer tokenRegistry = RegistryServer.withTokenAuth(USER, PASSWORD)) {
      String host = tokenRegistry.host();
      Path dc = dockerConfig(tmp.resolve("docker"), host, USER, PASSWORD);
      RegistryOptions opts =
          new RegistryOptions(Set.of(host), Set.of(), Map.of("DOCKER_CONFIG", dc.toString()));
      try (Registry r = Registries.open(host, opts)) {
        roundTrip(r, "token/app");
        // a mount needs pull on the source and push on the target in one token
        Descriptor l = Blobs.descriptor(MediaType.OCI_LAYER_TAR_ZSTD, 7, 70_000);
        assertThat(
                r.pushBlob("token/other", l, () -> Blobs.stream(7, 70_000), List.of("token/app")))
            .isEqualTo(PushResult.MOUNTED);
      }
      assertThat(tokenRegistry.tokens().issued.get()).isGreaterThanOrEqualTo(2);

      Path bad = dockerConfig(tmp.resolve("bad"), host, USER, "nope-" + PASSWORD);
      RegistryOptions badOpts =
          new RegistryOptions(Set.of(host), Set.of(), Map.of("DOCKER_CONFIG", bad.toString()));
      try (Registry r = Registries.open(host, badOpts)) {
        assertThatThrownBy(() -> r.getManifest("token/app", "v1"))
            .isInstanceOf(RegistryException.class)
            .hasMessage("authentication failed for " + host + " (401 UNAUTHORIZED)");
      }
      assertThat(tokenRegistry.tokens().refused.get()).isPositive();
    }
  }
}
