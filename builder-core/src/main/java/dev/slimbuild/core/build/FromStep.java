package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.core.plan.PlannedStage;
import dev.slimbuild.core.pull.ResolvedImage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FROM: what a stage starts with, and the key its first step keys on: an earlier stage's result (by
 * that stage's key), nothing (scratch), a base image (by its manifest digest, so a tag moved to
 * another image misses; a named context's image too), or a named directory context's files (by
 * their content). A base image's ONBUILD triggers are read back here.
 */
final class FromStep {
  /**
   * The stage's start: config, layers, the layers' entries, history, base files and key, and the
   * base image when it starts from one.
   */
  record Start(
      ConfigState config,
      List<Layer> layers,
      List<StageLayer> layerEntries,
      List<History> history,
      BaseTree base,
      Digest key,
      List<Instruction> triggers,
      Optional<ResolvedImage> image) {}

  private FromStep() {}

  static Start start(
      PlannedStage stage,
      Map<Integer, StageResult> done,
      BaseImages bases,
      StageSources sources,
      LayerSink sink,
      Instant created)
      throws IOException {
    Start start;
    Optional<BuildContext> dir =
        stage.baseStage().isEmpty() && !stage.fromScratch()
            ? sources.directory(stage.baseName())
            : Optional.empty();
    if (dir.isPresent()) {
      start = fromDirectory(stage, dir.get(), sources.contexts(), sink, created);
    } else if (stage.baseStage().isPresent()) {
      StageResult from = done.get(stage.baseStage().get());
      start =
          new Start(
              ConfigState.of(from.config()),
              from.layers(),
              from.layerEntries(),
              from.config().history(),
              from.base(),
              from.key(),
              stage.triggers(),
              Optional.empty());
    } else if (stage.fromScratch()) {
      start =
          new Start(
              new ConfigState(),
              List.of(),
              List.of(),
              List.of(),
              BaseTree.EMPTY,
              CacheKey.of("FROM scratch").digest(),
              List.of(),
              Optional.empty());
    } else {
      ResolvedImage image = sources.resolveImage(stage.baseName(), stage.stage().from(), "FROM ");
      ImageConfig c = image.config().value();
      // the base's ONBUILD triggers run first, read back at the FROM line (ConfigState.of drops
      // them from this image's config, as Docker does)
      List<Instruction> triggers = new ArrayList<>();
      for (String t : c.config().onBuild()) {
        triggers.add(DockerfileParser.parseTrigger(t, stage.stage().from().location()));
      }
      ConfigState config = ConfigState.of(c);
      List<Layer> refs = bases.imageLayers(image);
      start =
          new Start(
              config,
              refs,
              List.of(),
              c.history(),
              bases.tree(image),
              CacheKey.of("FROM").add(image.manifest().digest()).digest(),
              triggers,
              Optional.of(image));
    }
    ConfigState config = start.config();
    if (config.env.stream().noneMatch(e -> e.startsWith("PATH="))) {
      config.setEnv("PATH", StageExecutor.DEFAULT_PATH);
    }
    return start;
  }

  /**
   * FROM a named directory context: an empty config and one layer of the directory's files (as
   * BuildKit starts a stage from a local context), keyed on their content. The history names the
   * context, never its path on this machine.
   */
  private static Start fromDirectory(
      PlannedStage stage, BuildContext dir, NamedContexts contexts, LayerSink sink, Instant created)
      throws IOException {
    Instruction where = stage.stage().from();
    List<LayerEntry> entries = contexts.entries(dir, where);
    Digest key = CacheKey.of("FROM context").add(contexts.key(dir, where)).digest();
    if (entries.isEmpty()) {
      return new Start(
          new ConfigState(),
          List.of(),
          List.of(),
          List.of(),
          BaseTree.EMPTY,
          key,
          List.of(),
          Optional.empty());
    }
    Layer layer = sink.write(entries);
    History h =
        new History(
            created,
            "slimbuild: the files of the named context " + stage.baseName(),
            null,
            StageState.HISTORY_COMMENT,
            false);
    return new Start(
        new ConfigState(),
        List.of(layer),
        List.of(StageLayer.of(entries)),
        List.of(h),
        BaseTree.EMPTY,
        key,
        List.of(),
        Optional.empty());
  }
}
