package dev.slimbuild.core.build;

import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.AddInstruction;
import dev.slimbuild.core.dockerfile.ArgInstruction;
import dev.slimbuild.core.dockerfile.CmdInstruction;
import dev.slimbuild.core.dockerfile.CommandForm;
import dev.slimbuild.core.dockerfile.CopyInstruction;
import dev.slimbuild.core.dockerfile.EntrypointInstruction;
import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.ExposeInstruction;
import dev.slimbuild.core.dockerfile.HealthcheckInstruction;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.KeyValue;
import dev.slimbuild.core.dockerfile.LabelInstruction;
import dev.slimbuild.core.dockerfile.MaintainerInstruction;
import dev.slimbuild.core.dockerfile.OnbuildInstruction;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.dockerfile.ShellInstruction;
import dev.slimbuild.core.dockerfile.StopSignalInstruction;
import dev.slimbuild.core.dockerfile.UserInstruction;
import dev.slimbuild.core.dockerfile.VolumeInstruction;
import dev.slimbuild.core.dockerfile.WorkdirInstruction;
import dev.slimbuild.core.cache.BuildCache;
import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.cache.CachedLayer;
import dev.slimbuild.core.cache.StageRecord;
import dev.slimbuild.core.cache.StepRecord;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.ImageConfig.Healthcheck;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.Homes;
import dev.slimbuild.core.optimize.LayerOptimizer;
import dev.slimbuild.core.optimize.LayerReport;
import dev.slimbuild.core.optimize.OptimizedLayer;
import dev.slimbuild.core.optimize.PendingLayer;
import dev.slimbuild.core.plan.BuildPlan;
import dev.slimbuild.core.plan.PlannedStage;
import dev.slimbuild.core.plan.StageScope;
import dev.slimbuild.core.pull.BlobCache;
import dev.slimbuild.core.pull.ResolvedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs one stage's instructions, each touching only this stage's state: the file tree, the config
 * and history, and the layers. Instructions that change files add one layer (or none, when they
 * change nothing); the others add a history entry marked {@code empty_layer}, as BuildKit does.
 */
final class StageExecutor {
  static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final String HISTORY_COMMENT = "buildkit.dockerfile.v0";
  private static final Pattern SIMPLE_VAR =
      Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

  private final BuildPlan plan;
  private final PlannedStage stage;
  private final BuildContext context;
  private final LayerSink sink;
  private final Map<Integer, StageResult> done;
  private final EventSink events;
  private final Instant created;
  private final Path staging;
  private final Downloads downloads;
  private final BaseImages bases;
  private final LayerOptimizer optimizer;
  private final RunSupport runs;
  private final dev.slimbuild.core.cache.BuildCache cache;
  private final ContentDigests digests;
  /**
   * Whether the image holds this stage's layers (the final stage and those it starts FROM): only
   * those are slimmed. Another stage keeps every file its steps left, for the COPY --from and
   * RUN --mount from= that read it, and its layers are its steps' own.
   */
  private final boolean slim;
  /** The ARGs this stage declared, in order (a name twice if declared twice), for RUN's history. */
  private final List<String> declaredArgs = new ArrayList<>();
  private RunStep runStep;

  /** Fetches ADD URLs; one build downloads each URL once, whatever the platforms. */
  @FunctionalInterface
  interface Downloads {
    UrlFetcher.Fetched fetch(String url, Optional<dev.slimbuild.core.oci.Digest> checksum)
        throws IOException;
  }

  private final Platform platform;
  private ConfigState config;
  private StageScope scope;
  /** The base's files, loaded on first use; then {@link #tree} is built. */
  private BaseTree base = BaseTree.EMPTY;
  private FileTree tree;
  private final List<LayerRef> layers = new ArrayList<>();
  /** The stage's new layers, written when the stage ends (see {@link #writeLayers}). */
  private final List<Pending> pending = new ArrayList<>();
  private int currentStep;
  /** The key of the stage's last file-changing step (of its FROM when none). */
  private Digest chainKey;
  /** The stage's file-changing steps by instruction index, planned before any of them runs. */
  private final Map<Integer, FsStep> fsSteps = new java.util.HashMap<>();

  /**
   * A new layer of this stage, made by a step (in memory until written) or served from the cache
   * (read from its blob only if a later step needs its files): the step, its history entry, its
   * key, and whether it still has to be written.
   */
  private record Pending(StageLayer layer, String createdBy, String home, int history, int step,
      Digest key, CachedLayer cached) {
    /** Whether the step ran in this build (its layer is not written yet). */
    boolean fresh() {
      return cached == null;
    }

    PendingLayer toPending() {
      return new PendingLayer(layer.entries(), createdBy, home);
    }
  }

