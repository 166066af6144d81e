package dev.slimbuild.core.cache;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One build's view of the cache: records this build made (always reused: a step that is the same
 * for two platforms runs once), then the local store's (unless {@code --no-cache}, or {@code
 * --no-cache-filter} names the stage), then each imported cache in the order given. It remembers
 * every record the build used or made, for {@code --cache-to}. Nothing here fails a build: a record
 * that cannot be read or written is a warning, and a miss.
 */
public final class BuildCache {
  /** A record found, and where: {@code this build}, {@code local}, or the imported cache's name. */
  public record Hit<T>(T record, String from) {}

  /** A cache imported with {@code --cache-from}: its name in progress lines, and its records. */
  public record Imported(String name, CacheContents contents) {}

  private final BlobStore store;
  private final LocalCache local;
  private final boolean useLocal;
  private final Set<String> noCacheStages;
  private final List<Imported> imports;
  private final Consumer<String> warn;
  private final Map<Digest, StepRecord> madeSteps = new ConcurrentHashMap<>();
  private final Map<Digest, StageRecord> madeStages = new ConcurrentHashMap<>();
  private final Map<Digest, StepRecord> usedSteps = new ConcurrentHashMap<>();
  private final Map<Digest, StageRecord> usedStages = new ConcurrentHashMap<>();
  private final Map<Digest, Layer> statements = new ConcurrentHashMap<>();
  private final Set<Digest> rejected = ConcurrentHashMap.newKeySet();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /**
   * A view over {@code store}'s cache; {@code useLocal} false for {@code --no-cache}; {@code
   * noCacheStages} the stage names (or indexes) never served from earlier builds.
   */
  public BuildCache(
      BlobStore store,
      boolean useLocal,
      Collection<String> noCacheStages,
      List<Imported> imports,
      Consumer<String> warn) {
    this.store = store;
    this.local = new LocalCache(store);
    this.useLocal = useLocal;
    this.noCacheStages = Set.copyOf(noCacheStages);
    this.imports = List.copyOf(imports);
    this.warn = warn;
  }

  /** A view with no imports, using the local cache unless {@code useLocal} is false. */
  public static BuildCache local(BlobStore store, boolean useLocal, Consumer<String> warn) {
    return new BuildCache(store, useLocal, List.of(), List.of(), warn);
  }

  private boolean reusable(String stageName, String stageIndex) {
    return !noCacheStages.contains(stageName) && !noCacheStages.contains(stageIndex);
  }

  /** The record of step {@code key} of stage {@code stageName} (index {@code stageIndex}). */
  public Optional<Hit<StepRecord>> step(Digest key, String stageName, String stageIndex) {
    StepRecord made = madeSteps.get(key);
    if (made != null) {
      return Optional.of(new Hit<>(made, "this build"));
    }
    if (!reusable(stageName, stageIndex)) {
      return Optional.empty();
    }
    if (useLocal) {
      Optional<StepRecord> r = local.step(key, this::warnOnce).filter(this::usable);
      if (r.isPresent()) {
        usedSteps.put(key, r.get());
        return Optional.of(new Hit<>(r.get(), "local"));
      }
    }
    for (Imported i : imports) {
      StepRecord r = i.contents().steps().get(key);
      if (r != null && usable(r) && imported(r.layer().stream().toList())) {
        StepRecord here = localised(r);
        usedSteps.put(key, here);
        return Optional.of(new Hit<>(here, i.name()));
      }
    }
    return Optional.empty();
  }

  /** The record of the stage whose final key is {@code key}. */
  public Optional<Hit<StageRecord>> stage(Digest key, String stageName, String stageIndex) {
    StageRecord made = madeStages.get(key);
    if (made != null) {
      return Optional.of(new Hit<>(made, "this build"));
    }
    if (!reusable(stageName, stageIndex)) {
      return Optional.empty();
    }
    if (useLocal) {
      Optional<StageRecord> r = local.stage(key, this::warnOnce).filter(this::usable);
      if (r.isPresent()) {
        usedStages.put(key, r.get());
        return Optional.of(new Hit<>(r.get(), "local"));
      }
    }
    for (Imported i : imports) {
      StageRecord r = i.contents().stages().get(key);
      if (r != null
          && usable(r)
          && imported(r.layers().stream().map(StageRecord.Written::layer).toList())) {
        StageRecord here = localised(r);
        usedStages.put(key, here);
        return Optional.of(new Hit<>(here, i.name()));
      }
    }
    return Optional.empty();
  }

  /**
   * The blob of the attestation statement whose key is {@code key}, from an imported cache (a
   * layout cache's is copied into the store first; a registry cache's stays in its repository until
   * read). The local store keeps statements itself ({@code STORE/cache/attest}).
   */
  public Optional<Hit<Layer>> statement(Digest key) {
    for (Imported i : imports) {
      Layer l = i.contents().statements().get(key);
      if (l != null && !rejected.contains(l.descriptor().digest()) && imported(List.of(l))) {
        return Optional.of(new Hit<>(localised(l), i.name()));
      }
    }
    return Optional.empty();
  }

  /** Remembers the statement blob (in the store) whose key is {@code key}, for --cache-to. */
  public void putStatement(Digest key, Descriptor blob) {
    statements.put(key, Layer.written(blob, blob.digest(), blob.size()));
  }

