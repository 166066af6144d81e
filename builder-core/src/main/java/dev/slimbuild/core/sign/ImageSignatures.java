package dev.slimbuild.core.sign;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
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
 * skopeo and podman check the platform manifest they pull.
 */
public final class ImageSignatures {
  private final Registry registry;
  private final String repository;
  private final CosignSignatures signatures;

  /** Signatures of images in {@code repository} of {@code registry}. */
  public ImageSignatures(Registry registry, String repository) {
    this.registry = registry;
    this.repository = repository;
    this.signatures = new CosignSignatures(registry, repository);
  }

  /**
   * One digest that is signed or checked.
   *
   * @param platform {@code os/arch[/variant]} of an index entry, or null for the top document
   */
  public record Target(Digest digest, String mediaType, String platform) {}

  /** The outcome of checking one signature layer. */
  public record SignatureResult(
      Digest payload, String dockerReference, boolean ok, String reason) {}

  /**
   * The signatures of one target.
   *
   * @param problem why no signature could be checked (no {@code .sig} tag, unreadable manifest),
   *     or null
   */
  public record TargetResult(Target target, String problem, List<SignatureResult> signatures) {
    public TargetResult {
      signatures = List.copyOf(signatures);
    }

    /** cosign's rule: at least one signature is valid for the key and this digest. */
    public boolean ok() {
      return signatures.stream().anyMatch(SignatureResult::ok);
    }

    /** Why this target is not accepted, or null if it is. */
    public String reason() {
      if (ok()) {
        return null;
      }
      if (problem != null) {
        return problem;
      }
      List<String> reasons = new ArrayList<>();
      for (SignatureResult s : signatures) {
        if (!reasons.contains(s.reason())) {
          reasons.add(s.reason());
        }
      }
      return "no valid signature: " + String.join("; ", reasons);
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
    } catch (dev.slimbuild.core.registry.RegistryException e) {
      if (e.status() == 404) {
        throw new SlimbuildException(
            "no image " + registry.host() + "/" + repository + (reference.contains(":") ? "@" : ":")
                + reference + " in the registry");
      }
      throw e;
    }
  }

  /** The digests to sign or check for {@code top}: itself, then each manifest an index lists. */
  public static List<Target> targets(RawManifest top) {
    List<Target> out = new ArrayList<>();
    out.add(new Target(top.digest(), top.mediaType(), null));
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
          out.add(new Target(d.digest(), d.mediaType(),
              d.platform() == null ? null : d.platform().toString()));
        }
      }
    }
    return out;
  }

  /** Signs {@code top} and, for an index, each manifest it lists; one result per target. */
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
   * Checks every signature of {@code top} and of each manifest an index lists: the signature
   * verifies with {@code key} over its payload, and the payload claims exactly that digest.
   */
  public Report verify(RawManifest top, PublicKey key) throws IOException {
    List<TargetResult> results = new ArrayList<>();
    for (Target t : targets(top)) {
      results.add(verify(t, key));
    }
    return new Report(results);
  }

  private TargetResult verify(Target t, PublicKey key) throws IOException {
    Manifest sig;
    try {
      var found = signatures.signatureManifest(t.digest());
      if (found.isEmpty()) {
        return new TargetResult(t, "no signatures: the registry has no tag "
            + CosignSignatures.tag(t.digest()), List.of());
      }
      sig = found.get();
    } catch (CosignSignatures.SignatureFormatException e) {
      return new TargetResult(t, e.getMessage(), List.of());
    }
    List<SignatureResult> out = new ArrayList<>();
    for (Descriptor layer : sig.layers()) {
      out.add(check(t.digest(), layer, key));
    }
    return new TargetResult(t, null, out);
  }

  private SignatureResult check(Digest image, Descriptor layer, PublicKey key)
      throws IOException {
    if (!SimpleSigning.MEDIA_TYPE.equals(layer.mediaType())) {
      return new SignatureResult(layer.digest(), null, false,
          "layer of type " + layer.mediaType() + " is not a simple-signing payload");
    }
    String signature = layer.annotations().get(CosignSignatures.SIGNATURE_ANNOTATION);
    if (signature == null) {
      return new SignatureResult(layer.digest(), null, false,
          "layer has no " + CosignSignatures.SIGNATURE_ANNOTATION + " annotation");
    }
    byte[] payload;
    try {
      payload = signatures.payload(layer);
    } catch (CosignSignatures.SignatureFormatException e) {
      return new SignatureResult(layer.digest(), null, false, e.getMessage());
    } catch (dev.slimbuild.core.registry.RegistryException e) {
      if (e.status() != 404) {
        throw e;
      }
      return new SignatureResult(layer.digest(), null, false,
          "the registry has no payload blob " + layer.digest());
    }
    String reference = null;
    try {
      reference = SimpleSigning.parse(payload).dockerReference();
    } catch (RuntimeException e) {
      // SignatureCheck reports the payload error below
    }
    SignatureCheck.Result r = SignatureCheck.check(key, payload, signature, image.toString());
    return new SignatureResult(layer.digest(), reference, r.ok(), r.reason());
  }
}