  /**
   * A step that changes files, planned: its cache key (from its inputs, before it runs), its
   * history text and entry, the user it runs as (for the strip rules' home), and what it does.
   */
  private record FsStep(Digest key, String createdBy, int history, String user, Action action) {}

  /** What a file-changing step does when it is not served from the cache. */
  @FunctionalInterface
  private interface Action {
    List<LayerEntry> run() throws IOException;
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
      dev.slimbuild.core.cache.BuildCache cache,
      ContentDigests digests,
      boolean slim) {
    this.plan = plan;
    this.stage = stage;
    this.context = context;
    this.sink = sink;
    this.done = done;
    this.events = events;
    this.created = created;
    this.staging = staging;
    this.downloads = downloads;
    this.bases = bases;
    this.optimizer = optimizer;
    this.runs = runs;
    this.cache = cache;
    this.digests = digests;
    this.slim = slim;
    this.platform = stage.platform().orElse(plan.platform());
  }

  StageResult run() throws IOException {
    try {
      return runSteps();
    } catch (java.io.UncheckedIOException e) {
      if (e instanceof StageLayer.CachedLayerException) {
        throw e; // the builder runs the build again without that layer
      }
      throw e.getCause(); // from loading a base image's files lazily
    } finally {
      if (runStep != null) {
        runStep.close(); // the work directory; the RUN layers' files stay until the build ends
      }
    }
  }

  /**
   * Plans every instruction first: those that only change the config apply at once, those that
   * change files get their cache key from their inputs. When the stage's key (its last step's,
   * with how layers are optimised and written) has a record, the stage takes its layers from it and
   * runs nothing; otherwise each file step is served from its own record or runs, in order.
   */
  private StageResult runSteps() throws IOException {
    List<Instruction> instructions = stage.stage().instructions();
    startFromBase();
    for (int i = 0; i < instructions.size(); i++) {
      currentStep = i;
      dispatch(instructions.get(i));
    }
    Digest stageKey = stageKey();
    String index = Integer.toString(stage.index());
    Optional<BuildCache.Hit<StageRecord>> hit =
        fsSteps.isEmpty()
            ? Optional.empty()
            : cache.stage(stageKey, stage.displayName(), index);
    if (hit.isEmpty() && runsAny(instructions, index)) {
      runs.prepare(platform); // the sandbox probes, while the base image's layers are pulled
    }
    String platformName = plan.platform().toString();
    for (int i = 0; i < instructions.size(); i++) {
      Instruction ins = instructions.get(i);
      String text = ins.location().original();
      events.accept(new BuildEvent.StepStarted(platformName, stage.displayName(), i + 1,
          instructions.size(), text));
      long t0 = System.nanoTime();
      FsStep step = fsSteps.get(i);
      String from = null;
      if (step != null) {
        from = hit.isPresent() ? hit.get().from() : execute(i, step, ins, index);
      }
      if (from != null) {
        events.accept(new BuildEvent.StepCached(platformName, stage.displayName(), i + 1,
            instructions.size(), text, from));
      } else {
        events.accept(new BuildEvent.StepFinished(platformName, stage.displayName(), i + 1,
            instructions.size(), text, Duration.ofNanos(System.nanoTime() - t0)));
      }
    }
    if (hit.isPresent()) {
      apply(hit.get().record(), instructions, Map.of());
    } else if (!fsSteps.isEmpty()) {
      writeLayers(instructions, stageKey);
    }
    ImageConfig image =
        new ImageConfig(created, config.author, platform.architecture(), platform.os(),
                platform.osVersion(), platform.osFeatures(), platform.variant(),
                config.toContainerConfig(),
                layers.stream().map(LayerRef::diffId).toList(), List.of())
            .withHistory(history);
    return new StageResult(image, layers, base, layerEntries, stageKey);
  }

  /**
   * The stage's key: its last file step's, with everything that decides the layers written from
   * the steps' layers (optimisation, squash, compression, file times).
   */
  private Digest stageKey() {
    var o = optimizer.options();
    return CacheKey.of("STAGE").add(chainKey).add(o.strip().signature()).add(o.dedup() ? 1 : 0)
        .add(o.dropWasted() ? 1 : 0).add(o.hardlinkDuplicates() ? 1 : 0)
        .add(squashes() ? 1 : 0).add(slim ? "slimmed" : "as the steps left it")
        .add(sink.signature()).digest();
  }

