package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.cli.BuildFixtures.Run;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.sign.CosignSignatures;
import dev.slimbuild.json.Json;
import dev.slimbuild.signing.SimpleSigning;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures end to end against a real registry and the real peers: slimbuild signs on {@code build
 * --push --sign-key} and with {@code sign}; cosign 2.5 verifies those signatures and signs with
 * slimbuild's key; skopeo 1.18 with a {@code sigstoreSigned} policy accepts or refuses a copy;
 * {@code slimbuild verify} accepts cosign's signatures and rejects tampered ones. Sigstore bundles
 * ({@code --sign-format bundle}) are checked by cosign 3 ({@code verify}, whose default format they
 * are) and by cosign 2.5 ({@code verify-attestation --new-bundle-format}: its {@code verify} cannot
 * read bundles yet), and cosign 3's own bundles by slimbuild. cosign 2.5, cosign 3 and skopeo come
 * from {@code scripts/fetch-trixie-tools.sh}; the test fails, never skips, without them.
 */
class SigningRegistryIT {
  /** The predicate type of cosign's own signature statements (a protocol value, pinned here). */
  private static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  private static final String PASSWORD = "signing pässword";
  private static final String OTHER_PASSWORD = "other password";

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.busybox();

  private static Path cosign;
  private static Path cosign3;
  private static Path skopeo;
  private static Path keys;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    Path script = null;
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/fetch-trixie-tools.sh"))) {
        script = p.resolve("scripts/fetch-trixie-tools.sh");
        break;
      }
    }
    assertThat(script).as("scripts/fetch-trixie-tools.sh").isNotNull();
    BuildToolsIT.Result fetched =
        BuildToolsIT.exec(script.getParent(), 900, List.of("bash", script.toString()));
    assertThat(fetched.code()).as("fetch-trixie-tools.sh: %s", fetched.all()).isZero();
    for (String line : fetched.out().split("\n")) {
      if (line.startsWith("cosign=")) {
        cosign = Path.of(line.substring("cosign=".length()));
      } else if (line.startsWith("skopeo=")) {
        skopeo = Path.of(line.substring("skopeo=".length()));
      } else if (line.startsWith("cosign3=")) {
        cosign3 = Path.of(line.substring("cosign3=".length()));
      }
    }
    assertThat(cosign).as("cosign path in: " + fetched.out()).isNotNull().isExecutable();
    assertThat(cosign3).as("cosign3 path in: " + fetched.out()).isNotNull().isExecutable();
    assertThat(skopeo).as("skopeo path in: " + fetched.out()).isNotNull().isExecutable();

    keys = Files.createTempDirectory("slimbuild-sign-keys");
    for (String[] k :
        List.of(new String[] {"ours", PASSWORD}, new String[] {"other", OTHER_PASSWORD})) {
      Run gen =
          BuildFixtures.runIn(
              keys,
              Map.of("COSIGN_PASSWORD", k[1]),
              "generate-key-pair",
              "--output-key-prefix",
              keys.resolve(k[0]).toString());
      assertThat(gen.code()).as(gen.err()).isZero();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (keys != null) {
      Trees.delete(keys); // key files: nothing of them stays behind
    }
  }

  private Run cli(Map<String, String> env, String... args) {
    return BuildFixtures.runIn(dir, env, args);
  }

  private static String key(String name) {
    return keys.resolve(name).toString();
  }

  /** Runs a peer tool with {@code env} added, HOME in the test directory. */
  private BuildToolsIT.Result tool(Map<String, String> env, String... cmd) throws Exception {
    Path out = dir.resolve("tool.out");
    Path err = dir.resolve("tool.err");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("HOME", Files.createDirectories(dir.resolve("tool-home")).toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", cmd) + " did not finish");
    }
    return new BuildToolsIT.Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
  }

  private BuildToolsIT.Result cosignVerify(String pub, String image) throws Exception {
    return tool(
        Map.of(),
        cosign.toString(),
        "verify",
        "--key",
        pub,
        "--insecure-ignore-tlog=true",
        "--allow-http-registry",
        "--allow-insecure-registry",
        image);
  }

  /** cosign 3's verify: sigstore bundle referrers (its default format), no transparency log. */
  private BuildToolsIT.Result cosign3Verify(String pub, String image) throws Exception {
    return tool(
        Map.of(),
        cosign3.toString(),
        "verify",
        "--key",
        pub,
        "--insecure-ignore-tlog=true",
        "--allow-http-registry",
        "--allow-insecure-registry",
        image);
  }

  /**
   * cosign 2.5's check of bundle referrers: {@code verify-attestation --new-bundle-format} for the
   * image-signature predicate (the code path cosign 2.6 and later use for {@code verify
   * --new-bundle-format}); the empty trusted root stands for "no log, no timestamp authority",
   * which it would otherwise fetch.
   */
  private BuildToolsIT.Result cosignVerifyBundle(String pub, String image) throws Exception {
    Path root = dir.resolve("trusted_root.json");
    Files.writeString(
        root, "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
    return tool(
        Map.of(),
        cosign.toString(),
        "verify-attestation",
        "--new-bundle-format",
        "--trusted-root",
        root.toString(),
        "--type",
        COSIGN_SIGN_PREDICATE,
        "--key",
        pub,
        "--insecure-ignore-tlog=true",
        "--allow-http-registry",
        "--allow-insecure-registry",
        image);
  }

  /** skopeo copies the host platform of {@code image}, checking it against a policy for pub. */
  private BuildToolsIT.Result skopeoCopy(String repo, String pub, String image, String dest)
      throws Exception {
    Path regd = Files.createDirectories(dir.resolve("registries.d"));
    Files.writeString(
        regd.resolve("slimbuild-test.yaml"),
        "docker:\n  " + registry.host() + ":\n    use-sigstore-attachments: true\n");
    Path policy = dir.resolve("policy-" + Path.of(pub).getFileName() + ".json");
    Files.writeString(
        policy,
        "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\""
            + registry.host()
            + "/"
            + repo
            + "\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\""
            + pub
            + "\",\"signedIdentity\":{\"type\":\"matchRepository\"}}]}}}");
    return tool(
        Map.of(),
        skopeo.toString(),
        "--registries.d",
        regd.toString(),
        "--policy",
        policy.toString(),
        "copy",
        "--remove-signatures",
        "--src-tls-verify=false",
        "docker://" + image,
        "oci:" + dir.resolve(dest) + ":x");
  }

  private Path context() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM " + registry.host() + "/base/busybox:1\nCOPY app.txt /app/\n");
    Files.writeString(ctx.resolve("app.txt"), "signed application\n");
    return ctx;
  }

  /** Builds the two-platform image and pushes it to {@code name}, with extra flags. */
  private Digest buildAndPush(Map<String, String> env, String name, String... extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--platform",
                "linux/amd64,linux/arm64",
                "-t",
                name,
                "--push",
                "--insecure-registry",
                registry.host(),
                "--progress",
                "plain"));
    args.addAll(List.of(extra));
    args.add(context().toString());
    Run r = cli(env, args.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    return Digest.parse(r.out().trim());
  }

  private static List<Digest> platforms(Digest index, String repo) throws Exception {
    try (Registry r = registry.client()) {
      return Index.parse(r.getManifest(repo, index.toString()).bytes()).manifests().stream()
          .filter(d -> !"unknown".equals(d.platform().os())) // attestation manifests
          .map(Descriptor::digest)
          .toList();
    }
  }

  private static Manifest sigManifest(String repo, Digest image) throws Exception {
    try (Registry r = registry.client()) {
      return Manifest.parse(r.getManifest(repo, CosignSignatures.tag(image)).bytes());
    }
  }

  @Test
  void attestationsAreAttachedAsBuildKitDoesAndSignedForCosign() throws Exception {
    String repo = "attest/app";
    Path ctx = Files.createDirectories(dir.resolve("attest"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.host()
            + "/base/busybox:1\n"
            + "ARG API_TOKEN\nARG VERSION\nCOPY app.txt /app/\n");
    Files.writeString(ctx.resolve("app.txt"), "attested\n");
    List<String> args =
        List.of(
            "build",
            "--platform",
            "linux/amd64,linux/arm64",
            "--build-arg",
            "API_TOKEN=hunter2-value",
            "--build-arg",
            "VERSION=7",
            "--provenance",
            "mode=max",
            "-t",
            registry.host() + "/" + repo + ":1",
            "--push",
            "--sign-key",
            key("ours.key"),
            "--progress",
            "plain",
            ctx.toString());
    Run r = cli(Map.of("COSIGN_PASSWORD", PASSWORD), args.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    Digest top = Digest.parse(r.out().trim());
    assertThat(r.err()).contains("signed 2 attestations of " + registry.host() + "/" + repo + "@");

    try (Registry reg = registry.client()) {
      Index index = Index.parse(reg.getManifest(repo, top.toString()).bytes());
      List<Descriptor> entries = index.manifests();
      assertThat(entries).hasSize(4);
      Index base = Index.parse(reg.getManifest("base/busybox", "1").bytes());
      for (int i = 0; i < 2; i++) {
        Descriptor image = entries.get(i);
        Descriptor att = entries.get(2 + i);
        // as BuildKit lists them: platform unknown/unknown, the two vnd.docker.reference keys
        assertThat(att.platform().os()).isEqualTo("unknown");
        assertThat(att.annotations())
            .containsEntry("vnd.docker.reference.type", "attestation-manifest")
            .containsEntry("vnd.docker.reference.digest", image.digest().toString());
        Manifest m = Manifest.parse(reg.getManifest(repo, att.digest().toString()).bytes());
        assertThat(m.subject().digest()).isEqualTo(image.digest()); // an OCI 1.1 referrer too
        assertThat(m.layers()).hasSize(2); // the SBOM (on by default) and the provenance
        assertThat(m.layers())
            .allSatisfy(l -> assertThat(l.mediaType()).isEqualTo("application/vnd.in-toto+json"));
        assertThat(m.layers().get(0).annotations())
            .containsEntry("in-toto.io/predicate-type", "https://spdx.dev/Document");
        Descriptor layer = m.layers().get(1);
        assertThat(layer.annotations())
            .containsEntry("in-toto.io/predicate-type", "https://slsa.dev/provenance/v1");
        try (InputStream in = reg.getBlob(repo, m.layers().get(0).digest())) {
          var spdx = BuildFixtures.JSON.readTree(in.readAllBytes());
          assertThat(spdx.at("/predicate/spdxVersion").asText()).isEqualTo("SPDX-2.3");
          assertThat(spdx.at("/predicate/files").toString()).contains("app/app.txt");
        }
        String statement;
        try (InputStream in = reg.getBlob(repo, layer.digest())) {
          statement = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var json = BuildFixtures.JSON.readTree(statement);
        assertThat(json.at("/subject/0/digest/sha256").asText()).isEqualTo(image.digest().hex());
        assertThat(json.at("/subject/0/name").asText())
            .startsWith("pkg:docker/" + registry.host() + "/" + repo + "?platform=linux%2F");
        var def = json.at("/predicate/buildDefinition");
        assertThat(def.at("/externalParameters/request/args/build-arg:VERSION").asText())
            .isEqualTo("7");
        assertThat(statement).doesNotContain("hunter2");
        String platform = image.platform().toString();
        Descriptor baseForPlatform =
            base.manifests().stream()
                .filter(d -> d.platform().toString().equals(platform))
                .findFirst()
                .orElseThrow();
        assertThat(def.at("/resolvedDependencies/0/digest/sha256").asText())
            .isEqualTo(baseForPlatform.digest().hex());
        assertThat(def.at("/internalParameters/steps").size()).isPositive(); // mode=max
        assertThat(json.at("/predicate/runDetails/metadata/startedOn").asText())
            .isEqualTo("1970-01-01T00:00:00Z");

        // the referrers fallback tag lists it, for registries without the referrers API
        Index referrers =
            Index.parse(reg.getManifest(repo, "sha256-" + image.digest().hex()).bytes());
        assertThat(referrers.manifests())
            .anySatisfy(
                d -> {
                  assertThat(d.digest()).isEqualTo(att.digest());
                  assertThat(d.artifactType())
                      .isEqualTo("application/vnd.docker.attestation.manifest.v1+json");
                });

        // cosign verifies the signed attestation with our key, and not with another
        String ref = registry.host() + "/" + repo + "@" + image.digest();
        BuildToolsIT.Result ok =
            tool(
                Map.of(),
                cosign.toString(),
                "verify-attestation",
                "--key",
                key("ours.pub"),
                "--type",
                "slsaprovenance1",
                "--insecure-ignore-tlog=true",
                "--allow-http-registry",
                "--allow-insecure-registry",
                ref);
        assertThat(ok.code()).as(ok.all()).isZero();
        BuildToolsIT.Result other =
            tool(
                Map.of(),
                cosign.toString(),
                "verify-attestation",
                "--key",
                key("other.pub"),
                "--type",
                "slsaprovenance1",
                "--insecure-ignore-tlog=true",
                "--allow-http-registry",
                "--allow-insecure-registry",
                ref);
        assertThat(other.code()).isNotZero();
        BuildToolsIT.Result sbom =
            tool(
                Map.of(),
                cosign.toString(),
                "verify-attestation",
                "--key",
                key("ours.pub"),
                "--type",
                "spdxjson",
                "--insecure-ignore-tlog=true",
                "--allow-http-registry",
                "--allow-insecure-registry",
                ref);
        assertThat(sbom.code()).as(sbom.all()).isZero();
      }
    }

    // slimbuild verify checks the signatures and each signed attestation
    Run verified =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            registry.host() + "/" + repo + ":1");
    assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
    assertThat(verified.out())
        .contains("ok attestation https://slsa.dev/provenance/v1")
        .contains("ok attestation https://spdx.dev/Document");
    Run otherKey =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("other.pub"),
            "--insecure-registry",
            registry.host(),
            registry.host() + "/" + repo + ":1");
    assertThat(otherKey.code()).isEqualTo(1);
    assertThat(otherKey.err())
        .contains("attestation https://slsa.dev/provenance/v1: no signature" + " by this key");

    // inspect prints them, by platform, from the registry and from an OCI layout
    Run inspect =
        cli(
            Map.of(),
            "inspect",
            "--provenance",
            "--insecure-registry",
            registry.host(),
            registry.host() + "/" + repo + ":1");
    assertThat(inspect.code()).as(inspect.err()).isZero();
    var predicates = BuildFixtures.JSON.readTree(inspect.out());
    assertThat(predicates.at("/linux~1amd64/buildDefinition/buildType").asText())
        .isEqualTo("https://slimbuild.dev/buildtypes/dockerfile@v1");
    assertThat(predicates.has("linux/arm64")).isTrue();
    Run layout =
        cli(
            Map.of(),
            "build",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("lay"),
            "--provenance=true",
            "--sbom=false",
            "--progress",
            "quiet",
            ctx.toString());
    assertThat(layout.code()).as(layout.err()).isZero();
    Run fromLayout = cli(Map.of(), "inspect", "--provenance", "oci:" + dir.resolve("lay"));
    assertThat(fromLayout.code()).as(fromLayout.err()).isZero();
    assertThat(fromLayout.out()).contains("\"buildDefinition\"");
    Run noSbom = cli(Map.of(), "inspect", "--sbom", "oci:" + dir.resolve("lay"));
    BuildFixtures.assertInputError(noSbom);
    assertThat(noSbom.err()).contains("has no SBOM attestation");
    Run sbomOut =
        cli(
            Map.of(),
            "inspect",
            "--sbom",
            "--insecure-registry",
            registry.host(),
            registry.host() + "/" + repo + ":1");
    assertThat(sbomOut.code()).as(sbomOut.err()).isZero();
    assertThat(BuildFixtures.JSON.readTree(sbomOut.out()).at("/linux~1arm64/spdxVersion").asText())
        .isEqualTo("SPDX-2.3");

    // reproducible by default: the same build twice gives the same index, attestations included,
    // whatever the tag
    Run first =
        cli(
            Map.of(),
            "build",
            "-t",
            registry.host() + "/" + repo + ":min",
            "--push",
            "--progress",
            "quiet",
            ctx.toString());
    Run second =
        cli(
            Map.of(),
            "build",
            "-t",
            registry.host() + "/" + repo + ":other",
            "--push",
            "--progress",
            "quiet",
            "--no-cache",
            ctx.toString());
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.out().trim()).isEqualTo(first.out().trim());
    try (Registry reg = registry.client()) {
      assertThat(reg.getManifest(repo, "min").mediaType()).isEqualTo(MediaType.OCI_INDEX);
    }

    // turned off: a single platform is a plain manifest again
    Run off =
        cli(
            Map.of(),
            "build",
            "-t",
            registry.host() + "/" + repo + ":off",
            "--push",
            "--sbom=false",
            "--provenance=false",
            "--progress",
            "quiet",
            ctx.toString());
    assertThat(off.code()).as(off.err()).isZero();
    try (Registry reg = registry.client()) {
      assertThat(reg.getManifest(repo, "off").mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    }
  }

  @Test
  void buildPushSignKeyIsAcceptedByCosignAndSkopeoAndRefusedForAnotherKey() throws Exception {
    String repo = "signed/app";
    // a wrong password fails before anything is built or pushed
    Run wrong =
        cli(
            Map.of("COSIGN_PASSWORD", "not it"),
            "build",
            "-t",
            registry.host() + "/" + repo + ":0",
            "--push",
            "--insecure-registry",
            registry.host(),
            "--sign-key",
            key("ours.key"),
            "--progress",
            "plain",
            context().toString());
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err())
        .contains("--sign-key " + key("ours.key"))
        .contains("wrong password")
        .doesNotContain("not it")
        .doesNotContain("FROM")
        .doesNotContain("\tat ");
    try (Registry r = registry.client()) {
      assertThat(r.headManifest(repo, "0")).isEmpty();
    }

    Digest index =
        buildAndPush(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            registry.host() + "/" + repo + ":1",
            "--sign-key",
            key("ours.key"));
    List<Digest> children = platforms(index, repo);
    assertThat(children).hasSize(2);

    // cosign accepts the index by digest and by tag, and each platform manifest
    List<String> images =
        new ArrayList<>(
            List.of(
                registry.host() + "/" + repo + "@" + index, registry.host() + "/" + repo + ":1"));
    children.forEach(c -> images.add(registry.host() + "/" + repo + "@" + c));
    for (String image : images) {
      BuildToolsIT.Result v = cosignVerify(key("ours.pub"), image);
      assertThat(v.code()).as(image + ": " + v.all()).isZero();
      assertThat(v.out()).contains("\"docker-reference\":\"" + registry.host() + "/" + repo + "\"");
    }
    BuildToolsIT.Result otherKey =
        cosignVerify(key("other.pub"), registry.host() + "/" + repo + ":1");
    assertThat(otherKey.code()).as(otherKey.all()).isNotZero();

    // slimbuild verify agrees, in JSON too
    Run verified =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            "--output",
            "json",
            registry.host() + "/" + repo + ":1");
    assertThat(verified.code()).as(verified.err()).isZero();
    var json = BuildFixtures.JSON.readTree(verified.out());
    assertThat(json.get("ok").asBoolean()).isTrue();
    // both formats by default: a .sig layer and a bundle referrer for each digest
    assertThat(json.get("targets"))
        .hasSize(3)
        .allSatisfy(
            t -> {
              assertThat(t.get("ok").asBoolean()).isTrue();
              assertThat(t.get("signatures")).hasSize(2);
              assertThat(t.get("signatures").get(0).get("format").asText()).isEqualTo("legacy");
              assertThat(t.get("signatures").get(1).get("format").asText()).isEqualTo("bundle");
              assertThat(t.get("signatures"))
                  .allSatisfy(g -> assertThat(g.get("ok").asBoolean()).isTrue());
            });
    assertThat(json.get("targets").get(1).get("platform").asText()).isEqualTo("linux/amd64");

    // skopeo 1.18 with a sigstoreSigned policy copies it, and refuses it for another key
    BuildToolsIT.Result copied =
        skopeoCopy(repo, key("ours.pub"), registry.host() + "/" + repo + ":1", "copy-ok");
    assertThat(copied.code()).as(copied.all()).isZero();
    assertThat(dir.resolve("copy-ok/index.json")).exists();
    BuildToolsIT.Result refused =
        skopeoCopy(repo, key("other.pub"), registry.host() + "/" + repo + ":1", "copy-refused");
    assertThat(refused.code()).as(refused.all()).isNotZero();
    assertThat(refused.stderr())
        .contains("Source image rejected")
        .contains("signature verification failed");

    // the log names what was signed; no key material or password anywhere
    Run again =
        cli(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "sign",
            "--key",
            key("ours.key"),
            "--insecure-registry",
            registry.host(),
            registry.host() + "/" + repo + ":1");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out())
        .contains("already signed by this key: " + registry.host() + "/" + repo + "@" + index)
        .doesNotContain(PASSWORD)
        .doesNotContain("PRIVATE");
    assertThat(sigManifest(repo, index).layers()).hasSize(1);
  }

  @Test
  void cosignSignsWithOurKeyWeVerifyItAndASecondKeyIsAppended() throws Exception {
    String repo = "multi/app";
    Digest index =
        buildAndPush(
            Map.of(),
            registry.host() + "/" + repo + ":1",
            "--sbom=false",
            "--provenance=false"); // the referrers counted are the bundles alone
    String byDigest = registry.host() + "/" + repo + "@" + index;

    Run unsigned =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            byDigest);
    assertThat(unsigned.code()).isEqualTo(1);
    assertThat(unsigned.err()).contains("no signatures").contains(CosignSignatures.tag(index));

    // cosign signs the index and each platform manifest with the key slimbuild generated
    BuildToolsIT.Result signed =
        tool(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            cosign.toString(),
            "sign",
            "--key",
            key("ours.key"),
            "--tlog-upload=false",
            "--allow-http-registry",
            "--allow-insecure-registry",
            "--yes",
            "--recursive",
            byDigest);
    assertThat(signed.code()).as(signed.all()).isZero();
    Run verified =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            byDigest);
    assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
    assertThat(verified.out()).contains("verified " + byDigest);

    // our signer recognises cosign's signature by the same key: nothing added
    Run same =
        cli(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "sign",
            "--key",
            key("ours.key"),
            "--sign-format",
            "legacy",
            "--insecure-registry",
            registry.host(),
            byDigest);
    assertThat(same.code()).as(same.err()).isZero();
    assertThat(same.out().lines())
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).startsWith("already signed by this key"));
    Manifest before = sigManifest(repo, index);
    assertThat(before.layers()).hasSize(1);

    // a second key appends a layer; the first one stays; both verify, with us and with cosign
    Run second =
        cli(
            Map.of("COSIGN_PASSWORD", OTHER_PASSWORD),
            "sign",
            "--key",
            key("other.key"),
            "--sign-format",
            "legacy",
            "--insecure-registry",
            registry.host(),
            registry.host() + "/" + repo + ":1");
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.out()).contains("signed " + byDigest + " (2 signatures)");
    for (Digest d : concat(index, platforms(index, repo))) {
      Manifest m = sigManifest(repo, d);
      assertThat(m.layers()).hasSize(2);
      if (d.equals(index)) {
        assertThat(m.layers().get(0)).isEqualTo(before.layers().get(0));
      }
    }
    for (String k : List.of("ours", "other")) {
      Run v =
          cli(
              Map.of(),
              "verify",
              "--key",
              key(k + ".pub"),
              "--insecure-registry",
              registry.host(),
              registry.host() + "/" + repo + ":1");
      assertThat(v.code()).as(v.out() + v.err()).isZero();
      // the other key's signature is reported as invalid, beside the valid one
      assertThat(v.out()).contains("invalid ").contains("ok ");
      BuildToolsIT.Result c = cosignVerify(key(k + ".pub"), byDigest);
      assertThat(c.code()).as(c.all()).isZero();
    }
  }

  @Test
  void tamperedSignaturesAreRejectedWithClearReasons() throws Exception {
    String repo = "tamper/app";
    Digest index =
        buildAndPush(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            registry.host() + "/" + repo + ":1",
            "--sign-key",
            key("ours.key"),
            "--sign-format",
            "legacy");
    Digest amd64 = platforms(index, repo).get(0);
    String image = registry.host() + "/" + repo + "@" + index;

    Run otherKey =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("other.pub"),
            "--insecure-registry",
            registry.host(),
            image);
    assertThat(otherKey.code()).isEqualTo(1);
    assertThat(otherKey.err()).contains("does not verify with the given public key");

    Manifest good = sigManifest(repo, index);
    Descriptor layer = good.layers().get(0);
    String signature = layer.annotations().get(CosignSignatures.SIGNATURE_ANNOTATION);

    // an altered payload (another repository named) under the original signature
    byte[] altered = SimpleSigning.payload(registry.host() + "/evil/app", index.toString());
    putSig(repo, index, altered, signature);
    Run alteredRun =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            "--output",
            "json",
            image);
    assertThat(alteredRun.code()).isEqualTo(1);
    assertThat(alteredRun.err())
        .contains(index.toString())
        .contains("does not verify with the given public key");
    var json = BuildFixtures.JSON.readTree(alteredRun.out());
    assertThat(json.get("ok").asBoolean()).isFalse();
    assertThat(json.get("targets").get(0).get("signatures").get(0).get("dockerReference").asText())
        .isEqualTo(registry.host() + "/evil/app");
    assertThat(cosignVerify(key("ours.pub"), image).code()).isNotZero();

    // a valid signature, but over the amd64 manifest, under the index's tag
    Descriptor amdLayer = sigManifest(repo, amd64).layers().get(0);
    byte[] amdPayload;
    try (Registry r = registry.client();
        InputStream in = r.getBlob(repo, amdLayer.digest())) {
      amdPayload = in.readAllBytes();
    }
    putSig(
        repo, index, amdPayload, amdLayer.annotations().get(CosignSignatures.SIGNATURE_ANNOTATION));
    Run moved =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            image);
    assertThat(moved.code()).isEqualTo(1);
    assertThat(moved.err())
        .contains("signature is for " + amd64)
        .contains("not for the manifest " + index);
    assertThat(cosignVerify(key("ours.pub"), image).code()).isNotZero();

    // no .sig at all: an image that was never signed
    Digest unsigned = buildAndPush(Map.of(), registry.host() + "/unsigned/app:1");
    Run none =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            registry.host() + "/unsigned/app@" + unsigned);
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err())
        .contains("no signatures: the registry has no tag " + CosignSignatures.tag(unsigned));
  }

  @Test
  void eachSignFormatWritesWhatCosignChecksAndNothingElse() throws Exception {
    for (String format : List.of("legacy", "bundle", "both")) {
      String repo = "format-" + format + "/app";
      // no attestations: their referrers would be listed beside the bundles counted here
      Digest index =
          buildAndPush(
              Map.of("COSIGN_PASSWORD", PASSWORD),
              registry.host() + "/" + repo + ":1",
              "--sign-key",
              key("ours.key"),
              "--sign-format",
              format,
              "--sbom=false",
              "--provenance=false");
      boolean legacy = !format.equals("bundle");
      boolean bundle = !format.equals("legacy");
      List<Digest> digests = concat(index, platforms(index, repo));
      try (Registry r = registry.client()) {
        for (Digest d : digests) {
          assertThat(r.headManifest(repo, CosignSignatures.tag(d)))
              .as(format + " .sig of " + d)
              .matches(o -> o.isPresent() == legacy);
          // the referrers fallback tag, as distribution 2.8 has no referrers API
          assertThat(r.headManifest(repo, d.algorithm() + "-" + d.hex()))
              .as(format + " referrers of " + d)
              .matches(o -> o.isPresent() == bundle);
        }
      }

      List<String> images = new ArrayList<>(List.of(registry.host() + "/" + repo + ":1"));
      digests.forEach(d -> images.add(registry.host() + "/" + repo + "@" + d));
      for (String image : images) {
        BuildToolsIT.Result old = cosignVerify(key("ours.pub"), image);
        assertThat(old.code())
            .as(format + ", cosign 2.5 verify " + image + ": " + old.all())
            .matches(c -> (c == 0) == legacy);
        // cosign 3 reads the bundles when there are any, else the .sig tags; it says which
        BuildToolsIT.Result current = cosign3Verify(key("ours.pub"), image);
        assertThat(current.code())
            .as(format + ", cosign 3 verify " + image + ": " + current.all())
            .isZero();
        assertThat(current.out())
            .as(format + ", cosign 3 verify " + image)
            .contains("\"type\":\"" + (bundle ? COSIGN_SIGN_PREDICATE : SimpleSigning.TYPE) + "\"");
      }
      String byDigest = registry.host() + "/" + repo + "@" + index;
      BuildToolsIT.Result attestation = cosignVerifyBundle(key("ours.pub"), byDigest);
      assertThat(attestation.code())
          .as(format + ": " + attestation.all())
          .matches(c -> (c == 0) == bundle);
      if (bundle) {
        // another key is refused by both checkers of bundles
        BuildToolsIT.Result other3 = cosign3Verify(key("other.pub"), byDigest);
        assertThat(other3.code()).as(other3.all()).isNotZero();
        assertThat(other3.stderr()).contains("no matching attestations");
        BuildToolsIT.Result other25 = cosignVerifyBundle(key("other.pub"), byDigest);
        assertThat(other25.code()).as(other25.all()).isNotZero();
      }

      // slimbuild verify: the format written passes, the other one is missing
      Run verified =
          cli(
              Map.of(),
              "verify",
              "--key",
              key("ours.pub"),
              "--insecure-registry",
              registry.host(),
              "--sign-format",
              format,
              byDigest);
      assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
      if (!format.equals("both")) {
        String missing = legacy ? "bundle" : "legacy";
        Run refused =
            cli(
                Map.of(),
                "verify",
                "--key",
                key("ours.pub"),
                "--insecure-registry",
                registry.host(),
                "--sign-format",
                missing,
                byDigest);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err())
            .contains("no signatures: ")
            .contains(
                legacy
                    ? "no sigstore bundle signature among its referrers"
                    : "the registry has no tag " + CosignSignatures.tag(index));
      }
    }
  }

  @Test
  void cosign3sBundlesAreOursToVerifyAndCountAsAlreadySigned() throws Exception {
    String repo = "bundle3/app";
    Digest index =
        buildAndPush(
            Map.of(),
            registry.host() + "/" + repo + ":1",
            "--sbom=false",
            "--provenance=false"); // the referrers counted are the bundles alone
    String byDigest = registry.host() + "/" + repo + "@" + index;
    List<Digest> digests = concat(index, platforms(index, repo));

    // cosign 3 signs the index and each platform manifest as bundles, with slimbuild's key
    BuildToolsIT.Result signed =
        tool(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            cosign3.toString(),
            "sign",
            "--key",
            key("ours.key"),
            "--use-signing-config=false",
            "--tlog-upload=false",
            "--allow-http-registry",
            "--allow-insecure-registry",
            "--yes",
            "--recursive",
            byDigest);
    assertThat(signed.code()).as(signed.all()).isZero();
    Run verified =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("ours.pub"),
            "--insecure-registry",
            registry.host(),
            "--sign-format",
            "bundle",
            registry.host() + "/" + repo + ":1");
    assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
    assertThat(verified.out())
        .contains("verified " + byDigest)
        .contains("ok bundle ")
        .doesNotContain("invalid");
    Run otherKey =
        cli(
            Map.of(),
            "verify",
            "--key",
            key("other.pub"),
            "--insecure-registry",
            registry.host(),
            "--sign-format",
            "bundle",
            byDigest);
    assertThat(otherKey.code()).isEqualTo(1);
    assertThat(otherKey.err()).contains("does not verify with the given public key");

    // the layout is cosign's: compare its referrer with the one slimbuild writes for another key
    Map<Digest, Manifest> cosigns = new HashMap<>();
    for (Digest d : digests) {
      cosigns.put(d, Manifest.parse(referrer(repo, d, 0)));
    }
    Run same =
        cli(
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "sign",
            "--key",
            key("ours.key"),
            "--sign-format",
            "bundle",
            "--insecure-registry",
            registry.host(),
            byDigest);
    assertThat(same.code()).as(same.err()).isZero();
    assertThat(same.out().lines())
        .hasSize(3)
        .allSatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        "already signed by this key with a sigstore bundle: "
                            + registry.host()
                            + "/"
                            + repo));
    for (Digest d : digests) {
      assertThat(referrers(repo, d)).hasSize(1);
    }
    Run second =
        cli(
            Map.of("COSIGN_PASSWORD", OTHER_PASSWORD),
            "sign",
            "--key",
            key("other.key"),
            "--sign-format",
            "bundle",
            "--insecure-registry",
            registry.host(),
            byDigest);
    assertThat(second.code()).as(second.err()).isZero();
    for (Digest d : digests) {
      Manifest theirs = cosigns.get(d);
      Manifest ours = Manifest.parse(referrer(repo, d, 1));
      assertThat(ours.mediaType()).isEqualTo(theirs.mediaType());
      assertThat(ours.artifactType())
          .isEqualTo(theirs.artifactType())
          .isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
      assertThat(ours.config().mediaType())
          .isEqualTo(theirs.config().mediaType())
          .isEqualTo(MediaType.OCI_EMPTY);
      assertThat(ours.config().digest()).isEqualTo(theirs.config().digest());
      assertThat(ours.subject()).isEqualTo(theirs.subject());
      assertThat(ours.layers()).hasSize(1);
      assertThat(ours.layers().get(0).mediaType()).isEqualTo(theirs.layers().get(0).mediaType());
      // cosign adds the signing time; slimbuild leaves it out to stay reproducible
      assertThat(theirs.annotations())
          .containsAllEntriesOf(ours.annotations())
          .containsKey("org.opencontainers.image.created");
      var theirBundle = BuildFixtures.JSON.readTree(blob(repo, theirs.layers().get(0).digest()));
      var ourBundle = BuildFixtures.JSON.readTree(blob(repo, ours.layers().get(0).digest()));
      assertThat(fieldNames(ourBundle)).isEqualTo(fieldNames(theirBundle));
      assertThat(ourBundle.get("mediaType")).isEqualTo(theirBundle.get("mediaType"));
      assertThat(ourBundle.get("dsseEnvelope").get("payloadType"))
          .isEqualTo(theirBundle.get("dsseEnvelope").get("payloadType"));
      var theirStatement =
          BuildFixtures.JSON.readTree(
              Base64.getDecoder().decode(theirBundle.get("dsseEnvelope").get("payload").asText()));
      var ourStatement =
          BuildFixtures.JSON.readTree(
              Base64.getDecoder().decode(ourBundle.get("dsseEnvelope").get("payload").asText()));
      for (String f : List.of("_type", "predicateType", "predicate")) {
        assertThat(ourStatement.get(f)).as(f).isEqualTo(theirStatement.get(f));
      }
      assertThat(ourStatement.get("subject").get(0).get("digest"))
          .isEqualTo(theirStatement.get("subject").get(0).get("digest"));
      assertThat(ourStatement.get("subject").get(0).get("digest").get("sha256").asText())
          .isEqualTo(d.hex());
    }
    // cosign 3 accepts each key now: its own bundle, and slimbuild's for the other key
    for (String k : List.of("ours", "other")) {
      BuildToolsIT.Result v = cosign3Verify(key(k + ".pub"), byDigest);
      assertThat(v.code()).as(k + ": " + v.all()).isZero();
    }
  }

  private static List<Descriptor> referrers(String repo, Digest subject) throws Exception {
    try (Registry r = registry.client()) {
      return Index.parse(r.getManifest(repo, subject.algorithm() + "-" + subject.hex()).bytes())
          .manifests();
    }
  }

  /** The bytes of the {@code i}th referrer of {@code subject}, in the fallback index's order. */
  private static byte[] referrer(String repo, Digest subject, int i) throws Exception {
    try (Registry r = registry.client()) {
      return r.getManifest(repo, referrers(repo, subject).get(i).digest().toString()).bytes();
    }
  }

  private static byte[] blob(String repo, Digest d) throws Exception {
    try (Registry r = registry.client();
        InputStream in = r.getBlob(repo, d)) {
      return in.readAllBytes();
    }
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Digest> concat(Digest first, List<Digest> rest) {
    List<Digest> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  /** Pushes a one-layer .sig manifest for {@code target} holding {@code payload}. */
  private static void putSig(String repo, Digest target, byte[] payload, String signature)
      throws Exception {
    Descriptor layer =
        Descriptor.of(SimpleSigning.MEDIA_TYPE, Digest.sha256Of(payload), payload.length)
            .withAnnotations(Map.of(CosignSignatures.SIGNATURE_ANNOTATION, signature));
    String config =
        "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":"
            + "[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[\""
            + layer.digest()
            + "\"]},\"config\":{}}";
    byte[] cfg = config.getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(cfg), cfg.length);
    try (Registry r = registry.client()) {
      r.pushBlob(repo, layer, () -> new ByteArrayInputStream(payload), List.of());
      r.pushBlob(repo, c, () -> new ByteArrayInputStream(cfg), List.of());
      r.putManifest(
          repo,
          CosignSignatures.tag(target),
          Json.write(Manifest.oci(c, List.of(layer)).toJson()),
          MediaType.OCI_MANIFEST);
    }
  }
}
