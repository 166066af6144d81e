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
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
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

  /** A new layer of this stage and where it goes: its history entry and the step that made it. */
  private record Pending(PendingLayer layer, int history, int step) {}
  private final List<List<LayerEntry>> layerEntries = new ArrayList<>();
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
      RunSupport runs) {
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
    this.platform = stage.platform().orElse(plan.platform());
  }

  StageResult run() throws IOException {
    try {
      return runSteps();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause(); // from loading a base image's files lazily
    } finally {
      if (runStep != null) {
        runStep.close(); // the work directory; the RUN layers' files stay until the build ends
      }
    }
  }

  private StageResult runSteps() throws IOException {
    List<Instruction> instructions = stage.stage().instructions();
    if (instructions.stream().anyMatch(RunInstruction.class::isInstance)) {
      runs.prepare(platform); // while the base image is pulled
    }
    startFromBase();
    String platformName = plan.platform().toString();
    for (int i = 0; i < instructions.size(); i++) {
      Instruction ins = instructions.get(i);
      String text = ins.location().original();
      events.accept(new BuildEvent.StepStarted(platformName, stage.displayName(), i + 1,
          instructions.size(), text));
      long t0 = System.nanoTime();
      currentStep = i;
      dispatch(ins);
      events.accept(new BuildEvent.StepFinished(platformName, stage.displayName(), i + 1,
          instructions.size(), text, Duration.ofNanos(System.nanoTime() - t0)));
    }
    writeLayers(instructions);
    ImageConfig image =
        new ImageConfig(created, config.author, platform.architecture(), platform.os(),
                platform.osVersion(), platform.osFeatures(), platform.variant(),
                config.toContainerConfig(),
                layers.stream().map(LayerRef::diffId).toList(), List.of())
            .withHistory(history);
    return new StageResult(image, layers, base, layerEntries);
  }

  private void startFromBase() throws IOException {
    if (stage.baseStage().isPresent()) {
      StageResult from = done.get(stage.baseStage().get());
      config = ConfigState.of(from.config());
      layers.addAll(from.layers());
      layerEntries.addAll(from.layerEntries());
      history.addAll(from.config().history());
      base = from.base();
    } else if (stage.fromScratch()) {
      config = new ConfigState();
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

  /** The stage's current files, loading the base image's files on first use. */
  private FileTree tree() {
    if (tree == null) {
      tree = new FileTree();
      for (List<LayerEntry> l : base.layers()) {
        tree.apply(l);
      }
      for (List<LayerEntry> l : layerEntries) {
        tree.apply(l);
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

  private void workdir(WorkdirInstruction w) throws IOException {
    String path = "/" + TreePaths.absolute(config.workdirOrRoot(), scope.word(w.path(), w));
    config.workingDir = path;
    String dir = TreePaths.resolve(tree(), path.substring(1), true);
    List<LayerEntry> entries = new ArrayList<>();
    if (!dir.isEmpty() && tree().get(dir).isEmpty()) {
      UserDb.Owner owner =
          config.user == null ? new UserDb.Owner(0, 0) : userDb().resolve(config.user);
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
    layer(entries, "WORKDIR " + path);
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
    Copier.Spec spec =
        new Copier.Spec(c, words(c.sources(), c), c.heredocSources(),
            scope.word(c.destination(), c), owner(c.chown(), c), chmod(c.chmod(), c),
            words(c.excludes(), c), false, this::expandHeredoc, List.of());
    List<LayerEntry> entries;
    String msg = "COPY" + flags(c.chown(), c.chmod(), c) + " " + String.join(" ", spec.sources())
        + heredocNames(c.heredocSources()) + " " + spec.destination();
    Copier copier = new Copier(tree(), config.workdirOrRoot(), staging);
    if (c.from().isPresent()) {
      FileTree from = fromTree(c.from().get(), c, "COPY --from=");
      entries = copier.fromTree(from, spec);
      msg = "COPY --from=" + c.from().get() + msg.substring(4);
    } else {
      entries = copier.fromContext(context, spec);
    }
    layer(entries, msg + " # buildkit");
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
    if (runStep == null) {
      runStep =
          new RunStep(runs, platform, context, staging,
              from -> fromTree(from, r, "RUN --mount from="), stage.displayName());
    }
    RunStep.Outcome o =
        runStep.run(r, new RunStep.Stage(tree(), layerCount(), config, scope.vars(),
            List.copyOf(declaredArgs), word -> scope.word(word, r),
            base::images, this::ownLayers));
    layer(o.entries(), o.createdBy());
    runStep.applied(o.entries(), layerCount());
  }

  /** The layers this stage (and the stages it is built FROM) added over the base image's. */
  private List<List<LayerEntry>> ownLayers() {
    List<List<LayerEntry>> out = new ArrayList<>(layerEntries);
    for (Pending p : pending) {
      out.add(p.layer().entries());
    }
    return out;
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
    Copier.Spec spec =
        new Copier.Spec(a, local, a.heredocSources(), scope.word(a.destination(), a),
            owner(a.chown(), a), chmod(a.chmod(), a), words(a.excludes(), a),
            a.unpack().orElse(true), this::expandHeredoc, fetched);
    List<LayerEntry> entries =
        new Copier(tree(), config.workdirOrRoot(), staging).fromContext(context, spec);
    layer(entries, "ADD" + flags(a.chown(), a.chmod(), a) + " " + String.join(" ", sources)
        + heredocNames(a.heredocSources()) + " " + spec.destination() + " # buildkit");
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

  private Optional<UserDb.Owner> owner(Optional<String> chown, Instruction where) {
    if (chown.isEmpty()) {
      return Optional.empty();
    }
    String value = scope.word(chown.get(), where);
    try {
      return Optional.of(userDb().resolve(value));
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

  private String expandHeredoc(String text) {
    Matcher m = SIMPLE_VAR.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String v = scope.vars().getOrDefault(name, "");
      m.appendReplacement(b, Matcher.quoteReplacement(v));
    }
    m.appendTail(b);
    return b.toString();
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
   * The one place a step's file changes become a layer (COPY, ADD, WORKDIR, RUN). The layer is
   * written when the stage ends, optimised with the stage's other new layers; the stage's tree
   * sees the changes as they are right away.
   */
  private void layer(List<LayerEntry> entries, String createdBy) throws IOException {
    if (entries.isEmpty()) {
      commit(createdBy);
      return;
    }
    String home = optimizer.options().strip().isEmpty()
        ? null
        : Homes.of(readText("etc/passwd"), config.user);
    pending.add(new Pending(new PendingLayer(entries, createdBy, home), history.size(),
        currentStep));
    if (tree != null) {
      tree.apply(entries);
    }
    history.add(new History(created, createdBy, null, HISTORY_COMMENT, false));
  }

  /**
   * Optimises and writes the stage's new layers, each once, in order: returns the layer each
   * step made (null for none). A layer optimised away leaves its history entry empty; with
   * {@code --squash} the final stage's layers become one, recorded by one more history entry.
   */
  private void writeLayers(List<Instruction> instructions) throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    List<PendingLayer> raw = pending.stream().map(Pending::layer).toList();
    boolean squash = optimizer.options().squash() && pending.size() > 1
        && plan.stages().get(plan.stages().size() - 1).index() == stage.index();
    List<OptimizedLayer> optimized;
    if (optimizer.options().any()) {
      FileTree lower = new FileTree(); // the stage's files below its first new layer
      for (List<LayerEntry> l : base.layers()) {
        lower.apply(l);
      }
      for (List<LayerEntry> l : layerEntries) {
        lower.apply(l);
      }
      optimized = optimizer.optimizeStage(lower, raw, squash);
    } else {
      optimized = raw.stream().map(p -> new OptimizedLayer(p.entries(),
          dev.slimbuild.core.optimize.LayerSavings.NONE)).toList();
    }
    String platformName = plan.platform().toString();
    for (int i = 0; i < optimized.size(); i++) {
      OptimizedLayer o = optimized.get(i);
      Pending p = squash ? pending.get(pending.size() - 1) : pending.get(i);
      if (squash) {
        for (Pending q : pending) {
          emptyHistory(q.history());
        }
      }
      if (o.entries().isEmpty()) {
        emptyHistory(p.history());
        Instruction gone = instructions.get(p.step());
        optimizer.recordOmitted(platformName, stage.index(), new LayerReport(stage.displayName(),
            gone.location().original(), gone.location().startLine(), null, 0, 0, o.savings()));
        events.accept(new BuildEvent.LayerWritten(platformName, stage.displayName(),
            p.step() + 1, gone.location().original(), -1, 0, 0,
            o.savings().strippedTotal().bytes(), o.savings().deduplicated().bytes(),
            o.savings().wasted().bytes()));
        continue;
      }
      LayerSink.Layer l = sink.write(o.entries());
      layers.add(l.ref());
      layerEntries.add(o.entries());
      Instruction ins = instructions.get(p.step());
      String what = squash
          ? "squashed " + pending.size() + " layers of stage " + stage.displayName()
          : ins.location().original();
      if (squash) {
        history.add(new History(created, "slimbuild: " + what, null, HISTORY_COMMENT, false));
      }
      long files = LayerOptimizer.files(o.entries());
      optimizer.recordWritten(new LayerReport(stage.displayName(), what,
          squash ? 0 : ins.location().startLine(), l.descriptor(), l.uncompressedSize(), files,
          o.savings()));
      events.accept(new BuildEvent.LayerWritten(platformName, stage.displayName(), p.step() + 1,
          what, l.descriptor().size(), l.uncompressedSize(), files,
          o.savings().strippedTotal().bytes(), o.savings().deduplicated().bytes(),
          o.savings().wasted().bytes()));
    }
  }

  private void emptyHistory(int index) {
    History h = history.get(index);
    history.set(index, new History(h.created(), h.createdBy(), h.author(), h.comment(), true));
  }
}
