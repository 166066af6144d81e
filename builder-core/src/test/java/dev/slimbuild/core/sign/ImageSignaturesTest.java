package dev.slimbuild.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.json.Json;
import dev.slimbuild.signing.Signer;
import dev.slimbuild.signing.SimpleSigning;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageSignaturesTest {
  private static final String REPO = "app/demo";

  private FakeRegistry registry;
  private RawManifest index;
  private Digest amd64;
  private Digest arm64;

  static KeyPair newKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** A two-platform image in a registry: its index and the two platform manifests. */
  record TestImage(RawManifest index, Digest amd64, Digest arm64) {
    /** Puts two platform manifests and their index (tagged 1) into {@code repo}. */
    static TestImage put(FakeRegistry registry, String repo) throws Exception {
      Digest amd64 = putManifest(registry, repo, "amd64");
      Digest arm64 = putManifest(registry, repo, "arm64");
      byte[] idx =
          Json.write(
              Index.oci(
                      List.of(
                          Descriptor.of(MediaType.OCI_MANIFEST, amd64, 10)
                              .withPlatform(Platform.of("linux", "amd64", null)),
                          Descriptor.of(MediaType.OCI_MANIFEST, arm64, 10)
                              .withPlatform(Platform.of("linux", "arm64", null))))
                  .toJson());
      Digest d = registry.putManifest(repo, "1", idx, MediaType.OCI_INDEX);
      return new TestImage(registry.getManifest(repo, d.toString()), amd64, arm64);
    }

    private static Digest putManifest(FakeRegistry registry, String repo, String arch)
        throws Exception {
      Descriptor layer = Descriptor.of(MediaType.OCI_LAYER_TAR, Digest.sha256Of(arch), 5);
      Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of("c" + arch), 6);
      byte[] m = Json.write(Manifest.oci(config, List.of(layer)).toJson());
      return registry.putManifest(repo, Digest.sha256Of(m).toString(), m, MediaType.OCI_MANIFEST);
    }
  }

  @BeforeEach
  void image() throws Exception {
    registry = new FakeRegistry("127.0.0.1:5000");
    TestImage image = TestImage.put(registry, REPO);
    index = image.index();
    amd64 = image.amd64();
    arm64 = image.arm64();
  }

  @Test
  void theConfigAndPayloadAreByteForByteWhatCosignWrote() {
    // observed from cosign 2.5 signing 127.0.0.1:5123/app/x@sha256:caeb...: payload and config
    byte[] payload =
        SimpleSigning.payload(
            "127.0.0.1:5123/app/x",
            "sha256:caebbdd8e4024a936e87a70fde0465e2e534dc523e47912ea7c1f6709ae47956");
    assertThat(Digest.sha256Of(payload).toString())
        .isEqualTo("sha256:a895d60aa7d69d31debaad369b9f58a3ab8fabdfe34c58d3f1572bf24157ea4c");
    Descriptor layer =
        Descriptor.of(SimpleSigning.MEDIA_TYPE, Digest.sha256Of(payload), payload.length);
    byte[] one = CosignSignatures.config(List.of(layer));
    assertThat(one).hasSize(233);
    assertThat(Digest.sha256Of(one).toString())
        .isEqualTo("sha256:9c49699a3afde39092477917c80f5d7a189ded6aadb2ce544404cdb2c7ee09fc");
    byte[] two = CosignSignatures.config(List.of(layer, layer));
    assertThat(two).hasSize(342);
    assertThat(Digest.sha256Of(two).toString())
        .isEqualTo("sha256:9ab99ebd7a60b9600abc695b71ae1368bbcf6472b695741175a0ddd66f1facae");
  }

  @Test
  void signsTheIndexAndEachPlatformAndVerifies() throws Exception {
    KeyPair key = newKey();
    ImageSignatures images = new ImageSignatures(registry, REPO);
    List<CosignSignatures.SignResult> signed = images.sign(index, key.getPrivate());
    assertThat(signed)
        .extracting(CosignSignatures.SignResult::image)
        .containsExactly(index.digest(), amd64, arm64);
    assertThat(signed)
        .allSatisfy(
            r -> {
              assertThat(r.outcome()).isEqualTo(CosignSignatures.Outcome.ADDED);
              assertThat(r.signatures()).isEqualTo(1);
            });

    RawManifest sig = registry.getManifest(REPO, CosignSignatures.tag(amd64));
    assertThat(sig.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    Manifest m = Manifest.parse(sig.bytes());
    assertThat(m.config().mediaType()).isEqualTo(MediaType.OCI_CONFIG);
    assertThat(m.layers())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.mediaType()).isEqualTo(SimpleSigning.MEDIA_TYPE);
              assertThat(l.annotations()).containsKey(CosignSignatures.SIGNATURE_ANNOTATION);
            });
    byte[] payload = new CosignSignatures(registry, REPO).payload(m.layers().get(0));
    assertThat(new String(payload, StandardCharsets.UTF_8))
        .isEqualTo(
            new String(
                SimpleSigning.payload("127.0.0.1:5000/app/demo", amd64.toString()),
                StandardCharsets.UTF_8));

    ImageSignatures.Report report = images.verify(index, key.getPublic());
    assertThat(report.ok()).isTrue();
    assertThat(report.targets())
        .extracting(t -> t.target().platform())
        .containsExactly(null, Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));
  }

  @Test
  void theSameKeyTwiceAddsNothingAndAnotherKeyAppends() throws Exception {
    KeyPair first = newKey();
    KeyPair second = newKey();
    ImageSignatures images = new ImageSignatures(registry, REPO);
    images.sign(index, first.getPrivate());
    byte[] before = registry.getManifest(REPO, CosignSignatures.tag(index.digest())).bytes();
    int puts = registry.manifestPuts.size();

    assertThat(images.sign(index, first.getPrivate()))
        .allSatisfy(
            r -> {
              assertThat(r.outcome()).isEqualTo(CosignSignatures.Outcome.ALREADY_SIGNED);
              assertThat(r.signatures()).isEqualTo(1);
            });
    assertThat(registry.manifestPuts).hasSize(puts);
    assertThat(registry.getManifest(REPO, CosignSignatures.tag(index.digest())).bytes())
        .isEqualTo(before);

    assertThat(images.sign(index, second.getPrivate()))
        .allSatisfy(r -> assertThat(r.signatures()).isEqualTo(2));
    Manifest both =
        Manifest.parse(registry.getManifest(REPO, CosignSignatures.tag(index.digest())).bytes());
    assertThat(both.layers()).hasSize(2);
    // the earlier layer is kept as it was
    assertThat(both.layers().get(0)).isEqualTo(Manifest.parse(before).layers().get(0));
    for (KeyPair k : List.of(first, second)) {
      ImageSignatures.Report r = images.verify(index, k.getPublic());
      assertThat(r.ok()).isTrue();
      // each key verifies its own signature and reports the other one as invalid
      assertThat(r.targets().get(0).signatures())
          .extracting(ImageSignatures.SignatureResult::ok)
          .containsExactlyInAnyOrder(true, false);
    }
  }

  @Test
  void unsignedAnotherKeyAlteredPayloadAndAnotherDigestAreRejectedWithReasons() throws Exception {
    KeyPair key = newKey();
    ImageSignatures images = new ImageSignatures(registry, REPO);

    ImageSignatures.Report none = images.verify(index, key.getPublic());
    assertThat(none.ok()).isFalse();
    assertThat(none.targets().get(0).reason())
        .contains("no signatures")
        .contains(CosignSignatures.tag(index.digest()));

    images.sign(index, key.getPrivate());
    ImageSignatures.Report other = images.verify(index, newKey().getPublic());
    assertThat(other.ok()).isFalse();
    assertThat(other.targets())
        .allSatisfy(
            t -> assertThat(t.reason()).contains("does not verify with the given public key"));

    // a signature over the arm64 digest put under the amd64 tag
    byte[] armPayload = SimpleSigning.payload("127.0.0.1:5000/app/demo", arm64.toString());
    putSig(amd64, armPayload, Signer.sign(key.getPrivate(), armPayload));
    ImageSignatures.TargetResult moved = images.verify(index, key.getPublic()).targets().get(1);
    assertThat(moved.ok()).isFalse();
    assertThat(moved.reason()).contains("signature is for " + arm64).contains(amd64.toString());

    // an altered payload with the original signature
    byte[] good = SimpleSigning.payload("127.0.0.1:5000/app/demo", amd64.toString());
    String sig = Signer.sign(key.getPrivate(), good);
    byte[] altered =
        new String(good, StandardCharsets.UTF_8)
            .replace("app/demo", "app/evil")
            .getBytes(StandardCharsets.UTF_8);
    putSig(amd64, altered, sig);
    ImageSignatures.TargetResult tampered = images.verify(index, key.getPublic()).targets().get(1);
    assertThat(tampered.ok()).isFalse();
    assertThat(tampered.reason()).contains("does not verify");
    assertThat(tampered.signatures())
        .singleElement()
        .satisfies(s -> assertThat(s.dockerReference()).isEqualTo("127.0.0.1:5000/app/evil"));
  }

  @Test
  void aMissingPayloadBlobIsAnInvalidSignatureNotAnAbort() throws Exception {
    KeyPair key = newKey();
    ImageSignatures images = new ImageSignatures(registry, REPO);
    images.sign(index, key.getPrivate());
    // (another name than the one signed above, so its blob is not in the registry)
    byte[] payload = SimpleSigning.payload("127.0.0.1:5000/app/copy", amd64.toString());
    Descriptor layer =
        Descriptor.of(SimpleSigning.MEDIA_TYPE, Digest.sha256Of(payload), payload.length)
            .withAnnotations(
                Map.of(
                    CosignSignatures.SIGNATURE_ANNOTATION, Signer.sign(key.getPrivate(), payload)));
    byte[] config = CosignSignatures.config(List.of(layer));
    Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(config), config.length);
    registry.pushBlob(REPO, c, () -> new ByteArrayInputStream(config), List.of());
    // the manifest names a payload that was never uploaded
    registry.putManifest(
        REPO,
        CosignSignatures.tag(amd64),
        Json.write(Manifest.oci(c, List.of(layer)).toJson()),
        MediaType.OCI_MANIFEST);
    ImageSignatures.Report r = images.verify(index, key.getPublic());
    assertThat(r.ok()).isFalse();
    assertThat(r.targets().get(0).ok()).isTrue();
    assertThat(r.targets().get(1).reason()).contains("no payload blob " + layer.digest());
  }

  private void putSig(Digest target, byte[] payload, String signature) throws Exception {
    Descriptor layer =
        Descriptor.of(SimpleSigning.MEDIA_TYPE, Digest.sha256Of(payload), payload.length)
            .withAnnotations(Map.of(CosignSignatures.SIGNATURE_ANNOTATION, signature));
    registry.pushBlob(REPO, layer, () -> new ByteArrayInputStream(payload), List.of());
    byte[] config = CosignSignatures.config(List.of(layer));
    Descriptor c = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(config), config.length);
    registry.pushBlob(REPO, c, () -> new ByteArrayInputStream(config), List.of());
    registry.putManifest(
        REPO,
        CosignSignatures.tag(target),
        Json.write(Manifest.oci(c, List.of(layer)).toJson()),
        MediaType.OCI_MANIFEST);
  }
}
