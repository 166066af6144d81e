package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.BuildCache;
import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.cache.StageRecord;
import dev.slimbuild.core.cache.StepRecord;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerSavings;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.Homes;
import dev.slimbuild.core.optimize.LayerOptimizer;
import dev.slimbuild.core.optimize.LayerReport;
import dev.slimbuild.core.plan.BuildPlan;
import dev.slimbuild.core.plan.PlannedStage;
import dev.slimbuild.core.plan.StageScope;
import dev.slimbuild.core.pull.BlobCache;
import dev.slimbuild.core.pull.ResolvedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one stage's instructions, each touching only this stage's state: the file tree, the config
 * and history, and the layers. Instructions that change files add one layer (or none, when they
 * change nothing); the others add a history entry marked {@code empty_layer}, as BuildKit does.
 * Each instruction is planned by its handler ({@link StepHandlers}); this class runs the stage: the
 * stage record's lookup, the file steps in order, and the layers written at the end.
 */
final class StageExecutor {
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final BuildPlan plan;
  private final PlannedStage stage;
  private final LayerSink sink;
  private final Map<Integer, StageResult> done;
  private final EventSink events;
  private final Instant created;
  private final BaseImages bases;
  private final LayerOptimizer optimizer;
  private final RunSupport runs;
  private final BuildCache cache;
  private final StageInputs inputs;

  /**
   * Whether the image holds this stage's layers (the final stage and those it starts FROM): only
   * those are slimmed. Another stage keeps every file its steps left, for the COPY --from and RUN
   * --mount from= that read it, and its layers are its steps' own.
   */
  private final boolean slim;

  /** Fetches ADD URLs; one build downloads each URL once, whatever the platforms. */
  @FunctionalInterface
  interface Downloads {
    UrlFetcher.Fetched fetch(String url, Optional<Digest> checksum) throws IOException;
  }

  private final Platform platform;

  /** The stage as its handlers plan it (config, scope, history, file steps); set by FROM. */
  private StageState state;

  /** The base's files, loaded on first use; then {@link #tree} is built. */
  private BaseTree base = BaseTree.EMPTY;

  private Optional<ResolvedImage> baseImage = Optional.empty();
  private FileTree tree;
  private final List<Layer> layers = new ArrayList<>();

  /** The stage's new layers, written when the stage ends (see {@link #writeLayers}). */
  private final List<Pending> pending = new ArrayList<>();

  /**
   * A new layer of this stage, made by a step (in memory until written) or served from the cache
   * (read from its blob only if a later step needs its files): the step, its history entry, its
   * key, and whether it still has to be written.
   */
  private record Pending(
      StageLayer layer,
      String createdBy,
      String home,
      int history,
      int step,
      Digest key,
      Layer cached) {
    /** Whether the step ran in this build (its layer is not written yet). */
    boolean fresh() {
      return cached == null;
    }

    Layer.Changes changes() {
      return new Layer.Changes(layer.entries(), createdBy, home);
    }
  }

  private final List<StageLayer> layerEntries = new ArrayList<>();
  private final List<History> history = new ArrayList<>();

  StageExecutor(
      BuildPlan plan,
      PlannedStage stage,
      BuildContext context,
      LayerSink sink,
      Map<Integer, StageResult> done,
      EventSink events,
      Instant created,
      Path staging,
      Downloads downloads,
      BaseImages bases,
      LayerOptimizer optimizer,
      RunSupport runs,
      BuildCache cache,
      ContentDigests digests,
      NamedContexts contexts,
      boolean slim) {
    this.plan = plan;
    this.stage = stage;
    this.sink = sink;
    this.done = done;
    this.events = events;
    this.created = created;
    this.bases = bases;
    this.optimizer = optimizer;
    this.runs = runs;
    this.cache = cache;
    this.slim = slim;
    this.platform = stage.platform().orElse(plan.platform());
    this.inputs =
        new StageInputs(
            context,
            staging,
            digests,
            downloads,
            new StageSources(plan, done, bases, platform, contexts),
            runs,
            platform,
            stage.displayName(),
            plan.dockerfile().directives().escape(),
            new StepLog(events, plan.platform(), stage.displayName()));
  }