  /** Whether a RUN of the stage will run (the cache has no record of it). */
  private boolean runsAny(List<Instruction> instructions, String index) {
    for (Map.Entry<Integer, FsStep> e : fsSteps.entrySet()) {
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
   * Runs file step {@code i}, or takes what it made from the cache; returns where the cache
   * served it from, or null when it ran.
   */
  private String execute(int i, FsStep step, Instruction ins, String index) throws IOException {
    Optional<BuildCache.Hit<StepRecord>> hit = cache.step(step.key(), stage.displayName(), index);
    if (hit.isPresent()) {
      StepRecord r = hit.get().record();
      if (r.layer().isEmpty()) {
        emptyHistory(step.history());
      } else {
        pending.add(new Pending(StageLayer.lazy(ref(r.layer().get()), bases), step.createdBy(),
            r.home(), step.history(), i, step.key(), r.layer().get()));
        tree = null; // rebuilt if a later step looks: a hit alone reads no file
      }
      return hit.get().from();
    }
    List<LayerEntry> entries = step.action().run();
    if (entries.isEmpty()) {
      emptyHistory(step.history());
      cache.putStep(step.key(), new StepRecord(Optional.empty(), null));
    } else {
      String home = optimizer.options().strip().isEmpty()
          ? null
          : Homes.of(readText("etc/passwd"), step.user());
      pending.add(new Pending(StageLayer.of(entries), step.createdBy(), home, step.history(), i,
          step.key(), null));
      if (tree != null) {
        tree.apply(entries);
      }
    }
    if (ins instanceof RunInstruction && runStep != null) {
      runStep.applied(entries, layerCount());
    }
    return null;
  }

  private static LayerRef ref(CachedLayer l) {
    return new LayerRef(l.blob(), l.diffId(), l.source());
  }

  private static CachedLayer cached(LayerSink.Layer l) {
    return new CachedLayer(l.descriptor(), l.diffId(), l.uncompressedSize(), Optional.empty());
  }

  /** Plans a file step: its history entry now, its work when the stage runs its steps. */
  private void plan(CacheKey key, String createdBy, String user, Action action) {
    Digest k = key.digest();
    fsSteps.put(currentStep, new FsStep(k, createdBy, history.size(), user, action));
    history.add(new History(created, createdBy, null, HISTORY_COMMENT, false));
    chainKey = k;
  }

  private void startFromBase() throws IOException {
    if (stage.baseStage().isPresent()) {
      StageResult from = done.get(stage.baseStage().get());
      config = ConfigState.of(from.config());
      layers.addAll(from.layers());
      layerEntries.addAll(from.layerEntries());
      history.addAll(from.config().history());
      base = from.base();
      chainKey = from.key();
    } else if (stage.fromScratch()) {
      config = new ConfigState();
      chainKey = CacheKey.of("FROM scratch").digest();
    } else {
      ResolvedImage image = resolveImage(stage.baseName(), stage.stage().from(), "FROM ");
      ImageConfig c = image.config().value();
      if (!c.config().onBuild().isEmpty()) {
        throw stage.stage().from().location().error("FROM " + stage.baseName()
            + ": the image has ONBUILD triggers, which slimbuild does not run yet");
      }
      config = ConfigState.of(c);
      List<LayerRef> refs = bases.layerRefs(image);
      layers.addAll(refs);
      history.addAll(c.history());
      base = bases.tree(image);
      // the base by digest: a tag moved to another image misses
      chainKey = CacheKey.of("FROM").add(image.manifest().digest()).digest();
    }
    if (config.env.stream().noneMatch(e -> e.startsWith("PATH="))) {
      config.setEnv("PATH", DEFAULT_PATH);
    }
    scope = new StageScope(plan, config.env);
  }

  /** The image {@code name} for this stage's platform; errors point at {@code where}. */
  private ResolvedImage resolveImage(String name, Instruction where, String what)
      throws IOException {
    ImageReference ref;
    try {
      ref = ImageReference.parse(name);
    } catch (dev.slimbuild.core.SlimbuildException e) {
      throw where.location().error(what + e.getMessage());
    }
    try {
      return bases.resolve(ref, platform);
    } catch (dev.slimbuild.core.SlimbuildException e) {
      String m = e.getMessage();
      throw where.location().error(what + (m.contains(ref.toString()) ? m : name + ": " + m));
    } catch (dev.slimbuild.core.registry.RegistryException e) {
      throw where.location().error(what + ref + ": " + e.getMessage()
          + (e.retryable() ? " (a retry may help)" : ""));
    }
  }

  /** The stage's current files, loading the base image's (and cached layers') files on first use. */
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

  private void dispatch(Instruction ins) throws IOException {
    if (ins instanceof ArgInstruction a) {
      a.args().forEach(arg -> declaredArgs.add(arg.name()));
      commit("ARG " + String.join(" ", scope.declare(a)));
    } else if (ins instanceof EnvInstruction e) {
      env(e);
    } else if (ins instanceof LabelInstruction l) {
      label(l);
    } else if (ins instanceof WorkdirInstruction w) {
      workdir(w);
    } else if (ins instanceof UserInstruction u) {
      config.user = scope.word(u.user(), u);
      commit("USER " + config.user);
    } else if (ins instanceof ExposeInstruction e) {
      expose(e);
    } else if (ins instanceof VolumeInstruction v) {
      volume(v);
    } else if (ins instanceof CmdInstruction c) {
      config.cmd = withShell(c.command());
      config.cmdSetInStage = true;
      config.argsEscaped = true;
      commit("CMD " + goQuoted(config.cmd));
    } else if (ins instanceof EntrypointInstruction e) {
      config.entrypoint = withShell(e.command());
      if (!config.cmdSetInStage) {
        config.cmd = List.of();
      }
      commit("ENTRYPOINT " + goQuoted(config.entrypoint));
    } else if (ins instanceof ShellInstruction s) {
      config.shell = s.shell();
      commit("SHELL [" + String.join(" ", s.shell()) + "]");
    } else if (ins instanceof StopSignalInstruction s) {
      config.stopSignal = Signals.check(scope.word(s.signal(), s), s);
      commit("STOPSIGNAL " + config.stopSignal);
    } else if (ins instanceof HealthcheckInstruction h) {
      healthcheck(h);
    } else if (ins instanceof MaintainerInstruction m) {
      config.author = m.maintainer();
      commit("MAINTAINER " + m.maintainer());
    } else if (ins instanceof CopyInstruction c) {
      copy(c);
    } else if (ins instanceof AddInstruction a) {
      add(a);
    } else if (ins instanceof RunInstruction r) {
      run(r);
    } else if (ins instanceof OnbuildInstruction o) {
      throw o.location().error("ONBUILD is not supported yet");
    } else {
      throw ins.location().error(ins.keyword() + " cannot appear inside a stage");
    }
  }

  private void volume(VolumeInstruction v) {
    List<String> vols = new ArrayList<>();
    for (String raw : v.volumes()) {
      String vol = scope.word(raw, v);
      if (vol.isEmpty()) {
        throw v.location().error("VOLUME specified can not be an empty string");
      }
      vols.add(vol);
    }
    config.volumes.addAll(vols);
    commit("VOLUME [" + String.join(" ", vols) + "]");
  }

  private void env(EnvInstruction e) {
    StringBuilder msg = new StringBuilder("ENV");
    for (KeyValue kv : e.pairs()) {
      String key = scope.word(kv.key(), e);
      String value = scope.word(kv.value(), e);
      config.setEnv(key, value);
      scope.env(key, value);
      msg.append(' ').append(key).append('=').append(value);
    }
    commit(msg.toString());
  }

  private void label(LabelInstruction l) {
    StringBuilder msg = new StringBuilder("LABEL");
    for (KeyValue kv : l.pairs()) {
      String key = scope.word(kv.key(), l);
      String value = scope.word(kv.value(), l);
      config.labels.put(key, value);
      msg.append(' ').append(key).append('=').append(value);
    }
    commit(msg.toString());
  }

  private void workdir(WorkdirInstruction w) {
    String path = "/" + TreePaths.absolute(config.workdirOrRoot(), scope.word(w.path(), w));
    config.workingDir = path;
    String user = config.user;
    plan(CacheKey.of("WORKDIR").add(chainKey).add(path).add(user), "WORKDIR " + path, user,
        () -> workdirEntries(path, user));
  }

  /** The directories WORKDIR creates: the missing ones of {@code path}, owned by {@code user}. */
  private List<LayerEntry> workdirEntries(String path, String user) {
    String dir = TreePaths.resolve(tree(), path.substring(1), true);
    List<LayerEntry> entries = new ArrayList<>();
    if (!dir.isEmpty() && tree().get(dir).isEmpty()) {
      UserDb.Owner owner = user == null ? new UserDb.Owner(0, 0) : userDb().resolve(user);
      List<String> missing = new ArrayList<>();
      for (String d = dir; !d.isEmpty() && tree().get(d).isEmpty();
          d = dev.slimbuild.core.layer.LayerPaths.parent(d)) {
        missing.add(0, d);
      }
      for (String d : missing) {
        entries.add(LayerEntry.dir(d, 0755, owner.uid(), owner.gid()));
      }
      String top = dev.slimbuild.core.layer.LayerPaths.parent(missing.get(0));
      if (!top.isEmpty()) {
        entries.add(0, tree().get(top).orElseThrow());
      }
    }
    return entries;
  }

  private void expose(ExposeInstruction e) {
    List<String> ports = new ArrayList<>();
    for (String raw : e.ports()) {
      for (String word : scope.words(raw, e)) {
        try {
          ports.addAll(Ports.parse(word));
        } catch (dev.slimbuild.core.SlimbuildException ex) {
          throw e.location().error(ex.getMessage());
        }
      }
    }
    config.exposedPorts.addAll(ports);
    commit("EXPOSE [" + String.join(" ", ports) + "]");
  }

  private void healthcheck(HealthcheckInstruction h) {
    config.healthcheck =
        new Healthcheck(h.test(), h.interval().toNanos(), h.timeout().toNanos(),
            h.startPeriod().toNanos(), h.startInterval().toNanos(), h.retries());
    commit("HEALTHCHECK " + (h.none() ? "NONE" : goQuoted(h.test())));
  }

  private void copy(CopyInstruction c) throws IOException {
    if (c.parents()) {
      throw c.location().error("COPY --parents is not supported yet");
    }
    List<String> sources = words(c.sources(), c);
    String dest = scope.word(c.destination(), c);
    Optional<String> chown = c.chown().map(x -> scope.word(x, c));
    Optional<Integer> chmod = chmod(c.chmod(), c);
    List<String> excludes = words(c.excludes(), c);
    UnaryOperator<String> heredocs = heredocExpander();
    String workdir = config.workdirOrRoot();
    String msg = "COPY" + flags(c.chown(), c.chmod(), c) + " " + String.join(" ", sources)
        + heredocNames(c.heredocSources()) + " " + dest;
    if (c.from().isPresent()) {
      msg = "COPY --from=" + c.from().get() + msg.substring(4);
    }
    CacheKey key = CacheKey.of("COPY").add(chainKey).add(msg).add(workdir).add(config.user)
        .addAll(excludes);
    for (var h : c.heredocSources()) {
      key.add(h.name()).add(heredocs.apply(h.text()));
    }
    if (c.from().isPresent()) {
      key.add(sourceKey(c.from().get(), c, "COPY --from="));
    } else {
      digests.add(key, new Copier(new FileTree(), "/", staging).fromContext(context,
          sourceSpec(c, sources, excludes)));
    }
    plan(key, msg + " # buildkit", config.user, () -> {
      Copier.Spec spec =
          new Copier.Spec(c, sources, c.heredocSources(), dest, owner(chown, c), chmod,
              excludes, false, heredocs, List.of());
      Copier copier = new Copier(tree(), workdir, staging);
      return c.from().isPresent()
          ? copier.fromTree(fromTree(c.from().get(), c, "COPY --from="), spec)
          : copier.fromContext(context, spec);
    });
  }

  /** What selects a step's context sources, for its key: the sources as a copy to / finds them. */
  private static Copier.Spec sourceSpec(Instruction where, List<String> sources,
      List<String> excludes) {
    return new Copier.Spec(where, sources, List.of(), "/", Optional.empty(), Optional.empty(),
        excludes, false, UnaryOperator.identity(), List.of());
  }

  /**
   * What a {@code --from} source keys on: the stage's key (so a change in that stage reaches this
   * step), or the image's manifest digest.
   */
  private Digest sourceKey(String from, Instruction where, String what) throws IOException {
    Optional<Integer> idx = dev.slimbuild.core.plan.Planner.stageIndex(from, stageNames());
    if (idx.isPresent()) {
      return done.get(idx.get()).key();
    }
    return resolveImage(from, where, what).manifest().digest();
  }

  /** The files of stage or image {@code from} (COPY --from, RUN --mount from=). */
  private FileTree fromTree(String from, Instruction where, String what) throws IOException {
    Optional<Integer> idx = dev.slimbuild.core.plan.Planner.stageIndex(from, stageNames());
    if (idx.isPresent()) {
      return done.get(idx.get()).tree();
    }
    ResolvedImage image = resolveImage(from, where, what);
    FileTree tree = new FileTree();
    for (List<LayerEntry> l : bases.tree(image).layers()) {
      tree.apply(l);
    }
    return tree;
  }

  private void run(RunInstruction r) throws IOException {
    ConfigState cfg = config.copy();
    Map<String, String> vars =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scope.vars()));
    List<String> declared = List.copyOf(declaredArgs);
    UnaryOperator<String> expand = expander(vars, r);
    String createdBy = RunStep.createdBy(r, platform, cfg, declared, vars);
    CacheKey key = CacheKey.of("RUN").add(chainKey).add(r.location().original())
        .addAll(vars).add(cfg.user).add(cfg.workdirOrRoot()).addAll(cfg.shell)
        .add(platform.normalize().toString()).add(r.network().map(expand).orElse("default"))
        .add(r.security().orElse("sandbox"));
    for (var h : r.heredocs()) {
      key.add(h.name()).add(h.content());
    }
    for (String raw : r.mounts()) {
      RunMountSpec m;
      try {
        m = RunMountSpec.parse(raw, expand);
      } catch (dev.slimbuild.core.SlimbuildException e) {
        throw r.location().error(e.getMessage());
      }
      key.add(raw);
      if (m.type() == RunMountSpec.Type.BIND) {
        String source = m.source() == null || m.source().isEmpty() ? "/" : m.source();
        if (m.from().isPresent()) {
          key.add(sourceKey(m.from().get(), r, "RUN --mount from="));
        } else {
          digests.add(key, new Copier(new FileTree(), "/", staging).fromContext(context,
              sourceSpec(r, List.of(source), List.of())));
        }
      }
    }
    plan(key, createdBy, cfg.user, () -> {
      if (runStep == null) {
        runStep =
            new RunStep(runs, platform, context, staging,
                from -> fromTree(from, r, "RUN --mount from="), stage.displayName());
      }
      Mounted mounted = new Mounted();
      return runStep.run(r, new RunStep.Stage(tree(), layerCount(), cfg, vars, declared, expand,
          () -> mounted.split().images(), () -> mounted.split().rest())).entries();
    });
  }

