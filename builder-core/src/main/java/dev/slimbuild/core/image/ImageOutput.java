package dev.slimbuild.core.image;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/** The result of a build: one platform's image or an index of several. */
public sealed interface ImageOutput permits BuiltImage, ImageIndex {
  /** The descriptor of the top document (manifest or index). */
  Descriptor descriptor();

  /** The per-platform images, in order. */
  List<BuiltImage> images();

  /** The exact bytes of the top document. */
  byte[] topBytes();

  /** The attestation manifests listed after the images (an index only). */
  default List<AttestationManifest> attestations() {
    return List.of();
  }

  /** Every blob this output references (top document, manifests, configs, layers), no repeats. */
  default List<Descriptor> blobs() {
    LinkedHashSet<Digest> seen = new LinkedHashSet<>();
    List<Descriptor> out = new ArrayList<>();
    Consumer<Descriptor> add =
        d -> {
          if (seen.add(d.digest())) {
            out.add(d);
          }
        };
    add.accept(descriptor());
    for (BuiltImage i : images()) {
      add.accept(i.descriptor());
      add.accept(i.manifest().value().config());
      i.layers().forEach(add);
    }
    for (AttestationManifest a : attestations()) {
      add.accept(a.manifest().descriptor(a.manifest().value().descriptorMediaType()));
      add.accept(a.manifest().value().config());
      a.manifest().value().layers().forEach(add);
    }
    return out;
  }

  /** The compressed size of everything: top document, manifests, configs and distinct layers. */
  default long totalSize() {
    long n = 0;
    for (Descriptor d : blobs()) {
      n += d.size();
    }
    return n;
  }
}
