package dev.slimbuild.core.sbom;

import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import java.util.List;
import java.util.Objects;

/**
 * What an SBOM is made from: one platform's image.
 *
 * @param imageName the image's name as the user gave it (a tag or reference), or "" when unnamed
 * @param platform the image's platform
 * @param layers the image's layers, bottom first
 * @param baseLayers how many of the bottom layers came from the base image; the files of the layers
 *     above are the ones the build added
 * @param epochSeconds the document's creation time ({@code SOURCE_DATE_EPOCH})
 * @param imageDigest the image manifest's digest: names the document
 */
public record SbomInput(
    String imageName,
    Platform platform,
    List<Layer> layers,
    int baseLayers,
    long epochSeconds,
    Digest imageDigest) {

  public SbomInput {
    imageName = imageName == null ? "" : imageName;
    Objects.requireNonNull(platform, "platform");
    layers = List.copyOf(layers);
    Objects.requireNonNull(imageDigest, "imageDigest");
    if (baseLayers < 0 || baseLayers > layers.size()) {
      throw new IllegalArgumentException(
          "baseLayers " + baseLayers + " outside 0.." + layers.size());
    }
  }

  /**
   * One layer blob.
   *
   * @param digest the blob's digest
   * @param blob opens the blob (tar, tar+gzip or tar+zstd)
   */
  public record Layer(Digest digest, ContentSource blob) {
    public Layer {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(blob, "blob");
    }
  }
}