  /** The stage's layers as a RUN mounts them, worked out once per RUN. */
  private final class Mounted {
    private Split split;

    Split split() {
      if (split == null) {
        split = StageExecutor.this.split();
      }
      return split;
    }
  }

  /**
   * The stage's layers as one RUN sees them: the mountable images (the base's, then each layer
   * the stage added that was read from a blob and unpacked as an image, while there are such),
   * and the entries of the layers above those.
   */
  private record Split(List<BlobCache.LayerImage> images, List<List<LayerEntry>> rest) {}

  private Split split() {
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
    return new Split(images, rest);
  }

  /** The stage's layers so far, written or pending: a RUN's work directory is in step at a count. */
  private int layerCount() {
    return layerEntries.size() + pending.size();
  }

  private void add(AddInstruction a) throws IOException {
    List<String> sources = words(a.sources(), a);
    List<String> local = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    for (String s : sources) {
      if (s.startsWith("http://") || s.startsWith("https://")) {
        urls.add(s);
      } else if (s.startsWith("git@") || s.endsWith(".git") && s.contains("://")) {
        throw a.location().error("ADD " + s + ": git sources are not supported yet");
      } else {
        local.add(s);
      }
    }
    Optional<dev.slimbuild.core.oci.Digest> checksum = Optional.empty();
    if (a.checksum().isPresent()) {
      if (urls.size() != 1 || !local.isEmpty()) {
        throw a.location().error("ADD --checksum requires exactly one HTTP(S) source");
      }
      String c = scope.word(a.checksum().get(), a);
      try {
        checksum = Optional.of(dev.slimbuild.core.oci.Digest.parse(c));
      } catch (IllegalArgumentException e) {
        throw a.location().error("invalid --checksum '" + c + "': expected sha256:<64 hex>");
      }
    }
    List<UrlFetcher.Fetched> fetched = new ArrayList<>();
    for (String url : urls) {
      try {
        fetched.add(downloads.fetch(url, checksum));
      } catch (dev.slimbuild.core.SlimbuildException e) {
        throw a.location().error("ADD failed: " + e.getMessage());
      }
    }
    String dest = scope.word(a.destination(), a);
    Optional<String> chown = a.chown().map(x -> scope.word(x, a));
    Optional<Integer> chmod = chmod(a.chmod(), a);
    List<String> excludes = words(a.excludes(), a);
    UnaryOperator<String> heredocs = heredocExpander();
    String workdir = config.workdirOrRoot();
    String msg = "ADD" + flags(a.chown(), a.chmod(), a) + " " + String.join(" ", sources)
        + heredocNames(a.heredocSources()) + " " + dest + " # buildkit";
    CacheKey key = CacheKey.of("ADD").add(chainKey).add(msg).add(a.location().original())
        .add(workdir).add(config.user).addAll(excludes)
        .add(a.unpack().map(String::valueOf).orElse("default"));
    for (var h : a.heredocSources()) {
      key.add(h.name()).add(heredocs.apply(h.text()));
    }
    for (UrlFetcher.Fetched f : fetched) {
      key.add(f.digest()).add(f.fileName()).add(f.size());
    }
    digests.add(key, new Copier(new FileTree(), "/", staging).fromContext(context,
        sourceSpec(a, local, excludes)));
    plan(key, msg, config.user, () -> {
      Copier.Spec spec =
          new Copier.Spec(a, local, a.heredocSources(), dest, owner(chown, a), chmod, excludes,
              a.unpack().orElse(true), heredocs, fetched);
      return new Copier(tree(), workdir, staging).fromContext(context, spec);
    });
  }

