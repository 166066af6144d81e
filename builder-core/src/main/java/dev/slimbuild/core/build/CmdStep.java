package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.CmdInstruction;

/** CMD: the image's default command (a shell form run by the stage's SHELL). */
final class CmdStep implements StepHandler<CmdInstruction> {
  @Override
  public void plan(CmdInstruction c, StageState s) {
    s.config.cmd = CommandText.withShell(c.command(), s.config);
    s.config.cmdSetInStage = true;
    s.config.argsEscaped = true;
    s.commit("CMD " + CommandText.goQuoted(s.config.cmd));
  }
}
