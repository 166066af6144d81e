package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.plan.BuildPlan;
import dev.slimbuild.core.plan.PlanRequest;
import dev.slimbuild.core.plan.PlannedStage;
import dev.slimbuild.core.plan.Planner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds a Dockerfile into images in a blob store: parse, plan per platform, run the needed
 * stages, and assemble one manifest per platform (plus an index for several platforms).
 */
public final class Builder {
  private final BlobStore store;
  private final EventSink events;

  public Builder(BlobStore store, EventSink events) {
    this.store = store;
    this.events = events;
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

  public BuildResult build(BuildRequest request) throws IOException {
    String text;
    try {
      text = Files.readString(request.dockerfile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SlimbuildException("Dockerfile not found: " + request.dockerfileName());
    }
    Dockerfile dockerfile = DockerfileParser.parse(text, request.dockerfileName());
    if (!Files.isDirectory(request.context())) {
      throw new SlimbuildException("build context is not a directory: " + request.context());
    }
    BuildContext context = BuildContext.open(request.context(), request.dockerfile());
    Instant created = Instant.ofEpochSecond(request.sourceDateEpoch());
    LayerSink sink =
        new LayerSink(store, request.compression(), request.compressionLevel(),
            request.sourceDateEpoch());

    List<String> warnings = new ArrayList<>();
    List<BuiltImage> images = new ArrayList<>();
    Map<String, List<StepReport>> steps = new LinkedHashMap<>();
    Path staging = Files.createTempDirectory("slimbuild-staging-");
    UrlFetcher urlFetcher = new UrlFetcher();
    Map<String, UrlFetcher.Fetched> fetched = new HashMap<>();
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
    try {
      for (Platform platform : request.platforms()) {
        BuildPlan plan =
            Planner.plan(dockerfile, new PlanRequest(request.buildArgs(), request.target(),
                platform, hostPlatform()));
        if (!plan.unusedBuildArgs().isEmpty() && images.isEmpty()) {
          String w = "build-args " + plan.unusedBuildArgs() + " were not consumed";
          warnings.add(w);
          events.accept(new BuildEvent.Warning(w));
        }
        Map<Integer, StageResult> done = new HashMap<>();
        StageResult last = null;
        for (PlannedStage stage : plan.stages()) {
          last =
              new StageExecutor(
                      plan, stage, context, sink, done, events, created, staging, downloads)
                  .run();
          done.put(stage.index(), last);
        }
        steps.put(platform.toString(), collectSteps(plan, done));
        images.add(assemble(last, request, sink));
      }
    } finally {
      deleteTree(staging);
    }
    ImageOutput out =
        images.size() == 1 ? images.get(0) : ImageIndex.assemble(store, images, Map.of());
    return new BuildResult(out, steps, warnings);
  }

  private static List<StepReport> collectSteps(BuildPlan plan, Map<Integer, StageResult> done) {
    List<StepReport> all = new ArrayList<>();
    for (PlannedStage s : plan.stages()) {
      all.addAll(done.get(s.index()).steps());
    }
    return all;
  }

  private BuiltImage assemble(StageResult target, BuildRequest request, LayerSink sink)
      throws IOException {
    ImageConfig config = target.config();
    List<LayerSink.Layer> layers = new ArrayList<>(target.layers());
    if (!request.labels().isEmpty()) {
      TreeMap<String, String> labels = new TreeMap<>(config.config().labels());
      labels.putAll(request.labels());
      var c = config.config();
      config =
          new ImageConfig(config.created(), config.author(), config.architecture(), config.os(),
              config.osVersion(), config.osFeatures(), config.variant(),
              new ImageConfig.ContainerConfig(c.user(), c.exposedPorts(), c.env(),
                  c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(), labels, c.stopSignal(),
                  c.argsEscaped(), c.healthcheck(), c.onBuild(), c.shell()),
              config.diffIds(), config.history());
    }
    if (layers.isEmpty()) {
      // an OCI manifest needs one layer: an empty tar stands for "no files"
      LayerSink.Layer empty = sink.write(List.<LayerEntry>of());
      layers.add(empty);
      List<ImageConfig.History> h = new ArrayList<>(config.history());
      h.add(new ImageConfig.History(config.created(), "slimbuild: empty layer", null,
          "the image has no files; an OCI manifest needs at least one layer", false));
      config =
          new ImageConfig(config.created(), config.author(), config.architecture(), config.os(),
                  config.osVersion(), config.osFeatures(), config.variant(), config.config(),
                  List.of(empty.diffId()), List.of())
              .withHistory(h);
    }
    List<Descriptor> descriptors = layers.stream().map(LayerSink.Layer::descriptor).toList();
    return BuiltImage.assemble(store, config, descriptors, Map.of());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