  private Map<String, Integer> stageNames() {
    Map<String, Integer> m = new java.util.HashMap<>();
    for (var s : plan.dockerfile().stages()) {
      s.name().ifPresent(n -> m.putIfAbsent(n, s.index()));
    }
    return m;
  }

  private String flags(Optional<String> chown, Optional<String> chmod, Instruction where) {
    StringBuilder b = new StringBuilder();
    chown.ifPresent(c -> b.append(" --chown=").append(scope.word(c, where)));
    chmod.ifPresent(c -> b.append(" --chmod=").append(scope.word(c, where)));
    return b.toString();
  }

  private static String heredocNames(List<dev.slimbuild.core.dockerfile.Heredoc> hs) {
    return hs.stream().map(h -> " <<" + h.name()).collect(Collectors.joining());
  }

  private List<String> words(List<String> raw, Instruction where) {
    List<String> out = new ArrayList<>();
    for (String r : raw) {
      out.add(scope.word(r, where));
    }
    return out;
  }

  /** The owner {@code --chown} (already expanded) names, resolved in the stage's files now. */
  private Optional<UserDb.Owner> owner(Optional<String> chown, Instruction where) {
    if (chown.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(userDb().resolve(chown.get()));
    } catch (dev.slimbuild.core.SlimbuildException e) {
      throw where.location().error(e.getMessage());
    }
  }

