package dev.slimbuild.core.sign;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.push.Referrers;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import dev.slimbuild.signing.SignatureCheck;
import dev.slimbuild.signing.SimpleSigning;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs and verifies a whole image in a registry: the digest it was named by (manifest or index)
 * and, for an index, every manifest it lists, since cosign checks the digest it is given while
 * skopeo and podman check the platform manifest they pull. Signatures come in two formats ({@link
 * SignFormat}): cosign's {@code .sig} tags ({@link CosignSignatures}) and sigstore bundles as OCI
 * referrers ({@link BundleSignatures}).
 */
public final class ImageSignatures {
  private final Registry registry;
  private final String repository;
  private final CosignSignatures signatures;
  private final BundleSignatures bundles;

  /** Signatures of images in {@code repository} of {@code registry}. */
  public ImageSignatures(Registry registry, String repository) {
    this.registry = registry;
    this.repository = repository;
    this.signatures = new CosignSignatures(registry, repository);
    this.bundles = new BundleSignatures(registry, repository);
  }

  /**
   * One digest that is signed or checked.
   *
   * @param platform an index entry's platform, or null for the top document (or an entry without
   *     one)
   * @param size the manifest's size in bytes
   */
  public record Target(Digest digest, String mediaType, Platform platform, long size) {
    /** The descriptor of the manifest: media type, digest, size. */
    public Descriptor descriptor() {
      return Descriptor.of(mediaType, digest, size);
    }
  }

  /**
   * The outcome of checking one signature.
   *
   * @param format {@link SignFormat#LEGACY} or {@link SignFormat#BUNDLE}
   * @param payload the digest of the signed payload (a {@code .sig} layer), or of the referrer
   *     manifest holding a bundle
   * @param dockerReference the name a legacy payload vouches for; null for bundles
   */
  public record SignatureResult(
      SignFormat format, Digest payload, String dockerReference, boolean ok, String reason) {}

  /**
   * The signatures of one target.
   *
   * @param required which formats must hold a valid signature ({@link SignFormat#ANY}: either)
   * @param problems why a format has no signature to check (no {@code .sig} tag, no bundle, an
   *     unreadable manifest)
   */
  public record TargetResult(
      Target target, SignFormat required, List<String> problems, List<SignatureResult> signatures) {
    public TargetResult {
      problems = List.copyOf(problems);
      signatures = List.copyOf(signatures);
    }

    /**
     * cosign's rule, per required format: at least one signature is valid for the key and this
     * digest.
     */
    public boolean ok() {
      return switch (required) {
        case LEGACY, BUNDLE, ANY -> signatures.stream().anyMatch(SignatureResult::ok);
        case BOTH -> valid(SignFormat.LEGACY) && valid(SignFormat.BUNDLE);
      };
    }

    private boolean valid(SignFormat format) {
      return signatures.stream().anyMatch(s -> s.ok() && s.format() == format);
    }

    /** Why this target is not accepted, or null if it is. */
    public String reason() {
      if (ok()) {
        return null;
      }
      if (signatures.isEmpty()) {
        return "no signatures: " + String.join(", and ", problems);
      }
      List<String> reasons = new ArrayList<>();
      if (required == SignFormat.BOTH) {
        for (SignFormat f : List.of(SignFormat.LEGACY, SignFormat.BUNDLE)) {
          if (!valid(f)) {
            reasons.add(
                "no valid " + (f == SignFormat.LEGACY ? "legacy (.sig)" : "bundle") + " signature");
          }
        }
      }
      reasons.addAll(problems);
      for (SignatureResult s : signatures) {
        if (!s.ok() && !reasons.contains(s.reason())) {
          reasons.add(s.reason());
        }
      }
      return (required == SignFormat.BOTH ? "" : "no valid signature: ")
          + String.join("; ", reasons);
    }
  }

  /** What {@link #verify} found: one result per target, the top document first. */
  public record Report(List<TargetResult> targets) {
    public Report {
      targets = List.copyOf(targets);
    }

    /** Whether every target has a valid signature. */
    public boolean ok() {
      return targets.stream().allMatch(TargetResult::ok);
    }
  }

  /**
   * The manifest or index at {@code reference} (tag or digest).
   *
   * @throws SlimbuildException when it is not there
   */
  public RawManifest resolve(String reference) throws IOException {
    try {
      return registry.getManifest(repository, reference);
    } catch (RegistryException e) {
      if (e.status() == 404) {
        throw new SlimbuildException(
            "no image "
                + registry.host()
                + "/"
                + repository
                + (reference.contains(":") ? "@" : ":")
                + reference
                + " in the registry");
      }
      throw e;
    }
  }

  /** The digests to sign or check for {@code top}: itself, then each manifest an index lists. */
  public static List<Target> targets(RawManifest top) {
    List<Target> out = new ArrayList<>();
    out.add(new Target(top.digest(), top.mediaType(), null, top.bytes().length));
    if (MediaType.isIndex(top.mediaType())) {
      Index index;
      try {
        index = Index.parse(top.bytes());
      } catch (OciFormatException e) {
        throw new SlimbuildException("image index " + top.digest() + ": " + e.getMessage());
      }
      for (Descriptor d : index.manifests()) {
        if (AttestationManifest.ATTESTATION_MANIFEST.equals(
            d.annotations().get(AttestationManifest.REFERENCE_TYPE))) {
          continue; // attestations are signed as DSSE envelopes (.att), as cosign attest does
        }
        if (out.stream().noneMatch(t -> t.digest().equals(d.digest()))) {
          out.add(new Target(d.digest(), d.mediaType(), d.platform(), d.size()));
        }
      }
    }
    return out;
  }

