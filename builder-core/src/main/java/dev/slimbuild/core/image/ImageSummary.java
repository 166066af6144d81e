package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code slimbuild images} shows about a stored image: its platforms and the compressed size
 * of all its distinct blobs (documents and layers).
 */
public record ImageSummary(Descriptor descriptor, List<Platform> platforms, long size) {
  public ImageSummary {
    platforms = List.copyOf(platforms);
  }

  /** Reads the documents of {@code top} from {@code blobs} (layers are not read). */
  public static ImageSummary of(BlobStore blobs, Descriptor top) throws IOException {
    List<Platform> platforms = new ArrayList<>();
    Set<Digest> seen = new HashSet<>();
    long[] size = {0};
    walk(blobs, top, platforms, seen, size, 0);
    return new ImageSummary(top, platforms, size[0]);
  }

  private static void walk(
      BlobStore blobs,
      Descriptor d,
      List<Platform> platforms,
      Set<Digest> seen,
      long[] size,
      int depth)
      throws IOException {
    if (!seen.add(d.digest()) || depth > 8) {
      return;
    }
    size[0] += d.size();
    if (MediaType.isIndex(d.mediaType())) {
      for (Descriptor m : Index.parse(read(blobs, d)).manifests()) {
        walk(blobs, m, platforms, seen, size, depth + 1);
      }
    } else if (MediaType.isManifest(d.mediaType())) {
      Manifest m = Manifest.parse(read(blobs, d));
      Descriptor c = m.config();
      if (seen.add(c.digest())) {
        size[0] += c.size();
      }
      for (Descriptor l : m.layers()) {
        if (seen.add(l.digest())) {
          size[0] += l.size();
        }
      }
      if (c.mediaType().equals(MediaType.OCI_CONFIG)
          || c.mediaType().equals(MediaType.DOCKER_CONFIG)) {
        platforms.add(ImageConfig.parse(read(blobs, c)).platform());
      } else if (d.platform() != null) {
        platforms.add(d.platform());
      }
    }
  }

  private static byte[] read(BlobStore blobs, Descriptor d) throws IOException {
    try (InputStream in = blobs.open(d.digest())) {
      return in.readNBytes((int) Math.min(d.size(), 16L * 1024 * 1024));
    }
  }
}
