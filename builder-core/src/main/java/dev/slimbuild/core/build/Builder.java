package dev.slimbuild.core.build;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.Compressors;
import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.compress.HashingOutputStream;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.cache.BuildCache;
import dev.slimbuild.core.cache.CacheContents;
import dev.slimbuild.core.cache.CacheSpec;
import dev.slimbuild.core.cache.CacheTransfer;
import dev.slimbuild.core.cache.LocalCache;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.context.GitCheckout;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.dockerfile.AddInstruction;
import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.http.Proxies;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BlobWriter;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerWriter;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.ImageLints;
import dev.slimbuild.core.optimize.LayerOptimizer;
import dev.slimbuild.core.optimize.OptimizeOptions;
import dev.slimbuild.core.optimize.SizeReport;
import dev.slimbuild.core.plan.BuildPlan;
import dev.slimbuild.core.plan.PlanRequest;
import dev.slimbuild.core.plan.PlannedStage;
import dev.slimbuild.core.plan.Planner;
import dev.slimbuild.core.pull.BlobCache;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryProvider;
import dev.slimbuild.core.run.ErofsMount;
import dev.slimbuild.core.run.Overlay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a Dockerfile into images in a blob store: parse, plan per platform, run the needed stages,
 * and assemble one manifest per platform (plus an index for several platforms).
 */
public final class Builder {
  private final BlobStore store;
  private final EventSink events;
  private final RegistryProvider registries;
  private final BlobCache cache;
  private final Proxies urlProxies;

  /** A builder without registry access: FROM and COPY --from images are refused. */
  public Builder(BlobStore store, EventSink events) {
    this(store, events, RegistryProvider.NONE);
  }

  /**
   * A builder that pulls base images through {@code registries}, caching their blobs in {@code
   * store} (so outputs find them there) and unpacked layers under {@code STORE/unpacked}.
   */
  public Builder(BlobStore store, EventSink events, RegistryProvider registries) {
    this(store, events, registries, true);
  }

  /**
   * A builder that pulls base images through {@code registries}; with {@code layerImages}, base
   * layers are unpacked into EROFS images where they can be mounted (root, a kernel with EROFS)
   * rather than into one file per entry.
   */
  public Builder(
      BlobStore store, EventSink events, RegistryProvider registries, boolean layerImages) {
    this(store, events, registries, layerImages, Proxies.fromEnv(System.getenv()));
  }

  /**
   * As {@link #Builder(BlobStore, EventSink, RegistryProvider, boolean)}, with {@code ADD <URL>}
   * downloads through {@code urlProxies} (from the caller's environment, as registries get theirs).
   */
  public Builder(
      BlobStore store,
      EventSink events,
      RegistryProvider registries,
      boolean layerImages,
      Proxies urlProxies) {
    this(
        store,
        events,
        registries,
        BlobCache.in(store, () -> layerImages && layerImagesUsable(store)),
        urlProxies);
  }