  StageResult run() throws IOException {
    try {
      return runSteps();
    } catch (UncheckedIOException e) {
      if (e instanceof StageLayer.CachedLayerException) {
        throw e; // the builder runs the build again without that layer
      }
      throw e.getCause(); // from loading a base image's files lazily
    } finally {
      if (state != null && state.runStep() != null) {
        // the work directory; the RUN layers' files stay until the build ends
        state.runStep().close();
      }
    }
  }

  /**
   * Plans every instruction first: those that only change the config apply at once, those that
   * change files get their cache key from their inputs. When the stage's key (its last step's, with
   * how layers are optimised and written) has a record, the stage takes its layers from it and runs
   * nothing; otherwise each file step is served from its own record or runs, in order.
   */
  private StageResult runSteps() throws IOException {
    // a stage a named context replaces is that context: none of its instructions run
    List<Instruction> instructions = stage.replaced() ? List.of() : stage.stage().instructions();
    // the base's ONBUILD triggers first, then the stage's own instructions
    List<Instruction> triggers = startFromBase();
    if (stage.replaced()) {
      triggers = List.of();
    }
    List<Instruction> own = instructions;
    instructions = new ArrayList<>(triggers);
    instructions.addAll(own);
    for (int i = 0; i < instructions.size(); i++) {
      state.at(i);
      StepHandlers.plan(instructions.get(i), state);
    }
    Map<Integer, FsStep> fsSteps = state.fileSteps();
    Digest stageKey = stageKey();
    String index = Integer.toString(stage.index());
    Optional<BuildCache.Hit<StageRecord>> hit =
        fsSteps.isEmpty() ? Optional.empty() : cache.stage(stageKey, stage.displayName(), index);
    if (hit.isEmpty() && runsAny(instructions, index)) {
      runs.prepare(platform); // the sandbox probes, while the base image's layers are pulled
    }
    String platformName = plan.platform().toString();
    for (int i = 0; i < instructions.size(); i++) {
      Instruction ins = instructions.get(i);
      String text = (i < triggers.size() ? "ONBUILD " : "") + ins.location().original();
      events.accept(
          new BuildEvent.StepStarted(
              platformName, stage.displayName(), i + 1, instructions.size(), text));
      inputs.log().at(i + 1);
      long t0 = System.nanoTime();
      FsStep step = fsSteps.get(i);
      String from = null;
      if (step != null) {
        from = hit.isPresent() ? hit.get().from() : execute(i, step, ins, index);
      }
      if (from != null) {
        events.accept(
            new BuildEvent.StepCached(
                platformName, stage.displayName(), i + 1, instructions.size(), text, from));
      } else {
        events.accept(
            new BuildEvent.StepFinished(
                platformName,
                stage.displayName(),
                i + 1,
                instructions.size(),
                text,
                Duration.ofNanos(System.nanoTime() - t0)));
      }
    }
    if (hit.isPresent()) {
      apply(hit.get().record(), instructions, Map.of());
    } else if (!fsSteps.isEmpty()) {
      writeLayers(instructions, stageKey);
    }
    ConfigState config = state.config;
    ImageConfig image =
        ImageConfig.builder(platform)
            .created(created)
            .author(config.author)
            .config(config.toContainerConfig())
            .diffIds(layers.stream().map(Layer::diffId).toList())
            .history(history)
            .build();
    return new StageResult(image, layers, base, layerEntries, stageKey, baseImage);
  }

