package dev.slimbuild.core.sign;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.push.Referrers;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import dev.slimbuild.signing.CosignKeys;
import dev.slimbuild.signing.Dsse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Signatures as sigstore bundles attached as OCI 1.1 referrers, the format cosign writes with
 * {@code sign --new-bundle-format} (its default from cosign 3) and checks with {@code verify
 * --new-bundle-format}. The signature of manifest {@code sha256:HEX} is an in-toto statement naming
 * that digest with the predicate type {@value #SIGN_PREDICATE}, in a DSSE envelope signed with the
 * key, in a bundle v0.3; the bundle is the single layer of an OCI image manifest whose {@code
 * subject} is the signed manifest, {@code artifactType} the bundle's media type and config the
 * empty descriptor, listed in the {@code sha256-HEX} fallback index for registries without the
 * referrers API. Signing again with a key that already signed the digest adds nothing; signatures
 * are deterministic (RFC 6979), so the same key over the same digest writes the same referrer.
 */
final class BundleSignatures {
  /** The media type of the bundle layer and the referrer's artifactType. */
  public static final String MEDIA_TYPE = SigstoreBundle.MEDIA_TYPE;

  /** The predicate type of cosign's image signatures in statement form. */
  public static final String SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  /** The manifest annotation saying what the bundle holds. */
  static final String CONTENT_ANNOTATION = "dev.sigstore.bundle.content";

  /** The manifest annotation naming the statement's predicate type. */
  static final String PREDICATE_ANNOTATION = "dev.sigstore.bundle.predicateType";

  private static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";
  private static final String STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";
  private static final String BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle";
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final Registry registry;
  private final String repository;

  /** The bundle signatures kept in {@code repository} of {@code registry}. */
  BundleSignatures(Registry registry, String repository) {
    this.registry = registry;
    this.repository = repository;
  }

  /**
   * The result of signing one digest.
   *
   * @param referrer the referrer manifest holding the bundle (the new one, or the one that was
   *     there)
   */
  record SignResult(Digest image, CosignSignatures.Outcome outcome, Digest referrer) {}

  /**
   * One bundle signature of a digest, checked.
   *
   * @param referrer the referrer manifest that holds it
   */
  public record Check(Digest referrer, boolean ok, String reason) {}

  /**
   * The statement signed for {@code image}: an in-toto statement v1 whose only subject is that
   * digest, predicate type {@value #SIGN_PREDICATE}, an empty predicate (what cosign signs).
   */
  public static byte[] statement(Digest image) {
    JsonObject subject =
        JsonObject.builder()
            .put("digest", JsonObject.builder().put(image.algorithm(), image.hex()).build())
            .build();
    return Json.write(
        JsonObject.builder()
            .put("_type", STATEMENT_V1)
            .put("subject", new JsonArray(List.of(subject)))
            .put("predicateType", SIGN_PREDICATE)
            .put("predicate", JsonObject.empty())
            .build());
  }

  /**
   * Signs the manifest {@code subject} describes (media type, digest, size): attaches a bundle
   * referrer, unless a bundle signature by this key of that digest is there already (cosign's
   * included).
   */
  public SignResult sign(Descriptor subject, PrivateKey key) throws IOException {
    PublicKey ours = CosignKeys.publicKeyOf(key);
    for (Check c : verify(subject.digest(), ours)) {
      if (c.ok()) {
        return new SignResult(
            subject.digest(), CosignSignatures.Outcome.ALREADY_SIGNED, c.referrer());
      }
    }
    byte[] bundle =
        SigstoreBundle.sign(Dsse.IN_TOTO, statement(subject.digest()), key, ours).toBytes();
    Digest referrer = attach(subject, bundle, SIGN_PREDICATE);
    return new SignResult(subject.digest(), CosignSignatures.Outcome.ADDED, referrer);
  }

  /**
   * Pushes {@code bundle} as a referrer of {@code subject}: the empty config, the bundle, the
   * manifest by digest, then its entry in the fallback index. Returns the manifest's digest.
   */
  private Digest attach(Descriptor subject, byte[] bundle, String predicateType)
      throws IOException {
    Descriptor config = Descriptor.of(MediaType.OCI_EMPTY, Digest.sha256Of(EMPTY), EMPTY.length);
    registry.pushBlob(repository, config, () -> new ByteArrayInputStream(EMPTY), List.of());
    Descriptor layer = Descriptor.of(MEDIA_TYPE, Digest.sha256Of(bundle), bundle.length);
    registry.pushBlob(repository, layer, () -> new ByteArrayInputStream(bundle), List.of());
    Map<String, String> annotations =
        Map.of(CONTENT_ANNOTATION, "dsse-envelope", PREDICATE_ANNOTATION, predicateType);
    Descriptor about = Descriptor.of(subject.mediaType(), subject.digest(), subject.size());
    Manifest manifest =
        new Manifest(
            2, MediaType.OCI_MANIFEST, MEDIA_TYPE, config, List.of(layer), about, annotations);
    byte[] bytes = Json.write(manifest.toJson());
    Digest digest = Digest.sha256Of(bytes);
    registry.putManifest(repository, digest.toString(), bytes, MediaType.OCI_MANIFEST);
    Referrers.add(
        registry,
        repository,
        subject.digest(),
        new Descriptor(
            MediaType.OCI_MANIFEST,
            digest,
            bytes.length,
            List.of(),
            annotations,
            null,
            null,
            MEDIA_TYPE));
    return digest;
  }

  /**
   * Checks every bundle signature among the referrers of {@code image}: the envelope verifies with
   * {@code key} and its statement names exactly that digest. Referrers that are not bundles, and
   * bundles of other predicate types (attestations), are not signatures and are left out.
   * Transparency-log entries and timestamps are not checked (there are none without a log).
   */
  public List<Check> verify(Digest image, PublicKey key) throws IOException {
    List<Check> out = new ArrayList<>();
    for (Descriptor d : Referrers.list(registry, repository, image)) {
      Check c = check(image, d, key);
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  /** The check of one listed referrer, or null when it is not a bundle signature. */
  private Check check(Digest image, Descriptor listed, PublicKey key) throws IOException {
    Digest referrer = listed.digest();
    Manifest manifest;
    try {
      manifest = Manifest.parse(registry.getManifest(repository, referrer.toString()).bytes());
    } catch (RegistryException e) {
      if (e.status() != 404) {
        throw e;
      }
      return MEDIA_TYPE.equals(listed.artifactType())
          ? new Check(referrer, false, "the registry has no referrer manifest " + referrer)
          : null;
    } catch (OciFormatException e) {
      return null; // not an image manifest: some other kind of referrer
    }
    if (manifest.layers().size() != 1
        || !manifest.layers().get(0).mediaType().startsWith(BUNDLE_PREFIX)) {
      return null;
    }
    Descriptor layer = manifest.layers().get(0);
    SigstoreBundle bundle;
    try {
      // read as small as a .sig payload, checked against its digest
      bundle = SigstoreBundle.parse(new CosignSignatures(registry, repository).payload(layer));
    } catch (CosignSignatures.SignatureFormatException e) {
      return new Check(referrer, false, e.getMessage());
    } catch (RegistryException e) {
      if (e.status() != 404) {
        throw e;
      }
      return new Check(referrer, false, "the registry has no bundle blob " + layer.digest());
    }
    if (!Dsse.IN_TOTO.equals(bundle.payloadType())) {
      return new Check(
          referrer,
          false,
          "the envelope holds " + bundle.payloadType() + ", not an in-toto statement");
    }
    Statement statement;
    try {
      statement = Statement.parse(bundle.payload());
    } catch (CosignSignatures.SignatureFormatException e) {
      return new Check(referrer, false, e.getMessage());
    }
    if (!SIGN_PREDICATE.equals(statement.predicateType())) {
      return null; // an attestation, not a signature
    }
    if (!bundle.verifies(key)) {
      return new Check(referrer, false, "signature does not verify with the given public key");
    }
    if (!statement.subjects().contains(image)) {
      return new Check(
          referrer,
          false,
          "signature is for "
              + String.join(", ", statement.subjects().stream().map(Digest::toString).toList())
              + ", not for the manifest "
              + image);
    }
    return new Check(referrer, true, "signature verified");
  }

  /** What an in-toto statement says: its predicate type and the digests of its subjects. */
  private record Statement(String predicateType, List<Digest> subjects) {
    static Statement parse(byte[] payload) {
      JsonValue root;
      try {
        root = Json.parse(payload);
      } catch (JsonParseException e) {
        throw invalid("not JSON: " + e.getMessage());
      }
      if (!(root instanceof JsonObject o)) {
        throw invalid("not an object");
      }
      String type = string(o, "_type");
      if (!STATEMENT_V1.equals(type) && !STATEMENT_V01.equals(type)) {
        throw invalid("_type " + type + " is not an in-toto statement");
      }
      if (!(o.get("subject").orElse(null) instanceof JsonArray subjects)) {
        throw invalid("no subject array");
      }
      List<Digest> digests = new ArrayList<>();
      for (JsonValue s : subjects.values()) {
        if (!(s instanceof JsonObject so)
            || !(so.get("digest").orElse(null) instanceof JsonObject digest)) {
          throw invalid("a subject without a digest object");
        }
        for (var e : digest.members().entrySet()) {
          if (e.getValue() instanceof JsonString hex) {
            try {
              digests.add(Digest.parse(e.getKey() + ":" + hex.value()));
            } catch (IllegalArgumentException ignored) {
              // not a well-formed digest: it names no manifest
            }
          }
        }
      }
      return new Statement(string(o, "predicateType"), digests);
    }

    private static String string(JsonObject o, String name) {
      if (!(o.get(name).orElse(null) instanceof JsonString s)) {
        throw invalid("no " + name + " string");
      }
      return s.value();
    }

    private static CosignSignatures.SignatureFormatException invalid(String why) {
      return new CosignSignatures.SignatureFormatException("the signed statement: " + why);
    }
  }
}
