package dev.slimbuild.core.attest;

import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attaches statements to a built image: for each platform one attestation manifest (its layers the
 * statements, uncompressed, each annotated with its predicate type; its config an image config of
 * platform unknown/unknown, as BuildKit writes it), and an index listing the images and then the
 * attestation manifests. Blobs go into the store; nothing is pushed here.
 */
public final class Attestor {
  private Attestor() {}

  /** Makes the statements of one platform's image. */
  @FunctionalInterface
  public interface Statements {
    List<Statement> of(BuiltImage image) throws IOException;
  }

  /** {@code image} with each platform's statements attached (itself if there are none). */
  public static ImageOutput attach(BlobStore store, ImageOutput image, Statements statements)
      throws IOException {
    List<AttestationManifest> manifests = new ArrayList<>();
    for (BuiltImage i : image.images()) {
      List<Statement> made = statements.of(i);
      if (!made.isEmpty()) {
        manifests.add(manifest(store, i, made));
      }
    }
    return manifests.isEmpty() ? image : ImageIndex.withAttestations(store, image, manifests);
  }

  private static AttestationManifest manifest(
      BlobStore store, BuiltImage image, List<Statement> statements) throws IOException {
    List<Descriptor> layers = new ArrayList<>();
    StringBuilder diffIds = new StringBuilder();
    for (Statement s : statements) {
      Digest d = store.putBytes(s.bytes());
      layers.add(
          Descriptor.of(AttestationManifest.IN_TOTO, d, s.bytes().length)
              .withAnnotations(Map.of(AttestationManifest.PREDICATE_TYPE, s.predicateType())));
      diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(d).append('"');
    }
    byte[] config =
        ("{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds
                + "]}}")
            .getBytes(StandardCharsets.UTF_8);
    Descriptor configDesc =
        Descriptor.of(MediaType.OCI_CONFIG, store.putBytes(config), config.length);
    Descriptor subject = image.descriptor().withPlatform(null);
    Manifest m =
        new Manifest(
            2,
            MediaType.OCI_MANIFEST,
            AttestationManifest.ARTIFACT_TYPE,
            configDesc,
            layers,
            subject,
            Map.of());
    RawJson<Manifest> raw = RawJson.of(m);
    store.putBytes(raw.bytes());
    return new AttestationManifest(raw, image.manifest().digest());
  }
}