  /**
   * The stage's key: its last file step's, with everything that decides the layers written from the
   * steps' layers (optimisation, squash, compression, file times).
   */
  private Digest stageKey() {
    var o = optimizer.options();
    return CacheKey.of("STAGE")
        .add(state.chainKey())
        .add(o.strip().signature())
        .add(o.dedup() ? 1 : 0)
        .add(o.dropWasted() ? 1 : 0)
        .add(o.hardlinkDuplicates() ? 1 : 0)
        .add(squashes() ? 1 : 0)
        .add(slim ? "slimmed" : "as the steps left it")
        .add(sink.signature())
        .digest();
  }

  /** Whether a RUN of the stage will run (the cache has no record of it). */
  private boolean runsAny(List<Instruction> instructions, String index) {
    for (Map.Entry<Integer, FsStep> e : state.fileSteps().entrySet()) {
      if (instructions.get(e.getKey()) instanceof RunInstruction
          && cache.step(e.getValue().key(), stage.displayName(), index).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code --squash} applies to this stage (the final one). */
  private boolean squashes() {
    return optimizer.options().squash()
        && plan.stages().get(plan.stages().size() - 1).index() == stage.index();
  }

  /**
   * Runs file step {@code i}, or takes what it made from the cache; returns where the cache served
   * it from, or null when it ran.
   */
  private String execute(int i, FsStep step, Instruction ins, String index) throws IOException {
    Optional<BuildCache.Hit<StepRecord>> hit = cache.step(step.key(), stage.displayName(), index);
    if (hit.isPresent()) {
      StepRecord r = hit.get().record();
      if (r.layer().isEmpty()) {
        emptyHistory(step.history());
      } else {
        pending.add(
            new Pending(
                StageLayer.lazy(r.layer().get(), bases),
                step.createdBy(),
                r.home(),
                step.history(),
                i,
                step.key(),
                r.layer().get()));
        tree = null; // rebuilt if a later step looks: a hit alone reads no file
      }
      return hit.get().from();
    }
    List<LayerEntry> entries = step.action().run();
    if (entries.isEmpty()) {
      emptyHistory(step.history());
      cache.putStep(step.key(), new StepRecord(Optional.empty(), null));
    } else {
      String home =
          optimizer.options().strip().isEmpty()
              ? null
              : Homes.of(state.readText("etc/passwd"), step.user());
      pending.add(
          new Pending(
              StageLayer.of(entries), step.createdBy(), home, step.history(), i, step.key(), null));
      if (tree != null) {
        tree.apply(entries);
      }
    }
    if (ins instanceof RunInstruction && state.runStep() != null) {
      state.runStep().applied(entries, layerCount());
    }
    return null;
  }

  /** FROM: the stage's config, layers, history, base files and first key; then its state. */
  /** Starts the stage from its base; returns the base's ONBUILD triggers, to run first. */
  private List<Instruction> startFromBase() throws IOException {
    FromStep.Start start = FromStep.start(stage, done, bases, inputs.sources(), sink, created);
    // the image the stage's files start from, through FROM other-stage chains
    baseImage =
        start.image().isPresent()
            ? start.image()
            : stage.baseStage().map(done::get).flatMap(StageResult::baseImage);
    start
        .image()
        .ifPresent(
            i ->
                events.accept(
                    new BuildEvent.BaseImage(
                        plan.platform().toString(),
                        stage.displayName(),
                        stage.baseName(),
                        i.digest().toString(),
                        i.layers().size(),
                        i.layers().stream().mapToLong(Descriptor::size).sum())));
    layers.addAll(start.layers());
    layerEntries.addAll(start.layerEntries());
    history.addAll(start.history());
    base = start.base();
    ConfigState config = start.config();
    state =
        new StageState(
            config,
            new StageScope(plan, config.env),
            inputs,
            new Files(),
            created,
            history,
            start.key());
    return start.triggers();
  }

  /** The stage's files as its steps see them when they run. */
  private final class Files implements StageState.Files {
    @Override
    public FileTree tree() {
      return StageExecutor.this.tree();
    }

    @Override
    public int layerCount() {
      return StageExecutor.this.layerCount();
    }

    @Override
    public StageState.Split split() {
      return StageExecutor.this.split();
    }
  }

  /**
   * The stage's current files, loading the base image's (and cached layers') files on first use.
   */
  private FileTree tree() {
    if (tree == null) {
      tree = new FileTree();
      for (List<LayerEntry> l : base.layers()) {
        tree.apply(l);
      }
      for (StageLayer l : layerEntries) {
        tree.apply(l.entries());
      }
      for (Pending p : pending) {
        tree.apply(p.layer().entries());
      }
    }
    return tree;
  }

  private StageState.Split split() {
    List<BlobCache.LayerImage> images = new ArrayList<>(base.images());
    List<StageLayer> own = new ArrayList<>(layerEntries);
    for (Pending p : pending) {
      own.add(p.layer());
    }
    int k = 0;
    if (images.size() == base.layers().size()) { // every base layer is an image, or none is
      for (; k < own.size(); k++) {
        Optional<BlobCache.LayerImage> i = own.get(k).image();
        if (i.isEmpty()) {
          break;
        }
        images.add(i.get());
      }
    }
    List<List<LayerEntry>> rest = new ArrayList<>();
    for (StageLayer l : own.subList(k, own.size())) {
      rest.add(l.entries());
    }
    return new StageState.Split(images, rest);
  }

  /**
   * The stage's layers so far, written or pending: a RUN's work directory is in step at a count.
   */
  private int layerCount() {
    return layerEntries.size() + pending.size();
  }

  /**
   * Writes the stage's new layers: first each step's own layer, as the cache keeps it for later
   * builds (what later steps read, before optimisation), then the layers the image gets, optimised
   * together, each once (an optimised layer equal to its step's is the same blob). Records both.
   */
  private void writeLayers(List<Instruction> instructions, Digest stageKey) throws IOException {
    List<Layer> own = new ArrayList<>(); // each step's layer, as the cache keeps it
    for (Pending p : pending) {
      if (p.fresh()) {
        Layer l = sink.write(p.layer().entries());
        cache.putStep(p.key(), new StepRecord(Optional.of(l), p.home()));
        own.add(l);
      } else {
        own.add(p.cached());
      }
    }
    if (pending.isEmpty()) {
      cache.putStage(stageKey, new StageRecord(List.of(), List.of(), 0));
      return;
    }
    if (!slim) {
      // the steps' own layers, not read again: a cached one stays where it is until asked for
      List<StageRecord.Written> written = new ArrayList<>();
      Map<Integer, List<LayerEntry>> entries = new HashMap<>();
      for (int i = 0; i < pending.size(); i++) {
        Pending p = pending.get(i);
        long files = p.fresh() ? LayerOptimizer.files(p.layer().entries()) : -1;
        written.add(new StageRecord.Written(p.step(), own.get(i), files, LayerSavings.NONE));
        if (p.fresh()) {
          entries.put(i, p.layer().entries());
        }
      }
      StageRecord record = new StageRecord(written, List.of(), 0);
      cache.putStage(stageKey, record);
      apply(record, instructions, entries);
      return;
    }
    List<Layer.Changes> raw = pending.stream().map(Pending::changes).toList();
    boolean squash = squashes() && pending.size() > 1;
    List<Layer.Planned> optimized;
    if (optimizer.options().any()) {
      FileTree lower = new FileTree(); // the stage's files below its first new layer
      for (List<LayerEntry> l : base.layers()) {
        lower.apply(l);
      }
      for (StageLayer l : layerEntries) {
        lower.apply(l.entries());
      }
      optimized = optimizer.optimizeStage(lower, raw, squash);
    } else {
      optimized = raw.stream().map(Layer.Planned::unchanged).toList();
    }
    List<StageRecord.Written> written = new ArrayList<>();
    List<StageRecord.Omitted> omitted = new ArrayList<>();
    Map<Integer, List<LayerEntry>> entries = new HashMap<>();
    for (int i = 0; i < optimized.size(); i++) {
      Layer.Planned o = optimized.get(i);
      Pending p = squash ? pending.get(pending.size() - 1) : pending.get(i);
      if (o.entries().isEmpty()) {
        omitted.add(new StageRecord.Omitted(p.step(), o.savings()));
        continue;
      }
      Layer l = sink.write(o.entries());
      entries.put(written.size(), o.entries());
      written.add(
          new StageRecord.Written(p.step(), l, LayerOptimizer.files(o.entries()), o.savings()));
    }
    StageRecord record = new StageRecord(written, omitted, squash ? pending.size() : 0);
    cache.putStage(stageKey, record);
    apply(record, instructions, entries);
  }

  /**
   * Takes the stage's layers as {@code record} says (just written, or from the cache): the image's
   * layers, the history entries of emptied steps, the size report and the events. {@code entries}
   * holds the entries of the layers just written, by position; others are read when needed.
   */
  private void apply(
      StageRecord record, List<Instruction> instructions, Map<Integer, List<LayerEntry>> entries) {
    String platformName = plan.platform().toString();
    boolean squash = record.squashed() > 0;
    // a step without a layer of its own in the image (it changed nothing, optimisation emptied
    // its layer, or --squash merged it) has an empty history entry
    Set<Integer> kept = new HashSet<>();
    if (!squash) {
      record.layers().forEach(w -> kept.add(w.step()));
    }
    state
        .fileSteps()
        .forEach(
            (step, s) -> {
              if (!kept.contains(step)) {
                emptyHistory(s.history());
              }
            });
    for (StageRecord.Omitted o : record.omitted()) {
      Instruction gone = instructions.get(o.step());
      optimizer.recordOmitted(
          plan.platform(),
          stage.index(),
          new LayerReport(
              stage.displayName(),
              gone.location().original(),
              gone.location().startLine(),
              null,
              0,
              0,
              o.savings()));
      events.accept(
          new BuildEvent.LayerWritten(
              platformName,
              stage.displayName(),
              o.step() + 1,
              gone.location().original(),
              -1,
              0,
              0,
              o.savings().strippedTotal().bytes(),
              o.savings().deduplicated().bytes(),
              o.savings().wasted().bytes()));
    }
    for (int i = 0; i < record.layers().size(); i++) {
      StageRecord.Written w = record.layers().get(i);
      Layer ref = w.layer();
      long tarSize = ref.uncompressedSize().getAsLong();
      layers.add(ref);
      List<LayerEntry> made = entries.get(i);
      layerEntries.add(made != null ? StageLayer.of(made) : StageLayer.lazy(ref, bases));
      Instruction ins = instructions.get(w.step());
      String what =
          squash
              ? "squashed " + record.squashed() + " layers of stage " + stage.displayName()
              : ins.location().original();
      if (squash) {
        history.add(
            new History(created, "slimbuild: " + what, null, StageState.HISTORY_COMMENT, false));
      }
      optimizer.recordWritten(
          new LayerReport(
              stage.displayName(),
              what,
              squash ? 0 : ins.location().startLine(),
              ref.descriptor(),
              tarSize,
              w.files(),
              w.savings()));
      events.accept(
          new BuildEvent.LayerWritten(
              platformName,
              stage.displayName(),
              w.step() + 1,
              what,
              ref.descriptor().size(),
              tarSize,
              w.files(),
              w.savings().strippedTotal().bytes(),
              w.savings().deduplicated().bytes(),
              w.savings().wasted().bytes()));
    }
  }

  private void emptyHistory(int index) {
    History h = history.get(index);
    history.set(index, new History(h.created(), h.createdBy(), h.author(), h.comment(), true));
  }
}
