package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.sbom.SbomSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SBOM a push carries by default, read back from the real registry for the Go and Node
 * reference images: a real Go program (esbuild 0.25.10 as published, whose build info names its
 * modules; {@code go version -m} prints {@code golang.org/x/sys
 * v0.0.0-20220715151400-c0bba94af5f8}) and a Node app whose {@code node_modules} and lock file name
 * its npm packages. The Debian one ({@code apt-get install curl}) is {@link SbomIT}.
 */
class ReferenceSbomIT {
  private static final String ESBUILD = "META-INF/resources/_static/linux-x64/0.25.10/";

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.busybox();

  @TempDir Path dir;

  @Test
  void theGoImageListsItsModulesAndTheNodeImageItsNpmPackages() throws Exception {
    Path ctx = dir.resolve("ctx");
    // the Go program, as a multi-stage build's last COPY puts it
    Path bin = ctx.resolve("esbuild");
    Files.createDirectories(ctx);
    try (InputStream in = resource(ESBUILD + "bin/esbuild")) {
      Files.copy(in, bin);
    }
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    // the Node app after `npm ci`: node_modules and the lock file
    BuildFixtures.write(
        ctx.resolve("app/package.json"),
        "{\"name\":\"web\",\"version\":\"1.0.0\",\"dependencies\":{\"left-pad\":\"^1.3.0\","
            + "\"@esbuild/linux-x64\":\"0.25.10\"}}\n");
    BuildFixtures.write(
        ctx.resolve("app/package-lock.json"),
        "{\"name\":\"web\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"packages\":{"
            + "\"\":{\"name\":\"web\",\"version\":\"1.0.0\"},"
            + "\"node_modules/left-pad\":{\"version\":\"1.3.0\",\"license\":\"WTFPL\"},"
            + "\"node_modules/@esbuild/linux-x64\":{\"version\":\"0.25.10\"}}}\n");
    BuildFixtures.write(
        ctx.resolve("app/node_modules/left-pad/package.json"),
        "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\"}\n");
    try (InputStream in = resource(ESBUILD + "package.json")) {
      BuildFixtures.write(
          ctx.resolve("app/node_modules/@esbuild/linux-x64/package.json"),
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "COPY esbuild /usr/local/bin/esbuild\n"
            + "WORKDIR /app\n"
            + "COPY app/ ./\n"
            + "CMD [\"esbuild\", \"--version\"]\n");

    String repo = "reference/app";
    BuildFixtures.Run r =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(dir.resolve("home")),
            "build",
            "--insecure-registry",
            registry.host(),
            "--platform",
            "linux/amd64",
            "--progress",
            "plain",
            "-t",
            registry.host() + "/" + repo + ":1",
            "--push",
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();

    JsonNode spdx = spdx(repo, Digest.parse(r.digest()));
    assertThat(SbomSchemas.spdxProblems(spdx.toString().getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
    List<String> purls = new ArrayList<>();
    for (JsonNode p : spdx.at("/packages")) {
      for (JsonNode ref : p.path("externalRefs")) {
        purls.add(ref.path("referenceLocator").asText());
      }
    }
    assertThat(purls)
        .as("the Go program's main module and its dependency module")
        .contains(
            "pkg:golang/github.com/evanw/esbuild",
            "pkg:golang/golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8",
            "pkg:golang/stdlib@1.23.12");
    assertThat(purls)
        .as("the Node app's npm packages")
        .contains("pkg:npm/left-pad@1.3.0", "pkg:npm/%40esbuild/linux-x64@0.25.10");
    // the busybox base's own files are not the build's
    assertThat(spdx.at("/files").toString())
        .contains("usr/local/bin/esbuild")
        .contains("app/node_modules/left-pad/package.json")
        .doesNotContain("\"/bin/busybox\"");
  }

  /** The SPDX document of the only platform of the index {@code top}, as the registry holds it. */
  private static JsonNode spdx(String repo, Digest top) throws IOException {
    try (Registry reg = registry.client()) {
      Index index = Index.parse(reg.getManifest(repo, top.toString()).bytes());
      Descriptor att =
          index.manifests().stream()
              .filter(
                  d ->
                      "attestation-manifest"
                          .equals(d.annotations().get("vnd.docker.reference.type")))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no attestation manifest"));
      Manifest m = Manifest.parse(reg.getManifest(repo, att.digest().toString()).bytes());
      Descriptor layer =
          m.layers().stream()
              .filter(
                  l ->
                      "https://spdx.dev/Document"
                          .equals(l.annotations().get("in-toto.io/predicate-type")))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no SPDX statement"));
      try (InputStream in = reg.getBlob(repo, layer.digest())) {
        return BuildFixtures.JSON.readTree(in.readAllBytes()).path("predicate");
      }
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = ReferenceSbomIT.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(name + " is not on the class path (org.mvnpm.at.esbuild:linux-x64)");
    }
    return in;
  }
}
