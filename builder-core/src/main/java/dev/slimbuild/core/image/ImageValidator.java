package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciFormatException;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an image (manifest or index) in a blob store end to end: every referenced blob exists and
 * has the digest and size its descriptor claims (documents are hashed from their exact bytes);
 * documents parse; the config has one diff_id per layer; media types agree (OCI manifests use OCI
 * config and layer types, Docker manifests Docker ones); an index lists each platform once and each
 * entry's platform is its config's platform. Layer contents are hashed but not decompressed, so
 * diff_ids themselves are not recomputed here.
 */
public final class ImageValidator {
  private static final int MAX_DEPTH = 8;
  private final BlobStore blobs;

  public ImageValidator(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Every problem found, empty when the image is valid. */
  public List<String> problems(Descriptor top) throws IOException {
    List<String> out = new ArrayList<>();
    check(top, out, 0);
    return out;
  }

  /** Throws {@link InvalidImageException} listing every problem, if any. */
  public void validate(Descriptor top) throws IOException {
    List<String> p = problems(top);
    if (!p.isEmpty()) {
      throw new InvalidImageException(top.digest().toString(), p);
    }
  }

  private void check(Descriptor d, List<String> out, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      out.add(d.digest() + ": indexes nested too deeply");
      return;
    }
    String mt = d.mediaType();
    if (MediaType.isIndex(mt)) {
      byte[] bytes = document(d, out);
      if (bytes != null) {
        checkIndex(d, bytes, out, depth);
      }
    } else if (MediaType.isManifest(mt)) {
      byte[] bytes = document(d, out);
      if (bytes != null) {
        checkManifest(d, bytes, out);
      }
    } else {
      out.add(d.digest() + ": unexpected media type " + mt + " for an image");
    }
  }

  /** Reads a small document blob and checks its descriptor; null if it cannot be used. */
  private byte[] document(Descriptor d, List<String> out) throws IOException {
    try {
      return blobs.readDocument(d);
    } catch (BlobStore.BadBlob e) {
      out.add(e.getMessage());
      return null;
    }
  }

  private void checkIndex(Descriptor d, byte[] bytes, List<String> out, int depth)
      throws IOException {
    Index idx;
    try {
      idx = Index.parse(bytes);
    } catch (OciFormatException e) {
      out.add(d.digest() + ": " + e.getMessage());
      return;
    }
    if (idx.mediaType() != null && !idx.mediaType().equals(d.mediaType())) {
      out.add(
          d.digest() + ": descriptor says " + d.mediaType() + ", document says " + idx.mediaType());
    }
    List<Platform> seen = new ArrayList<>();
    for (Descriptor m : idx.manifests()) {
      boolean attestation =
          AttestationManifest.ATTESTATION_MANIFEST.equals(
              m.annotations().get(AttestationManifest.REFERENCE_TYPE));
      if (m.platform() != null && !attestation) {
        for (Platform p : seen) {
          if (p.matches(m.platform())) {
            out.add(d.digest() + ": platform " + m.platform() + " appears more than once");
          }
        }
        seen.add(m.platform());
      }
      if (MediaType.OCI_INDEX.equals(d.mediaType())
          && MediaType.DOCKER_MANIFEST.equals(m.mediaType())) {
        out.add(d.digest() + ": OCI index lists Docker manifest " + m.digest());
      }
      check(m, out, depth + 1);
    }
  }

  private void checkManifest(Descriptor d, byte[] bytes, List<String> out) throws IOException {
    Manifest m;
    try {
      m = Manifest.parse(bytes);
    } catch (OciFormatException e) {
      out.add(d.digest() + ": " + e.getMessage());
      return;
    }
    String where = d.digest().toString();
    if (m.mediaType() != null && !m.mediaType().equals(d.mediaType())) {
      out.add(where + ": descriptor says " + d.mediaType() + ", document says " + m.mediaType());
    }
    boolean docker = MediaType.DOCKER_MANIFEST.equals(m.descriptorMediaType());
    Descriptor cd = m.config();
    String wantConfig = docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG;
    // an artifact (an attestation manifest among them) holds what it likes: only blobs checked
    boolean imageConfig = cd.mediaType().equals(wantConfig) && m.artifactType() == null;
    if (!cd.mediaType().equals(wantConfig) && m.artifactType() == null) {
      out.add(where + ": config media type " + cd.mediaType() + ", expected " + wantConfig);
    }
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor l = m.layers().get(i);
      String lt = l.mediaType();
      if (imageConfig) {
        boolean dockerLayer = lt.startsWith("application/vnd.docker.");
        if (!MediaType.isLayer(lt)) {
          out.add(where + ": layers[" + i + "] has media type " + lt + ", not a layer type");
        } else if (dockerLayer != docker) {
          out.add(
              where + ": layers[" + i + "] media type " + lt + " in a " + m.descriptorMediaType());
        }
      }
      String p = blobs.verify(l);
      if (p != null) {
        out.add(where + ": layers[" + i + "]: " + p);
      }
    }
    byte[] configBytes = document(cd, out);
    if (configBytes == null || !imageConfig) {
      return;
    }
    ImageConfig c;
    try {
      c = ImageConfig.parse(configBytes);
    } catch (OciFormatException e) {
      out.add(cd.digest() + ": " + e.getMessage());
      return;
    }
    if (c.diffIds().size() != m.layers().size()) {
      out.add(
          where
              + ": config has "
              + c.diffIds().size()
              + " diff_ids but the manifest has "
              + m.layers().size()
              + " layers");
    }
    if (d.platform() != null && !d.platform().matches(c.platform())) {
      out.add(where + ": index says platform " + d.platform() + ", config says " + c.platform());
    }
  }
}
