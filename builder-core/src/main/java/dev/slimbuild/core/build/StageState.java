package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.core.plan.StageScope;
import dev.slimbuild.core.pull.BlobCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a stage's step handlers see while the stage is planned: the config and the variables in
 * scope (changed in place, instruction by instruction), the ARGs declared so far, the history, the
 * key of the last file step, the file steps planned so far, and the stage's files for the steps
 * that run.
 */
final class StageState {
  static final String HISTORY_COMMENT = "buildkit.dockerfile.v0";

  /** The stage's files, as the stage has them when a planned step runs. */
  interface Files {
    /** The stage's current files, loaded on first use. */
    FileTree tree();

    /** The stage's layers so far, written or pending. */
    int layerCount();

    /** The stage's layers as a RUN mounts them. */
    Split split();
  }

  /**
   * The stage's layers as one RUN sees them: the mountable images (the base's, then each layer the
   * stage added that was read from a blob and unpacked as an image, while there are such), and the
   * entries of the layers above those.
   */
  record Split(List<BlobCache.LayerImage> images, List<List<LayerEntry>> rest) {}

  final ConfigState config;
  final StageScope scope;
  final StageInputs in;
  final Files files;
  private final Instant created;
  private final List<History> history;

  /** The ARGs this stage declared, in order (a name twice if declared twice), for RUN's history. */
  private final List<String> declaredArgs = new ArrayList<>();

  /** The stage's file-changing steps by instruction index, planned before any of them runs. */
  private final Map<Integer, FsStep> fileSteps = new HashMap<>();

  /** The key of the stage's last file-changing step (of its FROM when none). */
  private Digest chainKey;

  private int currentStep;

  /** The stage's RUNs' work directory, made by the first RUN that runs. */
  private RunStep runStep;

  StageState(
      ConfigState config,
      StageScope scope,
      StageInputs in,
      Files files,
      Instant created,
      List<History> history,
      Digest chainKey) {
    this.config = config;
    this.scope = scope;
    this.in = in;
    this.files = files;
    this.created = created;
    this.history = history;
    this.chainKey = chainKey;
  }

  /** Makes instruction {@code index} the one being planned. */
  void at(int index) {
    currentStep = index;
  }

  Digest chainKey() {
    return chainKey;
  }

  /** The ARGs declared so far. */
  List<String> declaredArgs() {
    return declaredArgs;
  }

  /** The file steps planned, by instruction index. */
  Map<Integer, FsStep> fileSteps() {
    return Collections.unmodifiableMap(fileSteps);
  }

  /** Adds the history entry of an instruction that changes only the config. */
  void commit(String createdBy) {
    history.add(new History(created, createdBy, null, HISTORY_COMMENT, true));
  }

  /**
   * Plans the current instruction as a file step with {@code key}: its history entry now, its
   * {@code action} when the stage runs its steps. Later steps key on this one.
   */
  void planFileStep(CacheKey key, String createdBy, String user, FsStep.Action action) {
    Digest k = key.digest();
    fileSteps.put(currentStep, new FsStep(k, createdBy, history.size(), user, action));
    history.add(new History(created, createdBy, null, HISTORY_COMMENT, false));
    chainKey = k;
  }

  /** The RUN work directory, or null before the first RUN ran. */
  RunStep runStep() {
    return runStep;
  }

  void runStep(RunStep r) {
    runStep = r;
  }

  UserDb userDb() {
    return new UserDb(readText("etc/passwd"), readText("etc/group"));
  }

  /** A small text file of the stage's tree (passwd, group), or null if absent. */
  String readText(String path) {
    FileTree tree = files.tree();
    Optional<LayerEntry> e = tree.get(TreePaths.resolve(tree, path, true));
    if (e.isEmpty() || e.get().content() == null || e.get().size() > (1 << 20)) {
      return null;
    }
    try (InputStream in = e.get().content().open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