  /** Remembers what step {@code key} made, here and in the local store. */
  public void putStep(Digest key, StepRecord record) {
    madeSteps.put(key, record);
    try {
      local.putStep(key, record);
    } catch (IOException e) {
      warnOnce(
          "the local cache cannot be written ("
              + e.getMessage()
              + "); later builds will"
              + " run these steps again");
    }
  }

  /** Remembers the layers the stage whose final key is {@code key} wrote. */
  public void putStage(Digest key, StageRecord record) {
    madeStages.put(key, record);
    try {
      local.putStage(key, record);
    } catch (IOException e) {
      warnOnce(
          "the local cache cannot be written ("
              + e.getMessage()
              + "); later builds will"
              + " run these steps again");
    }
  }

  /**
   * Stops serving every record that names {@code blob} (its bytes did not match its digest); says
   * so once.
   */
  public void reject(Digest blob, String why) {
    if (rejected.add(blob)) {
      warnOnce("cached layer " + blob + " is unusable (" + why + "); its steps run again");
    }
    madeSteps.values().removeIf(r -> r.layer().map(l -> names(l, blob)).orElse(false));
    madeStages.values().removeIf(r -> r.layers().stream().anyMatch(w -> names(w.layer(), blob)));
    usedSteps.values().removeIf(r -> r.layer().map(l -> names(l, blob)).orElse(false));
    usedStages.values().removeIf(r -> r.layers().stream().anyMatch(w -> names(w.layer(), blob)));
  }

  private static boolean names(Layer l, Digest blob) {
    return l.descriptor().digest().equals(blob);
  }

  /**
   * The records to export: with {@code max}, every record this build used or made; without, the
   * records whose layers the image holds anyway ({@code imageLayers}), so that a min cache uploads
   * nothing beyond the image (as buildx's min mode, it has no builder stages).
   */
  public CacheContents export(boolean max, Set<Digest> imageLayers) {
    Map<Digest, StepRecord> steps = new LinkedHashMap<>(usedSteps);
    steps.putAll(madeSteps);
    Map<Digest, StageRecord> stages = new LinkedHashMap<>(usedStages);
    stages.putAll(madeStages);
    if (!max) {
      steps
          .values()
          .removeIf(
              r ->
                  r.layer().isPresent()
                      && !imageLayers.contains(r.layer().get().descriptor().digest()));
      // a stage the image does not hold (a builder stage) is not in a min cache either
      stages
          .values()
          .removeIf(
              r ->
                  r.layers().stream()
                      .anyMatch(w -> !imageLayers.contains(w.layer().descriptor().digest())));
    }
    Map<Digest, Layer> made = new LinkedHashMap<>(statements);
    made.values().removeIf(l -> rejected.contains(l.descriptor().digest()));
    return new CacheContents(steps, stages, made);
  }

  /** Whether {@code blob} is a layer of an imported cache (its bytes are not checked yet). */
  public boolean imported(Digest blob) {
    return imports.stream()
        .anyMatch(
            i ->
                i.contents().layers().stream().anyMatch(l -> l.descriptor().digest().equals(blob)));
  }

  /** The layer {@code blob} of an imported cache, with the repository that holds its bytes. */
  public Optional<Layer> importedLayer(Digest blob) {
    for (Imported i : imports) {
      for (Layer l : i.contents().layers()) {
        if (l.descriptor().digest().equals(blob)) {
          return Optional.of(l);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether anything was used from the cache or made into it. */
  public boolean isEmpty() {
    return usedSteps.isEmpty()
        && madeSteps.isEmpty()
        && usedStages.isEmpty()
        && madeStages.isEmpty();
  }

  private boolean usable(StepRecord r) {
    return r.layer().map(l -> !rejected.contains(l.descriptor().digest())).orElse(true);
  }

  private boolean usable(StageRecord r) {
    return r.layers().stream().noneMatch(w -> rejected.contains(w.layer().descriptor().digest()));
  }

  /** Copies the layers of a record from a layout cache into the store; false if one fails. */
  private boolean imported(List<Layer> layers) {
    for (Layer l : layers) {
      if (CacheTransfer.layoutDir(l).isEmpty()) {
        continue;
      }
      try {
        CacheTransfer.importLayoutBlob(l, store);
      } catch (IOException e) {
        reject(l.descriptor().digest(), e.getMessage());
        return false;
      }
    }
    return true;
  }

  /** A layout cache's layer is in the store once imported: it has no source of its own. */
  private static Layer localised(Layer l) {
    return CacheTransfer.layoutDir(l).isPresent()
        ? Layer.written(l.descriptor(), l.diffId(), l.uncompressedSize().getAsLong())
        : l;
  }

  private static StepRecord localised(StepRecord r) {
    return new StepRecord(r.layer().map(BuildCache::localised), r.home());
  }

  private static StageRecord localised(StageRecord r) {
    List<StageRecord.Written> w = new ArrayList<>();
    for (StageRecord.Written x : r.layers()) {
      w.add(new StageRecord.Written(x.step(), localised(x.layer()), x.files(), x.savings()));
    }
    return new StageRecord(w, r.omitted(), r.squashed());
  }

  private void warnOnce(String message) {
    if (warned.add(message)) {
      warn.accept(message);
    }
  }
}
