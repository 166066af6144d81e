package dev.slimbuild.core.cache;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.Dirs;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The cache records of a local store, beside its blobs: {@code STORE/cache/steps/KEY.json} and
 * {@code STORE/cache/stages/KEY.json}. A record is written to a temporary file and renamed into
 * place, so a reader (another build on the same store) sees a whole record or none; two builds
 * writing the same key write the same meaning, and the last rename wins. A record's file time is
 * when it was last used ({@code prune --filter until=} reads it). A record whose layer blob is no
 * longer in the store, or that cannot be read, is a miss.
 */
public final class LocalCache {
  private static final String STEPS = "steps";
  private static final String STAGES = "stages";

  private final Path dir;
  private final BlobStore blobs;

  /** The cache of the store whose blobs are {@code blobs}. */
  LocalCache(BlobStore blobs) {
    this.blobs = blobs;
    this.dir = dir(blobs);
  }

  /** Where the cache of the store whose blobs are {@code blobs} lives. */
  private static Path dir(BlobStore blobs) {
    return blobs.root().resolve("cache");
  }

  /**
   * The memo of layers written from unpacked files, in {@code blobs}' cache: it only saves
   * compressions, and prune empties it.
   */
  public static Path layerMemo(BlobStore blobs) {
    return dir(blobs).resolve("layers");
  }

  /**
   * Base images' manifests and configs kept by digest, in {@code blobs}' cache: they only save
   * requests, and prune empties it.
   */
  public static Path documents(BlobStore blobs) {
    return dir(blobs).resolve("documents");
  }

  /** Where the records live. */
  public Path dir() {
    return dir;
  }

  /** {@code layer} in the form records keep a layer in, for the layer memo ({@code LayerSink}). */
  public static byte[] layerBytes(Layer layer) {
    return Json.write(Records.layer(layer));
  }

  /** Reads {@link #layerBytes}'s form; a RuntimeException if {@code json} is not one. */
  public static Layer readLayer(byte[] json) {
    return Records.readLayer(Records.object(Json.parse(json), "layer"));
  }

  /** The step record for {@code key}; {@code warn} hears of a record that cannot be read. */
  public Optional<StepRecord> step(Digest key, Consumer<String> warn) {
    return read(STEPS, key, warn)
        .map(Records::readStep)
        .filter(r -> r.layer().map(this::present).orElse(true));
  }

  /** The stage record for {@code key}. */
  public Optional<StageRecord> stage(Digest key, Consumer<String> warn) {
    return read(STAGES, key, warn)
        .map(Records::readStage)
        .filter(r -> r.layers().stream().allMatch(w -> present(w.layer())));
  }

  /** Records what a step made. */
  public void putStep(Digest key, StepRecord record) throws IOException {
    write(STEPS, key, Records.step(record));
  }

  /** Records a stage's written layers. */
  public void putStage(Digest key, StageRecord record) throws IOException {
    write(STAGES, key, Records.stage(record));
  }

  /** A record file on disk, for listing and pruning. */
  public record Entry(Path file, boolean stage, Instant lastUsed, List<Layer> layers) {}

  /** Every record, oldest use first; unreadable ones are listed with no layers. */
  public List<Entry> list() throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String kind : List.of(STEPS, STAGES)) {
      Path d = dir.resolve(kind);
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> files = Files.list(d)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
          List<Layer> layers = new ArrayList<>();
          Instant used;
          try {
            used = Files.getLastModifiedTime(f).toInstant();
            JsonObject o = Records.object(Json.parse(Files.readAllBytes(f)), "record");
            if (kind.equals(STAGES)) {
              Records.readStage(o).layers().forEach(w -> layers.add(w.layer()));
            } else {
              Records.readStep(o).layer().ifPresent(layers::add);
            }
          } catch (NoSuchFileException e) {
            continue; // pruned meanwhile
          } catch (Records.BadRecord | IllegalArgumentException e) {
            used = Instant.EPOCH;
          }
          out.add(new Entry(f, kind.equals(STAGES), used, layers));
        }
      }
    }
    out.sort(Comparator.comparing(Entry::lastUsed));
    return out;
  }

  private boolean present(Layer l) {
    try {
      Descriptor blob = l.descriptor();
      return blobs.has(blob.digest()) && blobs.size(blob.digest()) == blob.size();
    } catch (IOException e) {
      return false;
    }
  }

  private Path file(String kind, Digest key) {
    return dir.resolve(kind).resolve(key.hex() + ".json");
  }

  private Optional<JsonObject> read(String kind, Digest key, Consumer<String> warn) {
    Path f = file(kind, key);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      warn.accept("cache record " + f + " cannot be read (" + e.getMessage() + "); not used");
      return Optional.empty();
    }
    try {
      JsonObject o = Records.object(Json.parse(bytes), "record");
      // a miss rather than an error: validated here, used later
      if (kind.equals(STAGES)) {
        Records.readStage(o);
      } else {
        Records.readStep(o);
      }
      try {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now()));
      } catch (IOException e) {
        // a read-only store still serves hits
      }
      return Optional.of(o);
    } catch (Records.BadRecord | IllegalArgumentException e) {
      warn.accept("cache record " + f + " is damaged (" + e.getMessage() + "); not used");
      return Optional.empty();
    }
  }

  private void write(String kind, Digest key, JsonObject record) throws IOException {
    Path target = file(kind, key);
    Files.createDirectories(target.getParent());
    Dirs.writeAtomically(target, Json.write(record));
  }
}
