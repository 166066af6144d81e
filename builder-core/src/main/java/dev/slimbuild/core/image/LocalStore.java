package dev.slimbuild.core.image;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciLayoutHeader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local image store, where builds without an explicit output land: an OCI image layout whose
 * {@code blobs/} directory is the builder's {@link BlobStore}, and whose {@code index.json} names
 * each image by its full normalised reference (both in {@code org.opencontainers.image.ref.name}
 * and {@code io.containerd.image.name}). Updates to index.json are atomic and serialised with a
 * file lock, so concurrent builds do not lose each other's entries.
 */
public final class LocalStore {
  /** Environment variable overriding the store location. */
  static final String ENV_STORE = "SLIMBUILD_STORE";

  private static final Object JVM_LOCK = new Object();

  private final Path root;
  private final BlobStore blobs;

  /** A store at {@code root} (created on first write). */
  public LocalStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.blobs = new BlobStore(this.root);
  }

  /**
   * The store location from an environment: {@code $SLIMBUILD_STORE}, else {@code
   * $XDG_DATA_HOME/slimbuild/store}, else {@code $HOME/.local/share/slimbuild/store}.
   */
  static Path defaultRoot(Map<String, String> env) {
    String explicit = env.get(ENV_STORE);
    if (explicit != null && !explicit.isEmpty()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_DATA_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "slimbuild", "store");
    }
    String home = env.get("HOME");
    if (home == null || home.isEmpty()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".local", "share", "slimbuild", "store");
  }

  /** The store chosen by {@link #defaultRoot(Map)}. */
  public static LocalStore open(Map<String, String> env) {
    return new LocalStore(defaultRoot(env));
  }

  public Path root() {
    return root;
  }

  /** The store's blobs. */
  public BlobStore blobs() {
    return blobs;
  }

  /** A named image in the store. */
  public record Entry(ImageReference name, Descriptor descriptor) {}

  /**
   * Names {@code top} (a manifest or index already in the blobs) {@code name}, replacing an earlier
   * image of that name.
   */
  public void put(ImageReference name, Descriptor top) throws IOException {
    if (!blobs.has(top.digest())) {
      throw new IllegalArgumentException("image " + top.digest() + " is not in the store's blobs");
    }
    Descriptor entry =
        top.withPlatform(null)
            .withAnnotations(
                Map.of(
                    OciLayoutWriter.IMAGE_NAME, name.toString(),
                    OciLayoutWriter.REF_NAME, name.toString()));
    Files.createDirectories(root);
    locked(
        () -> {
          write(without(name, readIndex().manifests(), new ArrayList<>()), entry);
          return null;
        });
  }

  /**
   * Removes the name {@code name}; returns the image it named, if any. Its blobs stay: what only it
   * used is for the caller to remove ({@code slimbuild rmi}), knowing what else uses them.
   */
  public Optional<Descriptor> remove(ImageReference name) throws IOException {
    if (!Files.exists(root.resolve("index.json"))) {
      return Optional.empty();
    }
    return locked(
        () -> {
          List<Descriptor> gone = new ArrayList<>();
          List<Descriptor> kept = without(name, readIndex().manifests(), gone);
          if (!gone.isEmpty()) {
            write(kept, null);
          }
          return gone.stream().findFirst().map(d -> d.withAnnotations(Map.of()));
        });
  }

  /** An update of index.json, run while it is locked. */
  @FunctionalInterface
  private interface Update<T> {
    T run() throws IOException;
  }

  private <T> T locked(Update<T> update) throws IOException {
    // File locks are per process; threads of this JVM are serialised here first.
    synchronized (JVM_LOCK) {
      try (FileChannel ch =
          FileChannel.open(
              root.resolve("index.json.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE)) {
        FileLock lock = ch.lock();
        try {
          return update.run();
        } finally {
          lock.release();
        }
      }
    }
  }

  /** The entries not named {@code name}; those named it go to {@code removed}. */
  private static List<Descriptor> without(
      ImageReference name, List<Descriptor> entries, List<Descriptor> removed) {
    List<Descriptor> kept = new ArrayList<>();
    for (Descriptor d : entries) {
      if (name.toString().equals(d.annotations().get(OciLayoutWriter.REF_NAME))) {
        removed.add(d);
      } else {
        kept.add(d);
      }
    }
    return kept;
  }

  /** Writes index.json with {@code entries} and {@code added} (if not null), sorted by name. */
  private void write(List<Descriptor> entries, Descriptor added) throws IOException {
    List<Descriptor> kept = new ArrayList<>(entries);
    if (added != null) {
      kept.add(added);
    }
    kept.sort(
        Comparator.comparing(
            (Descriptor d) -> d.annotations().getOrDefault(OciLayoutWriter.REF_NAME, "")));
    Path header = root.resolve("oci-layout");
    if (!Files.exists(header)) {
      Dirs.writeAtomically(header, OciLayoutHeader.V1.toBytes());
    }
    Index idx = new Index(2, MediaType.OCI_INDEX, null, kept, null, Map.of());
    Dirs.writeAtomically(root.resolve("index.json"), idx.toBytes());
  }

  /** The named images, sorted by name. Entries without a valid name are skipped. */
  public List<Entry> list() throws IOException {
    List<Entry> out = new ArrayList<>();
    for (Descriptor d : readIndex().manifests()) {
      String n = d.annotations().get(OciLayoutWriter.REF_NAME);
      if (n == null) {
        continue;
      }
      try {
        out.add(new Entry(ImageReference.parse(n), d.withAnnotations(Map.of())));
      } catch (SlimbuildException e) {
        // a name written by another tool; not ours to list
      }
    }
    out.sort(Comparator.comparing(e -> e.name().toString()));
    return out;
  }

  /** The image named {@code name}, if any. */
  public Optional<Descriptor> resolve(ImageReference name) throws IOException {
    for (Entry e : list()) {
      if (e.name().equals(name)) {
        return Optional.of(e.descriptor());
      }
    }
    return Optional.empty();
  }

  private Index readIndex() throws IOException {
    Path p = root.resolve("index.json");
    if (!Files.exists(p)) {
      return Index.oci(List.of());
    }
    return Index.parse(Files.readAllBytes(p));
  }
}
