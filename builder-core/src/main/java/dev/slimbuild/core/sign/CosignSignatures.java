package dev.slimbuild.core.sign;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import dev.slimbuild.json.Json;
import dev.slimbuild.signing.CosignKeys;
import dev.slimbuild.signing.Signer;
import dev.slimbuild.signing.SimpleSigning;
import dev.slimbuild.signing.Verifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * cosign's tag-based signatures of the manifests in one repository: the signatures of manifest
 * {@code sha256:HEX} are the layers of the OCI image manifest tagged {@code sha256-HEX.sig}, one
 * simple-signing payload per layer with its signature in the layer's annotation. Signing appends a
 * layer and never drops earlier ones; the same key signing the same digest again adds nothing.
 */
public final class CosignSignatures {
  /** The layer annotation holding the base64 signature of the layer's payload. */
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

  /** Payloads are a few hundred bytes; anything far larger is refused unread. */
  static final long MAX_PAYLOAD = 1 << 20;

  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private final Registry registry;
  private final String repository;

  /** The signatures kept in {@code repository} of {@code registry}. */
  CosignSignatures(Registry registry, String repository) {
    this.registry = registry;
    this.repository = repository;
  }

  /** What {@link #sign} did. */
  public enum Outcome {
    /** A new signature layer was appended (or the first one written). */
    ADDED,
    /** A signature by the same key over the same payload was there already; nothing changed. */
    ALREADY_SIGNED
  }

  /**
   * The result of signing one digest.
   *
   * @param signatures how many signature layers the {@code .sig} manifest holds now
   */
  record SignResult(Digest image, Outcome outcome, int signatures) {}

  /** The tag of the signatures of {@code image}: {@code sha256-HEX.sig}. */
  public static String tag(Digest image) {
    return image.algorithm() + "-" + image.hex() + ".sig";
  }

  /**
   * The name a payload vouches for, as cosign writes it: {@code host[:port]/repository}, no tag or
   * digest.
   */
  public static String dockerReference(String host, String repository) {
    return host + "/" + repository;
  }

  /** The {@code .sig} manifest of {@code image}, or empty if there is no such tag. */
  Optional<Manifest> signatureManifest(Digest image) throws IOException {
    RawManifest raw;
    try {
      raw = registry.getManifest(repository, tag(image));
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
    if (!MediaType.isManifest(raw.mediaType())) {
      throw new SignatureFormatException(
          where(image) + " is a " + raw.mediaType() + ", not an image manifest");
    }
    try {
      return Optional.of(Manifest.parse(raw.bytes()));
    } catch (OciFormatException e) {
      throw new SignatureFormatException(
          where(image) + " is not a valid manifest: " + e.getMessage());
    }
  }

  /**
   * The payload a signature layer points at, read whole (it is small: at most {@link #MAX_PAYLOAD}
   * bytes) and checked against the layer's digest and size.
   */
  public byte[] payload(Descriptor layer) throws IOException {
    if (layer.size() > MAX_PAYLOAD) {
      throw new SignatureFormatException(
          "signature payload " + layer.digest() + " is " + layer.size() + " bytes, too large");
    }
    if (!layer.digest().isRegistered()) {
      throw new SignatureFormatException(
          "signature payload " + layer.digest() + ": unknown digest algorithm");
    }
    MessageDigest hasher = layer.digest().newHasher();
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) layer.size());
    try (InputStream in = registry.getBlob(repository, layer.digest())) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > layer.size()) {
          throw new SignatureFormatException(
              "signature payload " + layer.digest() + " is longer than its size " + layer.size());
        }
        hasher.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    Digest actual = Digest.of(layer.digest().algorithm(), hasher.digest());
    if (out.size() != layer.size() || !actual.equals(layer.digest())) {
      throw new SignatureFormatException(
          "signature payload "
              + layer.digest()
              + " does not match its content ("
              + actual
              + ", "
              + out.size()
              + " bytes)");
    }
    return out.toByteArray();
  }

  /**
   * Signs {@code image} under {@code dockerReference}: appends a signature layer to its {@code
   * .sig} manifest (creating it if needed), unless a layer holds the same payload with a signature
   * that verifies with this key. Pushes the payload, the config and then the manifest.
   */
  public SignResult sign(Digest image, String dockerReference, PrivateKey key) throws IOException {
    byte[] payload = SimpleSigning.payload(dockerReference, image.toString());
    Digest payloadDigest = Digest.sha256Of(payload);
    List<Descriptor> layers = new ArrayList<>();
    Optional<Manifest> existing = signatureManifest(image);
    if (existing.isPresent()) {
      layers.addAll(existing.get().layers());
      PublicKey ours = CosignKeys.publicKeyOf(key);
      for (Descriptor l : layers) {
        if (l.digest().equals(payloadDigest)
            && Verifier.verify(ours, payload, l.annotations().get(SIGNATURE_ANNOTATION))) {
          return new SignResult(image, Outcome.ALREADY_SIGNED, layers.size());
        }
      }
    }
    Descriptor layer =
        Descriptor.of(SimpleSigning.MEDIA_TYPE, payloadDigest, payload.length)
            .withAnnotations(Map.of(SIGNATURE_ANNOTATION, Signer.sign(key, payload)));
    layers.add(layer);

    registry.pushBlob(repository, layer, () -> new ByteArrayInputStream(payload), List.of());
    byte[] config = config(layers);
    Descriptor configDesc =
        Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256Of(config), config.length);
    registry.pushBlob(repository, configDesc, () -> new ByteArrayInputStream(config), List.of());
    byte[] manifest = Json.write(Manifest.oci(configDesc, layers).toJson());
    registry.putManifest(repository, tag(image), manifest, MediaType.OCI_MANIFEST);
    return new SignResult(image, Outcome.ADDED, layers.size());
  }

  /**
   * The config blob of a signature manifest as cosign writes it (an image config with empty
   * platform fields, the zero time, one history entry and one diff_id per layer; the payloads are
   * uncompressed, so each diff_id is the layer's digest).
   */
  static byte[] config(List<Descriptor> layers) {
    StringBuilder history = new StringBuilder();
    StringBuilder diffIds = new StringBuilder();
    for (Descriptor l : layers) {
      if (history.length() > 0) {
        history.append(',');
        diffIds.append(',');
      }
      history.append("{\"created\":\"" + ZERO_TIME + "\"}");
      diffIds.append(Json.quote(l.digest().toString()));
    }
    return ("{\"architecture\":\"\",\"created\":\""
            + ZERO_TIME
            + "\",\"history\":["
            + history
            + "],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
            + diffIds
            + "]},\"config\":{}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private String where(Digest image) {
    return registry.host() + "/" + repository + ":" + tag(image);
  }

  /** A {@code .sig} tag holds something that is not a cosign signature manifest. */
  public static final class SignatureFormatException extends SlimbuildException {
    private static final long serialVersionUID = 1L;

    SignatureFormatException(String message) {
      super(message);
    }
  }
}
