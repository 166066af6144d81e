package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.EntrypointInstruction;
import java.util.List;

/** ENTRYPOINT: the image's entrypoint; it clears a CMD the base image set, as Docker does. */
final class EntrypointStep implements StepHandler<EntrypointInstruction> {
  @Override
  public void plan(EntrypointInstruction e, StageState s) {
    s.config.entrypoint = CommandText.withShell(e.command(), s.config);
    if (!s.config.cmdSetInStage) {
      s.config.cmd = List.of();
    }
    s.commit("ENTRYPOINT " + CommandText.goQuoted(s.config.entrypoint));
  }
}
