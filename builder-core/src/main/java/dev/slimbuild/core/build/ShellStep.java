package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.ShellInstruction;

/** SHELL: the shell that runs later shell-form commands. */
final class ShellStep implements StepHandler<ShellInstruction> {
  @Override
  public void plan(ShellInstruction sh, StageState s) {
    s.config.shell = sh.shell();
    s.commit("SHELL [" + String.join(" ", sh.shell()) + "]");
  }
}