  /**
   * Signs {@code top} and, for an index, each manifest it lists, with {@code .sig} tags; one result
   * per target.
   */
  public List<CosignSignatures.SignResult> sign(RawManifest top, PrivateKey key)
      throws IOException {
    String identity = CosignSignatures.dockerReference(registry.host(), repository);
    List<CosignSignatures.SignResult> results = new ArrayList<>();
    for (Target t : targets(top)) {
      results.add(signatures.sign(t.digest(), identity, key));
    }
    return results;
  }

  /**
   * Signs {@code top} and, for an index, each manifest it lists, with sigstore bundle referrers;
   * one result per target.
   */
  List<BundleSignatures.SignResult> signBundles(RawManifest top, PrivateKey key)
      throws IOException {
    List<BundleSignatures.SignResult> results = new ArrayList<>();
    for (Target t : targets(top)) {
      results.add(bundles.sign(t.descriptor(), key));
    }
    return results;
  }

  /** {@link #verify(RawManifest, PublicKey, SignFormat)} accepting either format. */
  public Report verify(RawManifest top, PublicKey key) throws IOException {
    return verify(top, key, SignFormat.ANY);
  }

  /**
   * Checks every signature of {@code top} and of each manifest an index lists, in the formats
   * {@code required} names: a legacy signature verifies with {@code key} over its payload, and the
   * payload claims exactly that digest; a bundle's envelope verifies with {@code key} and its
   * statement names exactly that digest.
   */
  public Report verify(RawManifest top, PublicKey key, SignFormat required) throws IOException {
    List<TargetResult> results = new ArrayList<>();
    for (Target t : targets(top)) {
      List<String> problems = new ArrayList<>();
      List<SignatureResult> found = new ArrayList<>();
      if (required.legacy()) {
        verifyLegacy(t, key, problems, found);
      }
      if (required.bundle()) {
        verifyBundles(t, key, problems, found);
      }
      results.add(new TargetResult(t, required, problems, found));
    }
    return new Report(results);
  }

  private void verifyLegacy(
      Target t, PublicKey key, List<String> problems, List<SignatureResult> out)
      throws IOException {
    Manifest sig;
    try {
      var found = signatures.signatureManifest(t.digest());
      if (found.isEmpty()) {
        problems.add("the registry has no tag " + CosignSignatures.tag(t.digest()));
        return;
      }
      sig = found.get();
    } catch (CosignSignatures.SignatureFormatException e) {
      problems.add(e.getMessage());
      return;
    }
    for (Descriptor layer : sig.layers()) {
      out.add(check(t.digest(), layer, key));
    }
  }

  private void verifyBundles(
      Target t, PublicKey key, List<String> problems, List<SignatureResult> out)
      throws IOException {
    List<BundleSignatures.Check> checks;
    try {
      checks = bundles.verify(t.digest(), key);
    } catch (CosignSignatures.SignatureFormatException e) {
      problems.add(e.getMessage());
      return;
    }
    if (checks.isEmpty()) {
      problems.add(
          "no sigstore bundle signature among its referrers (tag "
              + Referrers.fallbackTag(t.digest())
              + ")");
    }
    for (BundleSignatures.Check c : checks) {
      out.add(new SignatureResult(SignFormat.BUNDLE, c.referrer(), null, c.ok(), c.reason()));
    }
  }

  private SignatureResult check(Digest image, Descriptor layer, PublicKey key) throws IOException {
    if (!SimpleSigning.MEDIA_TYPE.equals(layer.mediaType())) {
      return new SignatureResult(
          SignFormat.LEGACY,
          layer.digest(),
          null,
          false,
          "layer of type " + layer.mediaType() + " is not a simple-signing payload");
    }
    String signature = layer.annotations().get(CosignSignatures.SIGNATURE_ANNOTATION);
    if (signature == null) {
      return new SignatureResult(
          SignFormat.LEGACY,
          layer.digest(),
          null,
          false,
          "layer has no " + CosignSignatures.SIGNATURE_ANNOTATION + " annotation");
    }
    byte[] payload;
    try {
      payload = signatures.payload(layer);
    } catch (CosignSignatures.SignatureFormatException e) {
      return new SignatureResult(SignFormat.LEGACY, layer.digest(), null, false, e.getMessage());
    } catch (RegistryException e) {
      if (e.status() != 404) {
        throw e;
      }
      return new SignatureResult(
          SignFormat.LEGACY,
          layer.digest(),
          null,
          false,
          "the registry has no payload blob " + layer.digest());
    }
    String reference = null;
    try {
      reference = SimpleSigning.parse(payload).dockerReference();
    } catch (RuntimeException e) {
      // SignatureCheck reports the payload error below
    }
    SignatureCheck.Result r = SignatureCheck.check(key, payload, signature, image.toString());
    return new SignatureResult(SignFormat.LEGACY, layer.digest(), reference, r.ok(), r.reason());
  }
}
