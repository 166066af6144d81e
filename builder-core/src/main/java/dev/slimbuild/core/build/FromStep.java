package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.core.plan.PlannedStage;
import dev.slimbuild.core.pull.ResolvedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FROM: what a stage starts with, and the key its first step keys on: an earlier stage's result
 * (by that stage's key), nothing (scratch), or a base image (by its manifest digest, so a tag
 * moved to another image misses). A base image's ONBUILD triggers are refused here.
 */
final class FromStep {
  /**
   * The stage's start: config, layers, the layers' entries, history, base files and key, and the
   * base image when it starts from one.
   */
  record Start(ConfigState config, List<LayerRef> layers, List<StageLayer> layerEntries,
      List<History> history, BaseTree base, Digest key, List<Instruction> triggers,
      Optional<ResolvedImage> image) {}

  private FromStep() {}

  static Start start(PlannedStage stage, Map<Integer, StageResult> done, BaseImages bases,
      StageSources sources) throws IOException {
    Start start;
    if (stage.baseStage().isPresent()) {
      StageResult from = done.get(stage.baseStage().get());
      start = new Start(ConfigState.of(from.config()), from.layers(), from.layerEntries(),
          from.config().history(), from.base(), from.key(), stage.triggers(), Optional.empty());
    } else if (stage.fromScratch()) {
      start = new Start(new ConfigState(), List.of(), List.of(), List.of(), BaseTree.EMPTY,
          CacheKey.of("FROM scratch").digest(), List.of(), Optional.empty());
    } else {
      ResolvedImage image =
          sources.resolveImage(stage.baseName(), stage.stage().from(), "FROM ");
      ImageConfig c = image.config().value();
      // the base's ONBUILD triggers run first, read back at the FROM line (ConfigState.of drops
      // them from this image's config, as Docker does)
      List<Instruction> triggers = new ArrayList<>();
      for (String t : c.config().onBuild()) {
        triggers.add(DockerfileParser.parseTrigger(t, stage.stage().from().location()));
      }
      ConfigState config = ConfigState.of(c);
      List<LayerRef> refs = bases.layerRefs(image);
      start = new Start(config, refs, List.of(), c.history(), bases.tree(image),
          CacheKey.of("FROM").add(image.manifest().digest()).digest(), triggers,
          Optional.of(image));
    }
    ConfigState config = start.config();
    if (config.env.stream().noneMatch(e -> e.startsWith("PATH="))) {
      config.setEnv("PATH", StageExecutor.DEFAULT_PATH);
    }
    return start;
  }
}
