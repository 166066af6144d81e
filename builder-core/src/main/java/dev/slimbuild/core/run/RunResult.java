package dev.slimbuild.core.run;

import java.util.List;

/**
 * How a RUN ended.
 *
 * @param exitCode the command's exit status (128 + signal when killed by a signal; -1 on timeout)
 * @param timedOut whether the run was killed because its timeout passed
 * @param createdPaths paths (relative to the rootfs, in creation order) the sandbox created as
 *     mount points or bind targets; they stay and a snapshot should ignore them
 * @param notes things the sandbox could not do as asked and how it ran instead, for the user
 */
public record RunResult(
    int exitCode, boolean timedOut, List<String> createdPaths, List<String> notes) {

  public RunResult {
    createdPaths = List.copyOf(createdPaths);
    notes = List.copyOf(notes);
  }
}
