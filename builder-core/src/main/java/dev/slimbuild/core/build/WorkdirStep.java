package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.dockerfile.WorkdirInstruction;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import java.util.ArrayList;
import java.util.List;

/**
 * WORKDIR: sets the working directory at once, and is a file step that creates the directories that
 * are missing when it runs. Its key: the parent step's, the path, the user.
 */
final class WorkdirStep implements StepHandler<WorkdirInstruction> {
  @Override
  public void plan(WorkdirInstruction w, StageState s) {
    String path = "/" + TreePaths.absolute(s.config.workdirOrRoot(), s.scope.word(w.path(), w));
    s.config.workingDir = path;
    String user = s.config.user;
    s.planFileStep(
        CacheKey.of("WORKDIR").add(s.chainKey()).add(path).add(user),
        "WORKDIR " + path,
        user,
        () -> entries(s, path, user));
  }

  /** The directories WORKDIR creates: the missing ones of {@code path}, owned by {@code user}. */
  private static List<LayerEntry> entries(StageState s, String path, String user) {
    FileTree tree = s.files.tree();
    String dir = TreePaths.resolve(tree, path.substring(1), true);
    List<LayerEntry> entries = new ArrayList<>();
    if (!dir.isEmpty() && tree.get(dir).isEmpty()) {
      UserDb.Owner owner = user == null ? new UserDb.Owner(0, 0) : s.userDb().resolve(user);
      List<String> missing = new ArrayList<>();
      for (String d = dir; !d.isEmpty() && tree.get(d).isEmpty(); d = LayerPaths.parent(d)) {
        missing.add(0, d);
      }
      for (String d : missing) {
        entries.add(LayerEntry.dir(d, 0755, owner.uid(), owner.gid()));
      }
      String top = LayerPaths.parent(missing.get(0));
      if (!top.isEmpty()) {
        entries.add(0, tree.get(top).orElseThrow());
      }
    }
    return entries;
  }
}