  private static boolean layerImagesUsable(BlobStore store) {
    try {
      Files.createDirectories(store.root());
      return ErofsMount.unavailable(Files.createTempDirectory(store.root(), ".layer-image-probe-"))
          == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** A builder with its own cache of pulled blobs and unpacked layers. */
  public Builder(BlobStore store, EventSink events, RegistryProvider registries, BlobCache cache) {
    this(store, events, registries, cache, Proxies.fromEnv(System.getenv()));
  }

  private Builder(
      BlobStore store,
      EventSink events,
      RegistryProvider registries,
      BlobCache cache,
      Proxies urlProxies) {
    this.store = store;
    this.events = events;
    this.registries = registries;
    this.cache = cache.reporting(events); // base layers' downloads show their bytes
    this.urlProxies = urlProxies;
  }

  /** Opens a base layer of {@code result}, downloading it into the cache first if needed. */
  public InputStream openBaseLayer(BuildResult result, Digest digest) throws IOException {
    Layer r = result.baseLayers().get(digest);
    if (r == null && !store.has(digest)) {
      // a layer a registry cache served, still in the cache's repository
      r = result.cache().importedLayer(digest).filter(Layer::isRemote).orElse(null);
    }
    if (r == null) {
      throw new NoSuchFileException("blob " + digest);
    }
    if (store.has(digest)) {
      return store.open(digest);
    }
    new BaseImages(registries, cache).fetch(r);
    return cache.blobs().open(digest);
  }

  /**
   * Downloads the base-image layers of {@code result} that are not in the store yet (into the
   * cache, then into the store if the cache is elsewhere), for outputs that need every blob: OCI
   * layouts, docker archives, the local store. A push does not need this: it mounts them.
   */
  void fetchBaseLayers(BuildResult result) throws IOException {
    fetchBaseLayers(result, null);
  }

  private void fetchBaseLayers(BuildResult result, BuildCache from) throws IOException {
    BaseImages bases = new BaseImages(registries, cache);
    for (Layer r :
        result.baseLayers().values().stream()
            .sorted(Comparator.comparing(l -> l.descriptor().digest()))
            .toList()) {
      Digest d = r.descriptor().digest();
      if (!store.has(d)) {
        try {
          bases.fetch(r);
        } catch (IOException | RuntimeException e) {
          if (from != null && from.imported(d)) { // built again without it
            throw new StageLayer.CachedLayerException(
                d, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
          }
          throw e;
        }
        if (!store.has(d)) {
          try (InputStream in = cache.blobs().open(d);
              BlobWriter w = store.newWriter()) {
            in.transferTo(w);
            w.commit(d);
          }
        }
      }
    }
  }

  /** The platform slimbuild runs on, as a container platform. */
  public static Platform hostPlatform() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String a =
        switch (arch) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          default -> arch;
        };
    return Platform.of("linux", a, null);
  }

  private CacheSettings cacheSettings = CacheSettings.DEFAULT;

  /** Uses the cache as {@code settings} say (by default: the local store's cache). */
  public Builder cache(CacheSettings settings) {
    this.cacheSettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  private Map<String, String> manifestAnnotations = Map.of();
  private Map<String, String> indexAnnotations = Map.of();
  private Map<String, String> descriptorAnnotations = Map.of();

  /**
   * buildx's {@code --annotation}: {@code manifest} on every platform's manifest, {@code index} on
   * the index and {@code descriptor} on each manifest's descriptor in the index (both only when the
   * build makes an index: several platforms).
   */
  public Builder annotations(
      Map<String, String> manifest, Map<String, String> index, Map<String, String> descriptor) {
    this.manifestAnnotations = Map.copyOf(manifest);
    this.indexAnnotations = Map.copyOf(index);
    this.descriptorAnnotations = Map.copyOf(descriptor);
    return this;
  }

  /** How many times a build starts over when a cached layer turns out to be unusable. */
  private static final int CACHE_ATTEMPTS = 3;

  /** Builds with the default optimisations ({@link OptimizeOptions#defaults()}). */
  public BuildResult build(BuildRequest request) throws IOException {
    return build(request, OptimizeOptions.defaults());
  }

  /** Builds, optimising the layers the build creates as {@code options} say. */
  public BuildResult build(BuildRequest request, OptimizeOptions options) throws IOException {
    return build(request, options, false);
  }

  /**
   * Builds as {@link #build(BuildRequest, OptimizeOptions)}; with {@code fetchLayers}, also
   * downloads every layer the image holds that is not in the store yet (for outputs that need their
   * bytes). A layer from an imported cache that cannot be used (its bytes do not match its digest)
   * costs one warning and a new start without it, never a wrong image or a failed build.
   */
  public BuildResult build(BuildRequest request, OptimizeOptions options, boolean fetchLayers)
      throws IOException {
    BuildCache buildCache = openCache();
    for (int attempt = 1; ; attempt++) {
      try {
        BuildResult result = build(request, options, buildCache);
        if (fetchLayers) {
          fetchBaseLayers(result, buildCache);
        }
        return result;
      } catch (StageLayer.CachedLayerException e) {
        if (attempt >= CACHE_ATTEMPTS) {
          throw e.getCause();
        }
        buildCache.reject(e.blob(), e.getCause().getMessage());
      }
    }
  }

  /** The build's view of the cache: the local store's, then each --cache-from. */
  private BuildCache openCache() {
    List<BuildCache.Imported> imports = new ArrayList<>();
    for (CacheSpec spec : cacheSettings.from()) {
      try {
        CacheContents c;
        if (spec.type() == CacheSpec.Type.LOCAL) {
          c = CacheTransfer.readLayout(spec.dir().orElseThrow());
        } else {
          var ref = spec.ref().orElseThrow();
          c = CacheTransfer.pull(registry(ref.registry()), ref);
        }
        imports.add(new BuildCache.Imported(spec.describe(), c));
        events.accept(
            new BuildEvent.Info(
                "cache "
                    + spec.describe()
                    + ": "
                    + c.steps().size()
                    + " steps, "
                    + c.stages().size()
                    + " stages"));
      } catch (IOException | RuntimeException e) {
        events.accept(
            new BuildEvent.Warning(
                "--cache-from "
                    + spec.describe()
                    + " cannot be read ("
                    + e.getMessage()
                    + "); building without it"));
      }
    }
    return new BuildCache(
        store,
        !cacheSettings.noCache(),
        cacheSettings.noCacheStages(),
        imports,
        w -> events.accept(new BuildEvent.Warning(w)));
  }

  private final Map<String, Registry> cacheRegistries = new HashMap<>();

  private Registry registry(String host) throws IOException {
    Registry r = cacheRegistries.get(host);
    if (r == null) {
      r = registries.forHost(host);
      cacheRegistries.put(host, r);
    }
    return r;
  }

  /**
   * Writes the cache of {@code result} to every {@code --cache-to}: each failure is a warning, as
   * buildx's {@code ignore-error}; the image is built either way.
   */
  public void exportCache(BuildResult result) {
    Set<Digest> imageLayers = new HashSet<>();
    for (BuiltImage i : result.image().images()) {
      i.layers().forEach(d -> imageLayers.add(d.digest()));
    }
    BaseImages bases = new BaseImages(registries, cache);
    CacheTransfer.RemoteBlobs remote =
        l -> {
          bases.fetch(l);
          return cache.blobs().open(l.descriptor().digest());
        };
    for (CacheSpec spec : cacheSettings.to()) {
      CacheContents c = result.cache().export(spec.max(), imageLayers);
      try {
        if (spec.type() == CacheSpec.Type.LOCAL) {
          CacheTransfer.writeLayout(spec.dir().orElseThrow(), c, store, remote);
        } else {
          var ref = spec.ref().orElseThrow();
          CacheTransfer.push(registry(ref.registry()), ref, c, store, remote);
        }
        events.accept(
            new BuildEvent.Info(
                "exported cache to "
                    + spec.describe()
                    + " ("
                    + c.steps().size()
                    + " steps, "
                    + c.stages().size()
                    + " stages, mode="
                    + (spec.max() ? "max" : "min")
                    + ")"));
      } catch (IOException | RuntimeException e) {
        events.accept(
            new BuildEvent.Warning(
                "--cache-to "
                    + spec.describe()
                    + " could not be written ("
                    + e.getMessage()
                    + "); the image is built"));
      }
    }
  }

  private BuildResult build(BuildRequest request, OptimizeOptions options, BuildCache buildCache)
      throws IOException {
    String text;
    if (!Files.isDirectory(request.context())) {
      throw new SlimbuildException(
          "build context "
              + request.context()
              + ": "
              + (Files.exists(request.context()) ? "not a directory" : "no such directory")
              + " (looked for "
              + request.context().toAbsolutePath().normalize()
              + ")");
    }
    BuildContext.checkDockerfile(request.context(), request.dockerfile()); // never read a host file
    try {
      text = Files.readString(request.dockerfile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      String looked = request.dockerfile().toAbsolutePath().normalize().toString();
      throw new SlimbuildException(
          "Dockerfile not found: "
              + request.dockerfileName()
              + (looked.equals(request.dockerfileName()) ? "" : " (looked for " + looked + ")"));
    }
    Dockerfile dockerfile = DockerfileParser.parse(text, request.dockerfileName());
    BuildContext context = BuildContext.open(request.context(), request.dockerfile());
    Instant created = Instant.ofEpochSecond(request.sourceDateEpoch());
    LayerSink sink =
        new LayerSink(
                store, request.compression(), request.compressionLevel(), request.sourceDateEpoch())
            .memo(LocalCache.layerMemo(store));

    List<String> warnings = new ArrayList<>();
    dockerfile.warnings().forEach(w -> warn(w, warnings));
    ImageLints.secretsInArgOrEnv(dockerfile).forEach(w -> warn(w, warnings));
    List<BuiltImage> images = new ArrayList<>();
    Map<Platform, SizeReport> reports = new LinkedHashMap<>();
    LayerOptimizer optimizer = new LayerOptimizer(options);
    Path staging = Files.createTempDirectory("slimbuild-staging-");
    UrlFetcher urlFetcher = new UrlFetcher(urlProxies, request.networkTimeout());
    Map<String, UrlFetcher.Fetched> fetched = new HashMap<>();
    BaseImages bases = new BaseImages(registries, cache);
    StageExecutor.Downloads downloads =
        (url, checksum) -> {
          String key = url + "\0" + checksum.map(Object::toString).orElse("");
          UrlFetcher.Fetched f = fetched.get(key);
          if (f == null) {
            f = urlFetcher.fetch(url, checksum, staging);
            fetched.put(key, f);
          }
          return f;
        };
    RunSupport runs = new RunSupport(request.run(), events, request.sourceDateEpoch());
    ContentDigests digests = new ContentDigests();
    NamedContexts named =
        new NamedContexts(request.contexts(), store, cache, bases, staging, digests);
    // a build stopped by a signal leaves no mount and no temporary directory behind either
    Thread cleanup =
        new Thread(
            () -> {
              Overlay.unmountAll();
              try {
                IoStep.runAll(List.of(runs::deleteNow, () -> Trees.delete(staging)));
              } catch (IOException | RuntimeException e) {
                // exiting anyway: say what stays behind
                System.err.println("slimbuild: stopped; could not clean up: " + e);
              }
            },
            "slimbuild-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      runs.startSshAgents(); // --ssh key files: a key ssh-add refuses fails before any work
      for (Platform platform : request.platforms()) {
        BuildPlan plan =
            Planner.plan(
                dockerfile,
                new PlanRequest(
                    request.buildArgs(),
                    request.target(),
                    platform,
                    hostPlatform(),
                    request.contexts().keySet()));
        if (!plan.unusedBuildArgs().isEmpty() && images.isEmpty()) {
          String w = "build-args " + plan.unusedBuildArgs() + " were not consumed";
          warnings.add(w);
          events.accept(new BuildEvent.Warning(w));
        }
        Map<Integer, StageResult> done = new HashMap<>();
        StageResult last = null;
        // the stages whose layers the image holds are slimmed; the others only serve COPY --from
        // and RUN --mount from=, which read every file their steps left
        Set<Integer> imageStages = new HashSet<>(chain(plan));
        for (PlannedStage stage : plan.stages()) {
          last =
              new StageExecutor(
                      plan,
                      stage,
                      context,
                      sink,
                      done,
                      events,
                      created,
                      staging,
                      downloads,
                      bases,
                      optimizer,
                      runs,
                      buildCache,
                      digests,
                      named,
                      imageStages.contains(stage.index()))
                  .run();
          done.put(stage.index(), last);
        }
        if (images.isEmpty()) {
          lint(plan, request, warnings);
          var cc = last.config().config();
          if (!cc.entrypoint().isEmpty() || !cc.cmd().isEmpty()) { // a data-only image never runs
            ImageLints.runsAsRoot(cc.user()).ifPresent(w -> warn(w, warnings));
          }
        }
        BuiltImage image = assemble(last, request, sink, bases);
        images.add(image);
        reports.put(platform, optimizer.report(platform, image.layers(), chain(plan)));
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // shutting down already: the hook cleans up
      }
      try {
        runs.close();
      } finally {
        Trees.delete(staging);
      }
    }
    ImageOutput out =
        images.size() == 1
            ? images.get(0)
            : ImageIndex.assemble(store, images, indexAnnotations, descriptorAnnotations);
    return new BuildResult(
        out,
        warnings,
        bases.used(),
        reports,
        buildCache,
        bases.resolvedImages(),
        Digest.sha256Of(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The manifest's annotations: the OCI standard ones slimbuild knows ({@code created}; {@code
   * source} and {@code revision} when the context is a git checkout; {@code base.name} and {@code
   * base.digest} of the image the final stage starts from), then {@code --annotation}'s, which win.
   */
  private Map<String, String> standardAnnotations(StageResult target, BuildRequest request) {
    Map<String, String> out = new TreeMap<>();
    out.put(
        "org.opencontainers.image.created",
        Instant.ofEpochSecond(request.sourceDateEpoch()).toString());
    GitCheckout.find(request.context())
        .ifPresent(
            g -> {
              if (!g.url().isEmpty()) {
                out.put("org.opencontainers.image.source", g.url());
              }
              out.put("org.opencontainers.image.revision", g.commit());
            });
    target
        .baseImage()
        .ifPresent(
            b -> {
              out.put("org.opencontainers.image.base.name", b.reference().toString());
              out.put("org.opencontainers.image.base.digest", b.digest().toString());
            });
    out.putAll(manifestAnnotations);
    return out;
  }

  /** The final stage's index and those of the stages it starts FROM, in order. */
  private static List<Integer> chain(BuildPlan plan) {
    Map<Integer, PlannedStage> byIndex = new HashMap<>();
    for (PlannedStage s : plan.stages()) {
      byIndex.put(s.index(), s);
    }
    List<Integer> out = new ArrayList<>();
    PlannedStage s = plan.stages().get(plan.stages().size() - 1);
    while (s != null && out.size() <= plan.stages().size()) {
      out.add(0, s.index());
      s = s.baseStage().map(byIndex::get).orElse(null);
    }
    return out;
  }

  private void warn(String w, List<String> warnings) {
    warnings.add(w);
    events.accept(new BuildEvent.Warning(w));
  }

  /** Warnings about the Dockerfile that do not depend on the platform. */
  private void lint(BuildPlan plan, BuildRequest request, List<String> warnings) {
    for (PlannedStage s : plan.stages()) {
      if (!s.fromScratch()
          && s.baseStage().isEmpty()
          && !s.replaced()
          && !request.contexts().containsKey(NamedContext.key(s.baseName()))) {
        ImageLints.mutableBase(s.baseName())
            .ifPresent(
                w ->
                    warn(
                        request.dockerfileName()
                            + ":"
                            + s.stage().from().location().startLine()
                            + ": "
                            + w,
                        warnings));
      }
      for (var ins : s.stage().instructions()) {
        if (ins instanceof AddInstruction a && a.checksum().isEmpty()) {
          ImageLints.addWhereCopyWouldDo(a.sources())
              .ifPresent(
                  w ->
                      warn(
                          request.dockerfileName() + ":" + a.location().startLine() + ": " + w,
                          warnings));
        }
      }
    }
  }

  /**
   * A base layer re-encoded with the request's compression (same diff_id, new blob), for {@code
   * --recompress}; other layers as they are. Each blob is re-encoded once per build.
   */
  private Layer recompressed(Layer layer, BuildRequest request) throws IOException {
    if (!layer.isRemote()
        || Compression.fromMediaType(layer.descriptor().mediaType()) == request.compression()) {
      return layer;
    }
    Layer done = recompressedBlobs.get(layer.descriptor().digest());
    if (done != null) {
      return done;
    }
    new BaseImages(registries, cache).fetch(layer);
    BlobStore from = store.has(layer.descriptor().digest()) ? store : cache.blobs();
    Layer r;
    try (InputStream raw = from.open(layer.descriptor().digest());
        InputStream tar = Decompressors.open(raw, layer.descriptor().mediaType());
        BlobWriter out = store.newWriter()) {
      HashingOutputStream t =
          LayerWriter.encode(
              request.compression(),
              request.compressionLevel(),
              Compressors.DEFAULT_ZSTD_WORKERS,
              out,
              tar::transferTo);
      Digest diffId = Digest.sha256(t.digest());
      if (!diffId.equals(layer.diffId())) {
        throw new SlimbuildException(
            "base layer "
                + layer.descriptor().digest()
                + " does not decompress to its diff_id "
                + layer.diffId()
                + " (got "
                + diffId
                + ")");
      }
      r = out.commitLayer(request.compression().mediaType(), diffId, t.count());
    }
    recompressedBlobs.put(layer.descriptor().digest(), r);
    return r;
  }

  private final Map<Digest, Layer> recompressedBlobs = new ConcurrentHashMap<>();

  private BuiltImage assemble(
      StageResult target, BuildRequest request, LayerSink sink, BaseImages bases)
      throws IOException {
    ImageConfig config = target.config();
    List<Layer> layers = new ArrayList<>(target.layers());
    if (!request.labels().isEmpty()) {
      TreeMap<String, String> labels = new TreeMap<>(config.config().labels());
      labels.putAll(request.labels());
      config = config.withConfig(config.config().toBuilder().labels(labels).build());
    }
    if (layers.isEmpty()) {
      // an OCI manifest needs one layer: an empty tar stands for "no files"
      Layer empty = sink.write(List.<LayerEntry>of());
      layers.add(empty);
      List<ImageConfig.History> h = new ArrayList<>(config.history());
      h.add(
          new ImageConfig.History(
              config.created(),
              "slimbuild: empty layer",
              null,
              "the image has no files; an OCI manifest needs at least one layer",
              false));
      config = config.toBuilder().diffIds(List.of(empty.diffId())).history(h).build();
    }
    if (request.recompress()) {
      for (int i = 0; i < layers.size(); i++) {
        layers.set(i, recompressed(layers.get(i), request));
      }
    }
    bases.use(layers); // the base layers the image holds, after --recompress replaced any
    List<Descriptor> descriptors = layers.stream().map(Layer::descriptor).toList();
    Set<Digest> remote = new HashSet<>();
    for (Layer l : layers) {
      if (l.isRemote()) {
        remote.add(l.descriptor().digest());
      }
    }
    return BuiltImage.assemble(
        store, config, descriptors, standardAnnotations(target, request), remote);
  }
}
