package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.TarFile;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.sbom.Sbom;
import dev.slimbuild.core.sbom.SbomFile;
import dev.slimbuild.core.sbom.SbomInput;
import dev.slimbuild.core.sbom.SbomPackage;
import dev.slimbuild.core.sbom.SbomSchemas;
import dev.slimbuild.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SBOM of a real image: a Debian 12 base (debootstrap, pushed to a real registry) and a RUN
 * that installs curl from Debian's archive, built by the CLI into an OCI layout; the generator
 * reads that layout. The image's own dpkg says which version of curl it installed.
 */
class SbomIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.debian();

  @TempDir Path dir;

  @Test
  void aptGetInstalledCurlIsListedAtItsExactDebianVersion() throws Exception {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.host()
            + "/base/debian:12\n"
            + "RUN apt-get update && apt-get install -y --no-install-recommends curl"
            + " && dpkg-query -W -f '${Version} ${Architecture}' curl > /curl-version"
            + " && rm -rf /var/lib/apt/lists/*\n");
    BuildFixtures.Run r =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(dir),
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("out"),
            ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();

    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    assertThat(image.layers().size()).isEqualTo(2);
    String[] installed = null;
    for (TarFile f : image.layerFiles(1)) {
      if (f.name().equals("curl-version")) {
        installed = f.text().split(" ");
      }
    }
    assertThat(installed).as("dpkg-query's answer in the image").hasSize(2);
    String version = installed[0];
    assertThat(installed[1]).isEqualTo("amd64");

    BlobStore layout = new BlobStore(dir.resolve("out"));
    List<SbomInput.Layer> layers = new ArrayList<>();
    image
        .layers()
        .forEach(
            l -> {
              Digest d = Digest.parse(l.get("digest").asText());
              layers.add(new SbomInput.Layer(d, () -> layout.open(d)));
            });
    Digest manifest = Digest.parse(image.index().get("manifests").get(0).get("digest").asText());
    Sbom sbom =
        Sbom.generate(
            new SbomInput(
                registry.host() + "/app:1", Platform.parse("linux/amd64"), layers, 1, 0, manifest));

    SbomPackage curl =
        sbom.packages().stream()
            .filter(p -> p.name().equals("curl") && p.type().equals("deb"))
            .findFirst()
            .orElseThrow();
    assertThat(curl.version()).isEqualTo(version);
    // packageurl-java's canonical form percent-encodes '+' and ':' in the version
    assertThat(curl.purl())
        .isEqualTo(
            "pkg:deb/debian/curl@"
                + version.replace("%", "%25").replace("+", "%2B").replace(":", "%3A")
                + "?arch=amd64&distro=debian-12");
    assertThat(curl.purl()).startsWith("pkg:deb/debian/curl@").contains("?arch=amd64");
    assertThat(sbom.packages())
        .extracting(SbomPackage::name)
        .contains("base-files", "dpkg", "apt", "libc6", "libcurl4");
    assertThat(sbom.distro()).isEqualTo("debian-12");

    // the build's files, not the base's
    Map<String, SbomFile> files = new HashMap<>();
    sbom.files().forEach(f -> files.put(f.path(), f));
    assertThat(files).containsKeys("usr/bin/curl", "curl-version", "var/lib/dpkg/status");
    assertThat(files).doesNotContainKeys("usr/bin/dpkg", "etc/os-release");
    assertThat(files.get("curl-version").sha256())
        .isEqualTo(
            Digest.sha256Of(String.join(" ", installed).getBytes(StandardCharsets.UTF_8)).hex());

    assertThat(SbomSchemas.spdxProblems(sbom.toSpdxJson())).isEmpty();
    assertThat(SbomSchemas.cycloneDxProblems(sbom.toCycloneDxJson())).isEmpty();
    assertThat(new String(sbom.toSpdxJson(), StandardCharsets.UTF_8))
        .contains("\"referenceLocator\":" + Json.quote(curl.purl()));
  }
}
