package dev.slimbuild.core.sbom;

import java.util.Objects;

/**
 * A regular file the build added (it survives in the final image from a layer above the base).
 *
 * @param path its path in the image, without a leading '/'
 * @param sha256 SHA-256 of its content, lower-case hex
 * @param sha1 SHA-1 of its content, lower-case hex (SPDX 2.3 requires it for files)
 * @param layer the index of the layer it comes from
 */
public record SbomFile(String path, String sha256, String sha1, int layer) {
  public SbomFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(sha1, "sha1");
  }
}
