package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.image.OciLayoutWriter;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an image name from the command line into an {@link ImageSource}:
 *
 * <ul>
 *   <li>{@code oci:DIR[:REF]}: an OCI layout; REF is an entry's {@code
 *       org.opencontainers.image.ref.name} (or full image name, or digest), and may be left out
 *       when the layout holds one image;
 *   <li>any other name: the local store's image of that name, else the registry the name points at
 *       ({@code HOST/REPO:TAG}) through a {@link RegistryOpener}.
 * </ul>
 */
final class ImageSources {
  static final String OCI_PREFIX = "oci:";

  private ImageSources() {}

  static ImageSource resolve(String image, LocalStore store, RegistryOpener registries)
      throws IOException {
    if (image.startsWith(OCI_PREFIX)) {
      return layout(image);
    }
    ImageReference ref = ImageReference.parse(image);
    if (ref.tag() != null) {
      Optional<Descriptor> local = store.resolve(ref);
      if (local.isPresent()) {
        return new BlobSource(ref.toString(), store.blobs(), local.get());
      }
    }
    Registry registry;
    try {
      registry = registries.open(ref.registry());
    } catch (SlimbuildException e) {
      throw new SlimbuildException(
          "no image "
              + ref.familiar()
              + " in the local store ("
              + store.root()
              + "), and "
              + e.getMessage());
    }
    return new RegistrySource(image, registry, ref);
  }

  /** {@code oci:DIR[:REF]}. */
  static ImageSource layout(String image) throws IOException {
    String rest = image.substring(OCI_PREFIX.length());
    String ref = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0 && rest.indexOf('/', colon) < 0) {
      ref = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    if (rest.isEmpty()) {
      throw new SlimbuildException("invalid image \"" + image + "\": expected oci:DIR[:REF]");
    }
    Path dir = Path.of(rest);
    Path indexJson = dir.resolve("index.json");
    if (!Files.isRegularFile(indexJson)) {
      throw new SlimbuildException(dir + " is not an OCI layout (no index.json)");
    }
    List<Descriptor> entries = Index.parse(Files.readAllBytes(indexJson)).manifests();
    Descriptor chosen = null;
    if (ref == null || ref.isEmpty()) {
      if (entries.size() != 1) {
        throw new SlimbuildException(
            dir
                + " holds "
                + entries.size()
                + " images; name one as oci:"
                + rest
                + ":REF ("
                + String.join(", ", refNames(entries))
                + ")");
      }
      chosen = entries.get(0);
    } else {
      for (Descriptor d : entries) {
        if (ref.equals(d.annotations().get(OciLayoutWriter.REF_NAME))
            || ref.equals(d.annotations().get(OciLayoutWriter.IMAGE_NAME))
            || ref.equals(d.digest().toString())) {
          chosen = d;
          break;
        }
      }
      if (chosen == null) {
        throw new SlimbuildException(
            "no image \""
                + ref
                + "\" in "
                + dir
                + " (it has: "
                + String.join(", ", refNames(entries))
                + ")");
      }
    }
    return new BlobSource(image, new BlobStore(dir), chosen.withAnnotations(Map.of()));
  }

  private static List<String> refNames(List<Descriptor> entries) {
    List<String> names = new ArrayList<>();
    for (Descriptor d : entries) {
      names.add(d.annotations().getOrDefault(OciLayoutWriter.REF_NAME, d.digest().toString()));
    }
    return names;
  }

  /** An image whose blobs are in a blob directory (OCI layout or local store). */
  record BlobSource(String name, BlobStore blobs, Descriptor top) implements ImageSource {
    @Override
    public byte[] read(Descriptor d) throws IOException {
      if (d.size() > MAX_DOCUMENT) {
        throw new IOException("document " + d.digest() + " is too large (" + d.size() + " bytes)");
      }
      try (InputStream in = blobs.open(d.digest())) {
        return ImageSource.verified(d, in.readNBytes((int) d.size() + 1));
      }
    }
  }

  /** An image in a registry, read through the {@link Registry} interface. */
  static final class RegistrySource implements ImageSource {
    private final String name;
    private final Registry registry;
    private final ImageReference ref;
    private RawManifest top;

    RegistrySource(String name, Registry registry, ImageReference ref) {
      this.name = name;
      this.registry = registry;
      this.ref = ref;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Descriptor top() throws IOException {
      if (top == null) {
        String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
        top = registry.getManifest(ref.repository(), reference);
      }
      return top.descriptor();
    }

    @Override
    public byte[] read(Descriptor d) throws IOException {
      if (d.size() > MAX_DOCUMENT) {
        throw new IOException("document " + d.digest() + " is too large (" + d.size() + " bytes)");
      }
      if (MediaType.isManifest(d.mediaType()) || MediaType.isIndex(d.mediaType())) {
        if (top != null && top.digest().equals(d.digest())) {
          return ImageSource.verified(d, top.bytes());
        }
        return ImageSource.verified(
            d, registry.getManifest(ref.repository(), d.digest().toString()).bytes());
      }
      try (InputStream in = registry.getBlob(ref.repository(), d.digest())) {
        return ImageSource.verified(d, in.readNBytes((int) d.size() + 1));
      }
    }

    @Override
    public void close() throws IOException {
      registry.close();
    }
  }
}
