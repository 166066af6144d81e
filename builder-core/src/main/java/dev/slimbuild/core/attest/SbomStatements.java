package dev.slimbuild.core.attest;

import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.build.Builder;
import dev.slimbuild.core.cache.BuildCache;
import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.Dirs;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.pull.ResolvedImage;
import dev.slimbuild.core.sbom.Sbom;
import dev.slimbuild.core.sbom.SbomInput;
import dev.slimbuild.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes each platform's SBOM statement from its layers (the base's too: a base layer that stayed in
 * its registry is downloaded into the blob cache once), and keeps the statement under {@code
 * STORE/cache/attest}: it is a function of the image manifest (which names every layer by digest),
 * the names, the format, the time and slimbuild's version, so an unchanged rebuild reads no layer
 * for it. A rebuild on another machine finds it in the {@code --cache-from} cache, which carries
 * each statement's blob ({@link BuildCache#statement}), and reads that blob only.
 */
public final class SbomStatements {
  private SbomStatements() {}

  /** A cached statement larger than this is not read (an SBOM of a large image is ~1 MB). */
  private static final long MAX_STATEMENT = 256L * 1024 * 1024;

  /** The maker for {@code result}'s images. */
  public static BuildAttestations.SbomMaker of(
      BuildResult result,
      Builder builder,
      BlobStore blobs,
      Path cacheDir,
      long epoch,
      boolean cyclonedx) {
    return (image, names) -> {
      String type = cyclonedx ? Sbom.CYCLONEDX_PREDICATE_TYPE : Sbom.SPDX_PREDICATE_TYPE;
      Digest key =
          Digest.sha256Of(
              String.join(
                  "\0",
                  image.manifest().digest().toString(),
                  String.join(",", Statement.repositories(names)),
                  type,
                  Long.toString(epoch),
                  BuildAttestations.version()));
      Path cached = cacheDir.resolve(key.hex() + ".json");
      Statement s = null;
      if (Files.isRegularFile(cached)) {
        s = new Statement(type, Files.readAllBytes(cached));
      } else {
        s = imported(result, builder, blobs, key, type);
      }
      if (s == null) {
        Sbom sbom = Sbom.generate(input(result, builder, blobs, image, epoch, names));
        byte[] doc = cyclonedx ? sbom.toCycloneDxJson() : sbom.toSpdxJson();
        s = Statement.of(type, Json.parse(doc), image.manifest().digest(), image.platform(), names);
      }
      if (!Files.isRegularFile(cached)) {
        Files.createDirectories(cacheDir);
        Dirs.writeAtomically(cached, s.bytes());
      }
      // for --cache-to: the attestation manifest's layer, which Attestor writes into the store
      result
          .cache()
          .putStatement(
              key,
              Descriptor.of(
                  AttestationManifest.IN_TOTO, Digest.sha256Of(s.bytes()), s.bytes().length));
      return s;
    };
  }

  /** The statement {@code key} from a --cache-from cache; null (a miss, said once) if none. */
  private static Statement imported(
      BuildResult result, Builder builder, BlobStore blobs, Digest key, String type) {
    BuildCache cache = result.cache();
    Optional<BuildCache.Hit<Layer>> hit = cache.statement(key);
    if (hit.isEmpty()) {
      return null;
    }
    Descriptor d = hit.get().record().descriptor();
    try (InputStream in =
        blobs.has(d.digest())
            ? blobs.open(d.digest())
            : builder.openBaseLayer(result, d.digest())) {
      byte[] bytes = in.readNBytes((int) Math.min(d.size() + 1, MAX_STATEMENT));
      if (bytes.length != d.size() || !Digest.sha256Of(bytes).equals(d.digest())) {
        throw new IOException("its bytes do not match its descriptor");
      }
      Statement s = new Statement(type, bytes);
      Json.parse(bytes); // a statement that is not JSON is not used
      return s;
    } catch (IOException | RuntimeException e) {
      cache.reject(d.digest(), e.getMessage());
      return null;
    }
  }

  private static SbomInput input(
      BuildResult result,
      Builder builder,
      BlobStore blobs,
      BuiltImage image,
      long epoch,
      List<ImageReference> names) {
    List<SbomInput.Layer> layers = new ArrayList<>();
    for (Descriptor d : image.layers()) {
      Digest digest = d.digest();
      layers.add(
          new SbomInput.Layer(
              digest,
              () ->
                  blobs.has(digest) ? blobs.open(digest) : builder.openBaseLayer(result, digest)));
    }
    // the base's layers: the longest base image whose layers start the image's (a layer served
    // by a registry cache is remote like a base layer, but the build made it)
    int base = 0;
    for (ResolvedImage b : result.bases()) {
      List<Descriptor> bl = b.layers();
      if (bl.size() > base && bl.size() <= image.layers().size()) {
        boolean prefix = true;
        for (int i = 0; i < bl.size() && prefix; i++) {
          prefix = bl.get(i).digest().equals(image.layers().get(i).digest());
        }
        if (prefix) {
          base = bl.size();
        }
      }
    }
    List<String> repositories = Statement.repositories(names);
    String name = repositories.isEmpty() ? "" : repositories.get(0);
    return new SbomInput(name, image.platform(), layers, base, epoch, image.manifest().digest());
  }
}
