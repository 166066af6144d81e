package dev.slimbuild.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.push.Referrers;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.json.Json;
import dev.slimbuild.signing.CosignKeys;
import dev.slimbuild.signing.Dsse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BundleSignaturesTest {
  private static final String REPO = "app/demo";

  /** The bundle cosign 3.1 wrote for {@code sign --new-bundle-format --key} (a test key). */
  private static final String COSIGN_BUNDLE =
      "{\"mediaType\":\"application/vnd.dev.sigstore.bund"
          + "le.v0.3+json\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"i8gRA9xVFVtIDTOcvIJIy"
          + "8Qq/CE1NkJsFwJcdbGFoe4=\"}},\"dsseEnvelope\":{\"payload\":\"eyJfdHlwZSI6Imh0dHBzOi8vaW"
          + "4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiNmY3YzNlMWZkMz"
          + "QzNThiNTI3NDU5YjczYjYxODA3MjU0OGFjNmI3OTAwODQ2MTYyYTAzOGQ1NDgwZDRhMzc1MiJ9LCJhbm5vdGF0aW"
          + "9ucyI6e319XSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vc2lnc3RvcmUuZGV2L2Nvc2lnbi9zaWduL3YxIiwicH"
          + "JlZGljYXRlIjp7fX0=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{"
          + "\"sig\":\"MEYCIQCEgxeaAwAmpaA2A8Q+iMaHkr1+G4zidFAC9dzyLRMusAIhAPxSFq6L5FzBxJMXyzrHCklFtU"
          + "VDtS04dsHTchqDHFCz\"}]}}";

  /** Its key, and the index digest it signed. */
  private static final String COSIGN_PUB =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEomEY13WhrXgZW0VpW5lO6XwYybhm\n"
          + "x2WnUZk08B+58NdgSve+zF6mg6gdpCNx6kbAbpN+xNMlwAEU1zU4AYOE4A==\n"
          + "-----END PUBLIC KEY-----\n";

  private static final Digest COSIGN_SIGNED =
      Digest.parse("sha256:6f7c3e1fd34358b527459b73b618072548ac6b7900846162a038d5480d4a3752");

  private FakeRegistry registry;
  private RawManifest index;
  private Digest amd64;
  private Digest arm64;

  @BeforeEach
  void image() throws Exception {
    registry = new FakeRegistry("127.0.0.1:5000");
    ImageSignaturesTest.TestImage image = ImageSignaturesTest.TestImage.put(registry, REPO);
    index = image.index();
    amd64 = image.amd64();
    arm64 = image.arm64();
  }

  private byte[] blob(Digest d) throws Exception {
    try (InputStream in = registry.getBlob(REPO, d)) {
      return in.readAllBytes();
    }
  }

  private List<Descriptor> referrers(Digest subject) throws Exception {
    return Index.parse(registry.getManifest(REPO, Referrers.fallbackTag(subject)).bytes())
        .manifests();
  }

  @Test
  void theReferrerIsLaidOutAsCosignWritesIt() throws Exception {
    KeyPair key = ImageSignaturesTest.newKey();
    BundleSignatures bundles = new BundleSignatures(registry, REPO);
    Descriptor subject = index.descriptor();
    BundleSignatures.SignResult r = bundles.sign(subject, key.getPrivate());
    assertThat(r.outcome()).isEqualTo(CosignSignatures.Outcome.ADDED);

    // listed in the fallback index with its artifactType and annotations
    Map<String, String> annotations =
        Map.of(
            "dev.sigstore.bundle.content", "dsse-envelope",
            "dev.sigstore.bundle.predicateType", "https://sigstore.dev/cosign/sign/v1");
    assertThat(referrers(index.digest()))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.digest()).isEqualTo(r.referrer());
              assertThat(d.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
              assertThat(d.artifactType())
                  .isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
              assertThat(d.annotations()).isEqualTo(annotations);
            });

    RawManifest raw = registry.getManifest(REPO, r.referrer().toString());
    Manifest m = Manifest.parse(raw.bytes());
    assertThat(m.artifactType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    // the empty descriptor: {} as application/vnd.oci.empty.v1+json
    assertThat(m.config())
        .isEqualTo(
            Descriptor.of(
                MediaType.OCI_EMPTY,
                Digest.parse(
                    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
                2));
    assertThat(blob(m.config().digest())).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    assertThat(m.subject()).isEqualTo(subject);
    assertThat(m.annotations()).isEqualTo(annotations);
    Descriptor layer = m.layers().get(0);
    assertThat(m.layers()).hasSize(1);
    assertThat(layer.mediaType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");

    var bundle = Json.parse(blob(layer.digest()));
    String json = Json.writeString(bundle);
    String hint = SigstoreBundle.hint(key.getPublic());
    String statement =
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":"
            + "{\"sha256\":\""
            + index.digest().hex()
            + "\"}}],\"predicateType\":"
            + "\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";
    String sig =
        Dsse.sign(key.getPrivate(), Dsse.IN_TOTO, statement.getBytes(StandardCharsets.UTF_8));
    assertThat(json)
        .isEqualTo(
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                + "\"verificationMaterial\":{\"publicKey\":{\"hint\":\""
                + hint
                + "\"}},"
                + "\"dsseEnvelope\":{\"payload\":\""
                + Base64.getEncoder().encodeToString(statement.getBytes(StandardCharsets.UTF_8))
                + "\",\"payloadType\":"
                + "\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\""
                + sig
                + "\"}]}}");
  }

  @Test
  void theKeyHintIsCosignsForTheSameKey() {
    assertThat(SigstoreBundle.hint(CosignKeys.loadPublic(COSIGN_PUB)))
        .isEqualTo("i8gRA9xVFVtIDTOcvIJIy8Qq/CE1NkJsFwJcdbGFoe4=");
  }

  @Test
  void aBundleCosignWroteVerifiesAndCountsAsAlreadySigned() throws Exception {
    putReferrer(COSIGN_SIGNED, COSIGN_BUNDLE.getBytes(StandardCharsets.UTF_8));
    BundleSignatures bundles = new BundleSignatures(registry, REPO);
    assertThat(bundles.verify(COSIGN_SIGNED, CosignKeys.loadPublic(COSIGN_PUB)))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ok()).isTrue();
              assertThat(c.reason()).isEqualTo("signature verified");
            });
    assertThat(bundles.verify(COSIGN_SIGNED, ImageSignaturesTest.newKey().getPublic()))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.reason())
                    .isEqualTo("signature does not verify with the given public key"));
  }

  @Test
  void sameKeyTwiceAddsNothingAnotherKeyAddsAReferrerAndSigningIsDeterministic() throws Exception {
    KeyPair first = ImageSignaturesTest.newKey();
    KeyPair second = ImageSignaturesTest.newKey();
    ImageSignatures images = new ImageSignatures(registry, REPO);
    List<BundleSignatures.SignResult> signed = images.signBundles(index, first.getPrivate());
    assertThat(signed)
        .extracting(BundleSignatures.SignResult::image)
        .containsExactly(index.digest(), amd64, arm64);
    int puts = registry.manifestPuts.size();
    int uploads = registry.uploads.size();

    assertThat(images.signBundles(index, first.getPrivate()))
        .allSatisfy(
            r -> assertThat(r.outcome()).isEqualTo(CosignSignatures.Outcome.ALREADY_SIGNED));
    assertThat(registry.manifestPuts).hasSize(puts);
    assertThat(registry.uploads).hasSize(uploads);

    // the same key over the same digest makes the same referrer, byte for byte
    FakeRegistry elsewhere = new FakeRegistry("127.0.0.1:5000");
    BundleSignatures.SignResult again =
        new BundleSignatures(elsewhere, REPO).sign(index.descriptor(), first.getPrivate());
    assertThat(again.referrer()).isEqualTo(signed.get(0).referrer());

    images.signBundles(index, second.getPrivate());
    assertThat(referrers(index.digest()))
        .hasSize(2)
        .first()
        .satisfies(d -> assertThat(d.digest()).isEqualTo(signed.get(0).referrer()));
    for (KeyPair k : List.of(first, second)) {
      ImageSignatures.Report r = images.verify(index, k.getPublic(), SignFormat.BUNDLE);
      assertThat(r.ok()).isTrue();
      assertThat(r.targets().get(0).signatures())
          .extracting(ImageSignatures.SignatureResult::ok)
          .containsExactlyInAnyOrder(true, false);
    }
  }

  @Test
  void theRequiredFormatsDecide() throws Exception {
    KeyPair key = ImageSignaturesTest.newKey();
    ImageSignatures images = new ImageSignatures(registry, REPO);
    images.signBundles(index, key.getPrivate());

    assertThat(images.verify(index, key.getPublic(), SignFormat.BUNDLE).ok()).isTrue();
    assertThat(images.verify(index, key.getPublic(), SignFormat.ANY).ok()).isTrue();
    ImageSignatures.Report legacy = images.verify(index, key.getPublic(), SignFormat.LEGACY);
    assertThat(legacy.ok()).isFalse();
    assertThat(legacy.targets().get(0).reason())
        .isEqualTo(
            "no signatures: the registry has no tag " + CosignSignatures.tag(index.digest()));
    ImageSignatures.Report both = images.verify(index, key.getPublic(), SignFormat.BOTH);
    assertThat(both.ok()).isFalse();
    assertThat(both.targets().get(1).reason())
        .startsWith("no valid legacy (.sig) signature")
        .contains("no tag " + CosignSignatures.tag(amd64));

    images.sign(index, key.getPrivate());
    assertThat(images.verify(index, key.getPublic(), SignFormat.BOTH).ok()).isTrue();
    assertThat(images.verify(index, key.getPublic(), SignFormat.BOTH).targets().get(2).signatures())
        .extracting(ImageSignatures.SignatureResult::format)
        .containsExactly(SignFormat.LEGACY, SignFormat.BUNDLE);

    // nothing at all: both absences named
    FakeRegistry empty = new FakeRegistry("127.0.0.1:5000");
    empty.putManifest(REPO, "1", index.bytes(), index.mediaType());
    assertThat(
            new ImageSignatures(empty, REPO)
                .verify(index, key.getPublic())
                .targets()
                .get(0)
                .reason())
        .isEqualTo(
            "no signatures: the registry has no tag "
                + CosignSignatures.tag(index.digest())
                + ", and no sigstore bundle signature among"
                + " its referrers (tag "
                + Referrers.fallbackTag(index.digest())
                + ")");
  }

  @Test
  void forgedMovedAndMalformedBundlesAreRejectedWithReasons() throws Exception {
    KeyPair key = ImageSignaturesTest.newKey();
    BundleSignatures bundles = new BundleSignatures(registry, REPO);

    // a valid bundle over arm64 attached to amd64
    byte[] armStatement = BundleSignatures.statement(arm64);
    putReferrer(
        amd64,
        SigstoreBundle.sign(Dsse.IN_TOTO, armStatement, key.getPrivate(), key.getPublic())
            .toBytes());
    assertThat(bundles.verify(amd64, key.getPublic()))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.reason())
                    .isEqualTo("signature is for " + arm64 + ", not for the manifest " + amd64));

    // the statement changed to name amd64 under the arm64 signature
    SigstoreBundle signed =
        SigstoreBundle.sign(Dsse.IN_TOTO, armStatement, key.getPrivate(), key.getPublic());
    SigstoreBundle forged =
        new SigstoreBundle(
            Dsse.IN_TOTO, BundleSignatures.statement(amd64), signed.signatures(), signed.keyHint());
    registry = new FakeRegistry("127.0.0.1:5000");
    putReferrer(amd64, forged.toBytes());
    assertThat(new BundleSignatures(registry, REPO).verify(amd64, key.getPublic()))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.reason())
                    .isEqualTo("signature does not verify with the given public key"));

    // a message signature (how blobs are signed) and an old bundle version
    registry = new FakeRegistry("127.0.0.1:5000");
    putReferrer(
        amd64,
        ("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                + "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"x\"}},\"messageSignature\":{}}")
            .getBytes(StandardCharsets.UTF_8));
    putReferrer(
        amd64,
        ("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.2\"" + "}")
            .getBytes(StandardCharsets.UTF_8));
    assertThat(new BundleSignatures(registry, REPO).verify(amd64, key.getPublic()))
        .extracting(BundleSignatures.Check::reason)
        .containsExactly(
            "the bundle holds a message signature (a blob's), not a DSSE envelope",
            "bundle version application/vnd.dev.sigstore.bundle+json;version=0.2 is not supported"
                + " (v0.3 is)");
  }

  @Test
  void otherReferrersAndAttestationBundlesAreNotSignatures() throws Exception {
    KeyPair key = ImageSignaturesTest.newKey();
    // an SBOM artifact that is no bundle
    byte[] sbom = "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor sbomLayer =
        Descriptor.of("application/spdx+json", Digest.sha256Of(sbom), sbom.length);
    registry.pushBlob(REPO, sbomLayer, () -> new ByteArrayInputStream(sbom), List.of());
    byte[] m =
        Json.write(
            new Manifest(
                    2,
                    MediaType.OCI_MANIFEST,
                    "application/spdx+json",
                    Descriptor.of(MediaType.OCI_EMPTY, Digest.sha256Of("{}"), 2),
                    List.of(sbomLayer),
                    Descriptor.of(MediaType.OCI_MANIFEST, amd64, 10),
                    Map.of())
                .toJson());
    Digest d = registry.putManifest(REPO, Digest.sha256Of(m).toString(), m, MediaType.OCI_MANIFEST);
    Referrers.add(registry, REPO, amd64, Descriptor.of(MediaType.OCI_MANIFEST, d, m.length));
    // a signed attestation in a bundle: another predicate type
    String att =
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{"
            + "\"sha256\":\""
            + amd64.hex()
            + "\"}}],\"predicateType\":\"https://spdx.dev/Document\","
            + "\"predicate\":{}}";
    putReferrer(
        amd64,
        SigstoreBundle.sign(
                Dsse.IN_TOTO,
                att.getBytes(StandardCharsets.UTF_8),
                key.getPrivate(),
                key.getPublic())
            .toBytes());

    BundleSignatures bundles = new BundleSignatures(registry, REPO);
    assertThat(bundles.verify(amd64, key.getPublic())).isEmpty();
    // signing keeps what was listed and adds its own
    bundles.sign(Descriptor.of(MediaType.OCI_MANIFEST, amd64, 10), key.getPrivate());
    assertThat(referrers(amd64))
        .hasSize(3)
        .first()
        .satisfies(x -> assertThat(x.digest()).isEqualTo(d));
    assertThat(bundles.verify(amd64, key.getPublic()))
        .singleElement()
        .satisfies(c -> assertThat(c.ok()).isTrue());
  }

  /** Pushes {@code bundle} as a referrer of {@code subject} listed in its fallback index. */
  private void putReferrer(Digest subject, byte[] bundle) throws Exception {
    Descriptor layer =
        Descriptor.of(BundleSignatures.MEDIA_TYPE, Digest.sha256Of(bundle), bundle.length);
    registry.pushBlob(REPO, layer, () -> new ByteArrayInputStream(bundle), List.of());
    byte[] m =
        Json.write(
            new Manifest(
                    2,
                    MediaType.OCI_MANIFEST,
                    BundleSignatures.MEDIA_TYPE,
                    Descriptor.of(MediaType.OCI_EMPTY, Digest.sha256Of("{}"), 2),
                    List.of(layer),
                    Descriptor.of(MediaType.OCI_INDEX, subject, 491),
                    Map.of())
                .toJson());
    Digest d = registry.putManifest(REPO, Digest.sha256Of(m).toString(), m, MediaType.OCI_MANIFEST);
    Referrers.add(registry, REPO, subject, Descriptor.of(MediaType.OCI_MANIFEST, d, m.length));
  }
}
