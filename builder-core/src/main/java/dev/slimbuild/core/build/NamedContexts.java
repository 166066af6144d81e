package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BlobWriter;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.pull.BlobCache;
import dev.slimbuild.core.pull.ImageResolver;
import dev.slimbuild.core.pull.ResolvedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The {@code --build-context} values of one build, each opened once: a directory as a build context
 * of its own (with its own {@code .dockerignore}), an image through the build's base images, an OCI
 * layout's image with its layers copied into the store (verified by digest), so that they serve as
 * the layers a build writes.
 */
final class NamedContexts {
  private final Map<String, NamedContext> byKey;
  private final BlobStore store;
  private final BlobCache cache;
  private final BaseImages bases;
  private final Path staging;
  private final ContentDigests digests;
  private final Map<String, BuildContext> directories = new HashMap<>();
  private final Map<LayoutKey, ResolvedImage> layouts = new HashMap<>();
  private final Map<String, Digest> directoryKeys = new HashMap<>();

  NamedContexts(
      Map<String, NamedContext> byKey,
      BlobStore store,
      BlobCache cache,
      BaseImages bases,
      Path staging,
      ContentDigests digests) {
    this.byKey = Map.copyOf(byKey);
    this.store = store;
    this.cache = cache;
    this.bases = bases;
    this.staging = staging;
    this.digests = digests;
  }

  /** The named context {@code name} stands for, if any. */
  Optional<NamedContext> find(String name) {
    return Optional.ofNullable(byKey.get(NamedContext.key(name)));
  }

  /** The directory context {@code name} stands for, if it stands for one. */
  Optional<BuildContext> directory(String name) throws IOException {
    Optional<NamedContext> c = find(name);
    if (c.isEmpty() || !(c.get() instanceof NamedContext.Directory d)) {
      return Optional.empty();
    }
    BuildContext ctx = directories.get(d.flag());
    if (ctx == null) {
      ctx = BuildContext.open(d.dir(), null);
      directories.put(d.flag(), ctx);
    }
    return Optional.of(ctx);
  }

  /**
   * The image context {@code c} for {@code platform}: a registry image through the build's base
   * images, or an OCI layout's (its layers copied into the store the first time).
   */
  ResolvedImage image(NamedContext c, Platform platform) throws IOException {
    if (c instanceof NamedContext.Image i) {
      return bases.resolve(i.ref(), platform);
    }
    NamedContext.Layout l = (NamedContext.Layout) c;
    LayoutKey key = new LayoutKey(l.flag(), platform.key());
    ResolvedImage image = layouts.get(key);
    if (image == null) {
      image = fromLayout(l, platform);
      layouts.put(key, image);
    }
    return image;
  }

  private ResolvedImage fromLayout(NamedContext.Layout l, Platform platform) throws IOException {
    BlobStore layout = new BlobStore(l.dir());
    // a name for messages and the layers' provenance; the digest is what is read
    ImageReference ref = new ImageReference("oci-layout", "context", null, l.digest());
    ResolvedImage image;
    try {
      image = ImageResolver.inLayout(layout).resolve(ref, platform);
    } catch (SlimbuildException e) {
      String m = e.getMessage();
      throw new SlimbuildException(
          "--build-context "
              + l.flag()
              + ": "
              + (m.startsWith(ref + ": ") ? m.substring(ref.toString().length() + 2) : m));
    }
    if (image.layers().size() > BaseImages.MAX_BASE_LAYERS) {
      throw new SlimbuildException(
          "--build-context "
              + l.flag()
              + ": the image has "
              + image.layers().size()
              + " layers; at most "
              + BaseImages.MAX_BASE_LAYERS);
    }
    for (Descriptor d : image.layers()) {
      copy(layout, d, store, l);
      if (!cache.blobs().root().equals(store.root())) {
        copy(layout, d, cache.blobs(), l);
      }
    }
    bases.inStore(image);
    return image;
  }

  /** Copies blob {@code d} from the layout into {@code to}, unless it is there; checks it. */
  private static void copy(BlobStore layout, Descriptor d, BlobStore to, NamedContext.Layout l)
      throws IOException {
    if (to.has(d.digest())) {
      return;
    }
    if (!layout.has(d.digest())) {
      throw new SlimbuildException(
          "--build-context " + l.flag() + ": layer " + d.digest() + " is missing from the layout");
    }
    try (InputStream in = layout.open(d.digest());
        BlobWriter w = to.newWriter()) {
      in.transferTo(w);
      try {
        w.commit(d.digest());
      } catch (IOException e) {
        throw new SlimbuildException(
            "--build-context "
                + l.flag()
                + ": layer "
                + d.digest()
                + " in the layout is damaged ("
                + e.getMessage()
                + ")");
      }
    }
  }

  /**
   * Every file of the directory context {@code ctx} (as {@code COPY . /} would copy it), for {@code
   * FROM}, {@code RUN --mount from=} and their keys; errors point at {@code where}.
   */
  List<LayerEntry> entries(BuildContext ctx, Instruction where) throws IOException {
    Copier.Spec spec =
        new Copier.Spec(
            where,
            List.of("."),
            List.of(),
            "/",
            Optional.empty(),
            Optional.empty(),
            List.of(),
            false,
            UnaryOperator.identity(),
            List.of());
    return new Copier(new FileTree(), "/", staging).fromContext(ctx, spec);
  }

  /** The files of the directory context {@code ctx} as a tree. */
  FileTree tree(BuildContext ctx, Instruction where) throws IOException {
    FileTree tree = new FileTree();
    tree.apply(entries(ctx, where));
    return tree;
  }

  /** What reading the whole directory context {@code ctx} keys on: the content of its files. */
  Digest key(BuildContext ctx, Instruction where) throws IOException {
    String root = ctx.root().toString();
    Digest d = directoryKeys.get(root);
    if (d == null) {
      CacheKey key = CacheKey.of("context");
      digests.add(key, entries(ctx, where));
      d = key.digest();
      directoryKeys.put(root, d);
    }
    return d;
  }

  /** An OCI layout's image: its {@code --build-context} flag and the {@link Platform#key()}. */
  private record LayoutKey(String flag, Platform platform) {}
}
