package dev.slimbuild.core.pull;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.oci.RawJson;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds one platform's image behind a reference: follows an OCI index or Docker manifest list to
 * the platform's manifest, then fetches its config. Every document is checked against what points
 * to it (the reference's digest, the index entry, the manifest's config descriptor). User-facing
 * problems (no such image, no such platform, unsupported formats) are {@link SlimbuildException}s
 * naming the reference; transport failures stay {@link IOException}s.
 */
public final class ImageResolver {
  /** Manifests and configs are small JSON documents; anything larger is refused. */
  static final long MAX_DOCUMENT = BlobStore.MAX_DOCUMENT;

  /** Where the documents come from: a registry, or the blobs of an OCI image layout. */
  private interface Documents {
    RawManifest manifest(String repository, String reference) throws IOException;

    InputStream blob(String repository, Digest digest) throws IOException;
  }

  private final Documents documents;

  ImageResolver(Registry registry) {
    Objects.requireNonNull(registry, "registry");
    this.documents =
        new Documents() {
          @Override
          public RawManifest manifest(String repository, String reference) throws IOException {
            return registry.getManifest(repository, reference);
          }

          @Override
          public InputStream blob(String repository, Digest digest) throws IOException {
            return registry.getBlob(repository, digest);
          }
        };
  }

