package dev.slimbuild.core.oci;

import java.util.regex.Pattern;

/**
 * Media types of image documents and layers, and the syntax check the OCI descriptor schema applies
 * (RFC 6838 restricted names, at most 127 characters each side of the slash).
 */
public final class MediaType {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";

  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_TAR_GZIP =
      "application/vnd.docker.image.rootfs.diff.tar.gzip";

  static final String COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";

  private static final Pattern SYNTAX =
      Pattern.compile(
          "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

  private MediaType() {}

  /** Whether {@code s} is a syntactically valid media type. */
  public static boolean isValid(String s) {
    return s != null && SYNTAX.matcher(s).matches();
  }

  /** Returns {@code s} or throws IllegalArgumentException if it is not a valid media type. */
  static String requireValid(String s) {
    if (!isValid(s)) {
      throw new IllegalArgumentException("invalid media type: " + (s == null ? "(none)" : s));
    }
    return s;
  }

  /** Whether {@code s} is an image manifest type (OCI or Docker schema 2). */
  public static boolean isManifest(String s) {
    return OCI_MANIFEST.equals(s) || DOCKER_MANIFEST.equals(s);
  }

  /** Whether {@code s} is an index type (OCI index or Docker manifest list). */
  public static boolean isIndex(String s) {
    return OCI_INDEX.equals(s) || DOCKER_MANIFEST_LIST.equals(s);
  }

  /** Whether {@code s} is a filesystem layer type we know how to unpack. */
  public static boolean isLayer(String s) {
    return OCI_LAYER_TAR.equals(s)
        || OCI_LAYER_TAR_GZIP.equals(s)
        || OCI_LAYER_TAR_ZSTD.equals(s)
        || DOCKER_LAYER_TAR_GZIP.equals(s)
        || "application/vnd.oci.image.layer.nondistributable.v1.tar".equals(s)
        || "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip".equals(s)
        || "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip".equals(s);
  }
}
