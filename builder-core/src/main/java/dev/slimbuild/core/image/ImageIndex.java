package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.RawJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A multi-platform result: an OCI index (exact bytes, stored) and its per-platform images. */
public record ImageIndex(RawJson<Index> index, List<BuiltImage> images) implements ImageOutput {

  public ImageIndex {
    images = List.copyOf(images);
    List<Descriptor> listed = index.value().manifests();
    if (listed.size() != images.size()) {
      throw new IllegalArgumentException("index lists " + listed.size() + " manifests");
    }
    for (int i = 0; i < images.size(); i++) {
      if (!listed.get(i).digest().equals(images.get(i).manifest().digest())) {
        throw new IllegalArgumentException("index entry " + i + " is not image " + i);
      }
    }
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
      BlobStore store, List<BuiltImage> images, Map<String, String> annotations,
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
    Index idx =
        new Index(2, dev.slimbuild.core.oci.MediaType.OCI_INDEX, null, ds, null, annotations);
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