  /**
   * A resolver that keeps what it reads in {@code cache}: a document named by digest (a platform
   * manifest, a config) is read from there when it is there; a tag costs a HEAD, and the GET only
   * when the cache lacks the digest the registry names. An unchanged base then costs one request.
   */
  public static ImageResolver caching(Registry registry, BlobStore cache) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(cache, "cache");
    return new ImageResolver(
        new Documents() {
          @Override
          public RawManifest manifest(String repository, String reference) throws IOException {
            Digest digest = null;
            String served = "";
            if (reference.contains(":")) {
              digest = Digest.parse(reference);
            } else {
              Optional<Descriptor> head;
              try {
                head = registry.headManifest(repository, reference);
              } catch (RegistryException e) {
                head = Optional.empty(); // the GET below says what is wrong, if anything is
              }
              if (head.isPresent()) {
                digest = head.get().digest();
                served = head.get().mediaType();
              }
            }
            if (digest != null && cache.has(digest)) {
              byte[] b = cached(digest);
              if (b != null) {
                return new RawManifest(b, served, digest);
              }
            }
            RawManifest m = registry.getManifest(repository, reference);
            if (m.bytes().length <= MAX_DOCUMENT) {
              cache.putBytes(m.bytes()); // stored under its own digest, whatever the registry said
            }
            return m;
          }

          @Override
          public InputStream blob(String repository, Digest digest) throws IOException {
            byte[] b = cache.has(digest) ? cached(digest) : null;
            if (b == null) {
              try (InputStream in = registry.getBlob(repository, digest)) {
                b = in.readNBytes((int) MAX_DOCUMENT + 1);
              }
              if (b.length <= MAX_DOCUMENT) {
                cache.putBytes(b);
              }
            }
            return new ByteArrayInputStream(b);
          }

          /** The cached document {@code digest}, verified; null if it is not what it should be. */
          private byte[] cached(Digest digest) throws IOException {
            byte[] b;
            try (InputStream in = cache.open(digest)) {
              b = in.readNBytes((int) MAX_DOCUMENT + 1);
            }
            return b.length <= MAX_DOCUMENT
                    && digest.isRegistered()
                    && Digest.of(digest.algorithm(), digest.newHasher().digest(b)).equals(digest)
                ? b
                : null;
          }
        });
  }

  private ImageResolver(Documents documents) {
    this.documents = documents;
  }

  /**
   * A resolver reading the blobs of the OCI image layout {@code layout} (its {@code blobs/}
   * directory); references must be digests: a layout's tags are in its {@code index.json}, which
   * the caller reads.
   */
  public static ImageResolver inLayout(BlobStore layout) {
    return new ImageResolver(
        new Documents() {
          @Override
          public RawManifest manifest(String repository, String reference) throws IOException {
            Digest d = Digest.parse(reference);
            // the media type is the document's own (a layout has no Content-Type)
            return new RawManifest(readAll(blob(repository, d)), "", d);
          }

          @Override
          public InputStream blob(String repository, Digest digest) throws IOException {
            if (!layout.has(digest)) {
              throw new SlimbuildException(
                  "blob " + digest + " is missing from the OCI layout " + layout.root());
            }
            return layout.open(digest);
          }

          private byte[] readAll(InputStream in) throws IOException {
            try (in) {
              byte[] b = in.readNBytes((int) MAX_DOCUMENT + 1);
              if (b.length > MAX_DOCUMENT) {
                throw new SlimbuildException(
                    "a document in the OCI layout "
                        + layout.root()
                        + " is larger than "
                        + MAX_DOCUMENT
                        + " bytes");
              }
              return b;
            }
          }
        });
  }

  /** The image {@code ref} names for {@code platform}. */
  public ResolvedImage resolve(ImageReference ref, Platform platform) throws IOException {
    String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
    RawManifest top;
    try {
      top = documents.manifest(ref.repository(), reference);
    } catch (RegistryException e) {
      if (e.status() == 404) {
        throw new SlimbuildException(ref + ": image not found (" + e.getMessage() + ")", e);
      }
      throw e;
    }
    byte[] bytes = top.bytes();
    check(bytes.length <= MAX_DOCUMENT, ref, "the manifest is larger than " + MAX_DOCUMENT);
    if (ref.digest() != null) {
      Digest actual = Digest.sha256Of(bytes);
      check(
          actual.equals(ref.digest()),
          ref,
          "the registry sent a manifest with digest " + actual + " for " + ref.digest());
    }
    String type = mediaType(top.mediaType(), bytes, ref);
    if (MediaType.isIndex(type)) {
      Index index = parse(bytes, Index::parse, ref, "index").value();
      Descriptor chosen = select(index, platform, ref);
      RawManifest m = documents.manifest(ref.repository(), chosen.digest().toString());
      byte[] mb = m.bytes();
      verify(mb, chosen, ref, "manifest for " + platform);
      String mt = mediaType(m.mediaType(), mb, ref);
      check(
          MediaType.isManifest(mt),
          ref,
          "the index entry for " + platform + " is a " + mt + ", not an image manifest");
      return image(ref, mb, mt, platform, true);
    }
    return image(ref, bytes, type, platform, false);
  }

  private ResolvedImage image(
      ImageReference ref, byte[] bytes, String type, Platform platform, boolean fromIndex)
      throws IOException {
    RawJson<Manifest> manifest = parse(bytes, Manifest::parse, ref, "manifest");
    Descriptor configDesc = manifest.value().config();
    String ct = configDesc.mediaType();
    check(
        ct.equals(MediaType.OCI_CONFIG) || ct.equals(MediaType.DOCKER_CONFIG),
        ref,
        "config media type " + ct + " is not an image config (is this an artifact?)");
    for (Descriptor l : manifest.value().layers()) {
      check(
          MediaType.isLayer(l.mediaType()),
          ref,
          "layer "
              + l.digest()
              + " has media type "
              + l.mediaType()
              + ", which slimbuild cannot unpack");
    }
    byte[] cb = readBlob(ref, configDesc, "config");
    RawJson<ImageConfig> config = parse(cb, ImageConfig::parse, ref, "config");
    check(
        config.value().diffIds().size() == manifest.value().layers().size(),
        ref,
        "the config lists "
            + config.value().diffIds().size()
            + " diff_ids for "
            + manifest.value().layers().size()
            + " layers");
    Platform has = config.value().platform();
    if (!fromIndex && !has.matches(platform)) {
      throw new SlimbuildException(
          ref + ": no image for platform " + platform + "; the image is " + has + " only");
    }
    return new ResolvedImage(ref, manifest, type, config);
  }

  /** The index entry for {@code platform}: exact variant first, then a normalised match. */
  static Descriptor select(Index index, Platform platform, ImageReference ref) {
    List<Descriptor> candidates = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (d.platform() != null
          && MediaType.isManifest(d.mediaType())
          && d.platform().matches(platform)) {
        candidates.add(d);
      }
    }
    for (Descriptor d : candidates) {
      if (Objects.equals(d.platform().variant(), platform.variant())) {
        return d;
      }
    }
    if (!candidates.isEmpty()) {
      return candidates.get(0);
    }
    String has =
        index.manifests().stream()
            .filter(d -> d.platform() != null && MediaType.isManifest(d.mediaType()))
            .map(d -> d.platform().toString())
            .filter(p -> !p.equals("unknown/unknown")) // attestation manifests
            .distinct()
            .collect(Collectors.joining(", "));
    throw new SlimbuildException(
        ref
            + ": no image for platform "
            + platform
            + "; the image has "
            + (has.isEmpty() ? "no platforms listed" : has));
  }

  private byte[] readBlob(ImageReference ref, Descriptor d, String what) throws IOException {
    check(d.size() <= MAX_DOCUMENT, ref, "the " + what + " is larger than " + MAX_DOCUMENT);
    byte[] bytes;
    try (InputStream in = documents.blob(ref.repository(), d.digest())) {
      bytes = in.readNBytes((int) d.size() + 1);
    }
    verify(bytes, d, ref, what);
    return bytes;
  }

  private static void verify(byte[] bytes, Descriptor d, ImageReference ref, String what) {
    check(
        d.digest().isRegistered(),
        ref,
        "the "
            + what
            + " has digest algorithm "
            + d.digest().algorithm()
            + ", which cannot be verified");
    // hashed with the descriptor's own algorithm (sha256 or sha512), once
    Digest actual = Digest.of(d.digest().algorithm(), d.digest().newHasher().digest(bytes));
    check(
        actual.equals(d.digest()),
        ref,
        "digest mismatch for the " + what + ": expected " + d.digest() + ", got " + actual);
    check(
        bytes.length == d.size(),
        ref,
        "the " + what + " is " + bytes.length + " bytes, its descriptor says " + d.size());
  }

  /** The document's media type: the registry's, else its own mediaType member, else sniffed. */
  private static String mediaType(String served, byte[] bytes, ImageReference ref) {
    if (MediaType.isIndex(served) || MediaType.isManifest(served)) {
      return served;
    }
    JsonObject o;
    try {
      JsonValue v = Json.parse(bytes);
      check(v instanceof JsonObject, ref, "the manifest is not a JSON object");
      o = (JsonObject) v;
    } catch (JsonParseException e) {
      throw new SlimbuildException(ref + ": the manifest is not valid JSON: " + e.getMessage());
    }
    if (o.get("schemaVersion").map(JsonValue::toString).orElse("").equals("1")) {
      throw new SlimbuildException(
          ref
              + ": Docker schema 1 manifests are not supported; push the image again with a"
              + " current client");
    }
    if (o.get("mediaType").orElse(null) instanceof JsonString s
        && (MediaType.isIndex(s.value()) || MediaType.isManifest(s.value()))) {
      return s.value();
    }
    if (o.has("manifests")) {
      return MediaType.OCI_INDEX;
    }
    if (o.has("config") && o.has("layers")) {
      return MediaType.OCI_MANIFEST;
    }
    throw new SlimbuildException(
        ref
            + ": unsupported manifest type "
            + (served == null || served.isEmpty() ? "(none)" : served));
  }

  private static <T> RawJson<T> parse(
      byte[] bytes, Function<byte[], T> parser, ImageReference ref, String what) {
    try {
      return RawJson.parse(bytes, parser);
    } catch (OciFormatException | IllegalArgumentException e) {
      throw new SlimbuildException(ref + ": invalid " + what + ": " + e.getMessage());
    }
  }

  private static void check(boolean ok, ImageReference ref, String message) {
    if (!ok) {
      throw new SlimbuildException(ref + ": " + message);
    }
  }
}
