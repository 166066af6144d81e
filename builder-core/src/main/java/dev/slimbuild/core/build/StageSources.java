package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.plan.BuildPlan;
import dev.slimbuild.core.plan.Planner;
import dev.slimbuild.core.pull.ResolvedImage;
import dev.slimbuild.core.registry.RegistryException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a stage reads from outside itself: base images (FROM), and the stages, images or named
 * contexts that {@code COPY --from} and {@code RUN --mount from=} name, by their files or by their
 * keys. A named context wins over a stage or image of its name.
 */
final class StageSources {
  private final BuildPlan plan;
  private final Map<Integer, StageResult> done;
  private final BaseImages bases;
  private final Platform platform;
  private final NamedContexts contexts;

  StageSources(
      BuildPlan plan,
      Map<Integer, StageResult> done,
      BaseImages bases,
      Platform platform,
      NamedContexts contexts) {
    this.plan = plan;
    this.done = done;
    this.bases = bases;
    this.platform = platform;
    this.contexts = contexts;
  }

  /** The build's named contexts. */
  NamedContexts contexts() {
    return contexts;
  }

  /** The directory that the named context {@code name} stands for, if it stands for one. */
  Optional<BuildContext> directory(String name) throws IOException {
    return contexts.directory(name);
  }

  /**
   * The image {@code name} for this stage's platform (a named context's, when {@code name} is one);
   * errors point at {@code where}.
   */
  ResolvedImage resolveImage(String name, Instruction where, String what) throws IOException {
    Optional<NamedContext> named = contexts.find(name);
    if (named.isPresent()) {
      return namedImage(named.get(), name, where, what);
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(name);
    } catch (SlimbuildException e) {
      throw where.location().error(what + e.getMessage());
    }
    try {
      return bases.resolve(ref, platform);
    } catch (SlimbuildException e) {
      String m = e.getMessage();
      throw where.location().error(what + (m.contains(ref.toString()) ? m : name + ": " + m));
    } catch (RegistryException e) {
      throw where
          .location()
          .error(what + ref + ": " + e.getMessage() + (e.retryable() ? " (a retry may help)" : ""));
    }
  }

  private ResolvedImage namedImage(NamedContext c, String name, Instruction where, String what)
      throws IOException {
    if (c instanceof NamedContext.Directory) {
      throw where
          .location()
          .error(what + name + ": the named context " + c.flag() + " is a directory, not an image");
    }
    try {
      return contexts.image(c, platform);
    } catch (SlimbuildException e) {
      String m = e.getMessage();
      throw where
          .location()
          .error(
              what
                  + name
                  + (m.startsWith("--build-context ")
                      ? ": " + m
                      : " (--build-context " + c.flag() + "): " + m));
    } catch (RegistryException e) {
      throw where
          .location()
          .error(
              what
                  + name
                  + " (--build-context "
                  + c.flag()
                  + "): "
                  + e.getMessage()
                  + (e.retryable() ? " (a retry may help)" : ""));
    }
  }

  /** Stage {@code index}, built before this one (an ONBUILD trigger may name one that is not). */
  private StageResult built(int index, String from, Instruction where, String what) {
    StageResult r = done.get(index);
    if (r == null) {
      throw where.location().error(what + from + ": that stage is not built for this target");
    }
    return r;
  }

  /**
   * What a {@code --from} source keys on: the stage's key (so a change in that stage reaches this
   * step), the image's manifest digest, or the content of a named directory context.
   */
  Digest sourceKey(String from, Instruction where, String what) throws IOException {
    Optional<BuildContext> dir = contexts.directory(from);
    if (dir.isPresent()) {
      return contexts.key(dir.get(), where);
    }
    if (contexts.find(from).isPresent()) {
      return resolveImage(from, where, what).manifest().digest();
    }
    Optional<Integer> idx = Planner.stageIndex(from, stageNames());
    if (idx.isPresent()) {
      return built(idx.get(), from, where, what).key();
    }
    return resolveImage(from, where, what).manifest().digest();
  }

  /** The files of stage or image {@code from} (COPY --from, RUN --mount from=). */
  FileTree fromTree(String from, Instruction where, String what) throws IOException {
    Optional<BuildContext> dir = contexts.directory(from);
    if (dir.isPresent()) {
      return contexts.tree(dir.get(), where);
    }
    Optional<Integer> idx =
        contexts.find(from).isPresent() ? Optional.empty() : Planner.stageIndex(from, stageNames());
    if (idx.isPresent()) {
      return built(idx.get(), from, where, what).tree();
    }
    ResolvedImage image = resolveImage(from, where, what);
    FileTree tree = new FileTree();
    for (List<LayerEntry> l : bases.tree(image).layers()) {
      tree.apply(l);
    }
    return tree;
  }

  /** The stages by name: the later of two with one name (BuildKit warns and takes it). */
  private Map<String, Integer> stageNames() {
    return plan.dockerfile().stageNames();
  }
}
