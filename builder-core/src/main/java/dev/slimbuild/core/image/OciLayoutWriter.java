package dev.slimbuild.core.image;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciLayoutHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI image layout directory (image-layout.md): {@code oci-layout}, {@code index.json}
 * and {@code blobs/}. Each tag gets an index.json entry pointing at the image (the manifest for a
 * single platform, the index for several) annotated with {@code org.opencontainers.image.ref.name}
 * = the tag and {@code io.containerd.image.name} = the full normalised name, as BuildKit's OCI
 * exporter writes them. The layout is staged in a sibling directory and renamed into place at the
 * end, so a failure never leaves a half-written destination; blobs are hard-linked from the blob
 * store when possible.
 */
public final class OciLayoutWriter {
  /** The OCI annotation naming a reference inside a layout. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  /** containerd's annotation carrying the full image name. */
  public static final String IMAGE_NAME = "io.containerd.image.name";

  private OciLayoutWriter() {}

  /** The index.json document for {@code image} under {@code tags} (one unnamed entry if none). */
  public static Index indexJson(ImageOutput image, List<ImageReference> tags) {
    Descriptor top = image.descriptor().withPlatform(null);
    List<Descriptor> entries = new ArrayList<>();
    for (ImageReference ref : new LinkedHashSet<>(tags)) {
      entries.add(
          top.withAnnotations(Map.of(IMAGE_NAME, ref.toString(), REF_NAME, ref.tagOrLatest())));
    }
    if (entries.isEmpty()) {
      entries.add(top);
    }
    return new Index(2, MediaType.OCI_INDEX, null, entries, null, Map.of());
  }

  /**
   * Writes the layout of {@code image}, whose blobs are in {@code blobs}, to {@code dest}. An
   * existing {@code dest} must be an empty directory or an OCI layout; it is replaced at the end.
   */
  public static void write(BlobStore blobs, ImageOutput image, List<ImageReference> tags, Path dest)
      throws IOException {
    Path target = dest.toAbsolutePath().normalize();
    checkDestination(target);
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path staged = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
    try {
      Dirs.makeReadable(staged, true);
      BlobStore out = new BlobStore(staged);
      for (Descriptor d : image.blobs()) {
        Path src = blobs.path(d.digest());
        if (!Files.isRegularFile(src)) {
          throw new NoSuchFileException("blob " + d.digest() + " (" + src + ")");
        }
        Path dst = out.path(d.digest());
        Files.createDirectories(dst.getParent());
        if (!Files.exists(dst)) {
          Dirs.linkOrCopy(src, dst);
        }
      }
      Files.write(staged.resolve("oci-layout"), OciLayoutHeader.V1.toBytes());
      Files.write(staged.resolve("index.json"), indexJson(image, tags).toBytes());
      Dirs.replaceDirectory(staged, target);
    } catch (IOException | RuntimeException e) {
      Dirs.deleteRecursively(staged);
      throw e;
    }
  }

  /**
   * Fails unless {@code dest} can take a layout: absent, an empty directory or an OCI layout.
   * Callers with several outputs check them all before writing any.
   */
  public static void checkDestination(Path dest) throws IOException {
    Path target = dest.toAbsolutePath().normalize();
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new SlimbuildException("output " + target + " exists and is not a directory");
    }
    if (Files.exists(target.resolve("oci-layout"))) {
      return;
    }
    try (var s = Files.list(target)) {
      if (s.findAny().isPresent()) {
        throw new SlimbuildException(
            "output " + target + " exists and is not an OCI layout; refusing to replace it");
      }
    }
  }
}