  private Optional<Integer> chmod(Optional<String> chmod, Instruction where) {
    if (chmod.isEmpty()) {
      return Optional.empty();
    }
    String v = scope.word(chmod.get(), where);
    if (v.matches("[0-7]{1,4}")) {
      return Optional.of(Integer.parseInt(v, 8));
    }
    throw where.location().error("invalid chmod parameter: '" + v
        + "'. it should be octal string and between 0 and 07777");
  }

  /** Expands a COPY/ADD heredoc's variables with the values in scope now (not when it runs). */
  private UnaryOperator<String> heredocExpander() {
    Map<String, String> vars = Map.copyOf(scope.vars());
    return text -> {
      Matcher m = SIMPLE_VAR.matcher(text);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        m.appendReplacement(b, Matcher.quoteReplacement(vars.getOrDefault(name, "")));
      }
      m.appendTail(b);
      return b.toString();
    };
  }

  /** Expands words with {@code vars} (a copy of the scope now); errors carry {@code where}'s line. */
  private UnaryOperator<String> expander(Map<String, String> vars, Instruction where) {
    var lex = new dev.slimbuild.core.dockerfile.shell.ShellLex(
        plan.dockerfile().directives().escape());
    return word -> {
      try {
        return lex.processWord(word, vars);
      } catch (dev.slimbuild.core.SlimbuildException e) {
        throw where.location().error(e.getMessage());
      }
    };
  }

  private UserDb userDb() {
    return new UserDb(readText("etc/passwd"), readText("etc/group"));
  }

  /** A small text file of the stage's tree (passwd, group), or null if absent. */
  private String readText(String path) {
    Optional<LayerEntry> e = tree().get(TreePaths.resolve(tree(), path, true));
    if (e.isEmpty() || e.get().content() == null || e.get().size() > (1 << 20)) {
      return null;
    }
    try (InputStream in = e.get().content().open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private List<String> withShell(CommandForm form) {
    if (form instanceof CommandForm.Exec e) {
      return e.args();
    }
    List<String> sh =
        new ArrayList<>(config.shell.isEmpty() ? List.of("/bin/sh", "-c") : config.shell);
    sh.add(((CommandForm.Shell) form).script());
    return List.copyOf(sh);
  }

  /** Go's {@code %q} of a string slice, as BuildKit's history uses: {@code ["a" "b"]}. */
  private static String goQuoted(List<String> args) {
    return args.stream()
        .map(dev.slimbuild.core.json.Json::quote)
        .collect(Collectors.joining(" ", "[", "]"));
  }

  private void commit(String createdBy) {
    history.add(new History(created, createdBy, null, HISTORY_COMMENT, true));
  }

  /**
   * Writes the stage's new layers: first each step's own layer, as the cache keeps it for later
   * builds (what later steps read, before optimisation), then the layers the image gets, optimised
   * together, each once (an optimised layer equal to its step's is the same blob). Records both.
   */
  private void writeLayers(List<Instruction> instructions, Digest stageKey) throws IOException {
    List<CachedLayer> own = new ArrayList<>(); // each step's layer, as the cache keeps it
    for (Pending p : pending) {
      if (p.fresh()) {
        CachedLayer l = cached(sink.write(p.layer().entries()));
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
      Map<Integer, List<LayerEntry>> entries = new java.util.HashMap<>();
      for (int i = 0; i < pending.size(); i++) {
        Pending p = pending.get(i);
        long files = p.fresh() ? LayerOptimizer.files(p.layer().entries()) : -1;
        written.add(new StageRecord.Written(p.step(), own.get(i), files,
            dev.slimbuild.core.optimize.LayerSavings.NONE));
        if (p.fresh()) {
          entries.put(i, p.layer().entries());
        }
      }
      StageRecord record = new StageRecord(written, List.of(), 0);
      cache.putStage(stageKey, record);
      apply(record, instructions, entries);
      return;
    }
    List<PendingLayer> raw = pending.stream().map(Pending::toPending).toList();
    boolean squash = squashes() && pending.size() > 1;
    List<OptimizedLayer> optimized;
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
      optimized = raw.stream().map(p -> new OptimizedLayer(p.entries(),
          dev.slimbuild.core.optimize.LayerSavings.NONE)).toList();
    }
    List<StageRecord.Written> written = new ArrayList<>();
    List<StageRecord.Omitted> omitted = new ArrayList<>();
    Map<Integer, List<LayerEntry>> entries = new java.util.HashMap<>();
    for (int i = 0; i < optimized.size(); i++) {
      OptimizedLayer o = optimized.get(i);
      Pending p = squash ? pending.get(pending.size() - 1) : pending.get(i);
      if (o.entries().isEmpty()) {
        omitted.add(new StageRecord.Omitted(p.step(), o.savings()));
        continue;
      }
      LayerSink.Layer l = sink.write(o.entries());
      entries.put(written.size(), o.entries());
      written.add(new StageRecord.Written(p.step(), cached(l), LayerOptimizer.files(o.entries()),
          o.savings()));
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
  private void apply(StageRecord record, List<Instruction> instructions,
      Map<Integer, List<LayerEntry>> entries) {
    String platformName = plan.platform().toString();
    boolean squash = record.squashed() > 0;
    // a step without a layer of its own in the image (it changed nothing, optimisation emptied
    // its layer, or --squash merged it) has an empty history entry
    java.util.Set<Integer> kept = new java.util.HashSet<>();
    if (!squash) {
      record.layers().forEach(w -> kept.add(w.step()));
    }
    fsSteps.forEach((step, s) -> {
      if (!kept.contains(step)) {
        emptyHistory(s.history());
      }
    });
    for (StageRecord.Omitted o : record.omitted()) {
      Instruction gone = instructions.get(o.step());
      optimizer.recordOmitted(platformName, stage.index(), new LayerReport(stage.displayName(),
          gone.location().original(), gone.location().startLine(), null, 0, 0, o.savings()));
      events.accept(new BuildEvent.LayerWritten(platformName, stage.displayName(),
          o.step() + 1, gone.location().original(), -1, 0, 0,
          o.savings().strippedTotal().bytes(), o.savings().deduplicated().bytes(),
          o.savings().wasted().bytes()));
    }
    for (int i = 0; i < record.layers().size(); i++) {
      StageRecord.Written w = record.layers().get(i);
      LayerRef ref = ref(w.layer());
      layers.add(ref);
      List<LayerEntry> made = entries.get(i);
      layerEntries.add(made != null ? StageLayer.of(made) : StageLayer.lazy(ref, bases));
      Instruction ins = instructions.get(w.step());
      String what = squash
          ? "squashed " + record.squashed() + " layers of stage " + stage.displayName()
          : ins.location().original();
      if (squash) {
        history.add(new History(created, "slimbuild: " + what, null, HISTORY_COMMENT, false));
      }
      optimizer.recordWritten(new LayerReport(stage.displayName(), what,
          squash ? 0 : ins.location().startLine(), ref.descriptor(), w.layer().tarSize(),
          w.files(), w.savings()));
      events.accept(new BuildEvent.LayerWritten(platformName, stage.displayName(), w.step() + 1,
          what, ref.descriptor().size(), w.layer().tarSize(), w.files(),
          w.savings().strippedTotal().bytes(), w.savings().deduplicated().bytes(),
          w.savings().wasted().bytes()));
    }
  }

  private void emptyHistory(int index) {
    History h = history.get(index);
    history.set(index, new History(h.created(), h.createdBy(), h.author(), h.comment(), true));
  }
}
