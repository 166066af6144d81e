package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.RawJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads an image back from a blob store: its documents' exact bytes, verified by digest. */
public final class StoredImages {
  private StoredImages() {}

  /** The image (a platform manifest or an index of them) that {@code top} describes. */
  public static ImageOutput load(BlobStore blobs, Descriptor top) throws IOException {
    if (MediaType.isIndex(top.mediaType())) {
      RawJson<Index> index = RawJson.parse(read(blobs, top), Index::parse);
      List<BuiltImage> images = new ArrayList<>();
      for (Descriptor d : index.value().manifests()) {
        images.add(loadManifest(blobs, d));
      }
      return new ImageIndex(index, images);
    }
    return loadManifest(blobs, top);
  }

  private static BuiltImage loadManifest(BlobStore blobs, Descriptor d) throws IOException {
    RawJson<Manifest> manifest = RawJson.parse(read(blobs, d), Manifest::parse);
    RawJson<ImageConfig> config =
        RawJson.parse(read(blobs, manifest.value().config()), ImageConfig::parse);
    return new BuiltImage(config.value().platform(), manifest, config);
  }

  private static byte[] read(BlobStore blobs, Descriptor d) throws IOException {
    try {
      return blobs.readDocument(d);
    } catch (BlobStore.BadBlob e) {
      throw new InvalidImageException(d.digest().toString(), List.of(e.getMessage()));
    }
  }
}
