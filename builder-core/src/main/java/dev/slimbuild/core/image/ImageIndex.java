package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.RawJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A multi-platform result: an OCI index (exact bytes, stored), its per-platform images and, after
 * them, the images' attestation manifests.
 */
public record ImageIndex(
    RawJson<Index> index, List<BuiltImage> images, List<AttestationManifest> attestations)
    implements ImageOutput {

  public ImageIndex {
    images = List.copyOf(images);
    attestations = List.copyOf(attestations);
    List<Descriptor> listed = index.value().manifests();
    if (listed.size() != images.size() + attestations.size()) {
      throw new IllegalArgumentException("index lists " + listed.size() + " manifests");
    }
    for (int i = 0; i < images.size(); i++) {
      if (!listed.get(i).digest().equals(images.get(i).manifest().digest())) {
        throw new IllegalArgumentException("index entry " + i + " is not image " + i);
      }
    }
    for (int i = 0; i < attestations.size(); i++) {
      if (!listed.get(images.size() + i).digest().equals(attestations.get(i).manifest().digest())) {
        throw new IllegalArgumentException(
            "index entry " + (images.size() + i) + " is not attestation " + i);
      }
    }
  }

  /** An index of images alone. */
  ImageIndex(RawJson<Index> index, List<BuiltImage> images) {
    this(index, images, List.of());
  }

  /**
   * {@code image} (one platform's or an index) with {@code attestations} listed after its images,
   * written into {@code store}; a single image becomes an index of one image, as BuildKit does.
   */
  public static ImageIndex withAttestations(
      BlobStore store, ImageOutput image, List<AttestationManifest> attestations)
      throws IOException {
    List<Descriptor> ds = new ArrayList<>();
    Map<String, String> annotations = Map.of();
    if (image instanceof ImageIndex idx) {
      ds.addAll(idx.index().value().manifests().subList(0, idx.images().size()));
      annotations = idx.index().value().annotations();
    } else {
      BuiltImage one = image.images().get(0);
      ds.add(one.descriptor().withPlatform(one.platform()));
    }
    for (AttestationManifest a : attestations) {
      ds.add(a.indexEntry());
    }
    Index idx = new Index(2, MediaType.OCI_INDEX, null, ds, null, annotations);
    RawJson<Index> raw = RawJson.of(idx);
    store.putBytes(raw.bytes());
    return new ImageIndex(raw, image.images(), attestations);
  }

  /**
   * Writes an OCI index of {@code images} (in the given order) into {@code store}; platforms must
   * be distinct.
   */
  public static ImageIndex assemble(
      BlobStore store, List<BuiltImage> images, Map<String, String> annotations)
      throws IOException {
    return assemble(store, images, annotations, Map.of());
  }

  /** As {@link #assemble(BlobStore, List, Map)}, each manifest's descriptor annotated. */
  public static ImageIndex assemble(
      BlobStore store,
      List<BuiltImage> images,
      Map<String, String> annotations,
      Map<String, String> descriptorAnnotations)
      throws IOException {
    List<Descriptor> ds = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (images.get(i).platform().matches(images.get(j).platform())) {
          throw new IllegalArgumentException(
              "platform " + images.get(i).platform() + " appears twice in the index");
        }
      }
      Descriptor d = images.get(i).descriptor();
      ds.add(descriptorAnnotations.isEmpty() ? d : d.withAnnotations(descriptorAnnotations));
    }
    Index idx = new Index(2, MediaType.OCI_INDEX, null, ds, null, annotations);
    RawJson<Index> raw = RawJson.of(idx);
    store.putBytes(raw.bytes());
    return new ImageIndex(raw, images);
  }

  @Override
  public Descriptor descriptor() {
    return index.descriptor(index.value().descriptorMediaType());
  }

  @Override
  public byte[] topBytes() {
    return index.bytes();
  }
}
