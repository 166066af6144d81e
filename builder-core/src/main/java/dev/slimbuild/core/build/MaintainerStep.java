package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.MaintainerInstruction;

/** MAINTAINER: the image's author. */
final class MaintainerStep implements StepHandler<MaintainerInstruction> {
  @Override
  public void plan(MaintainerInstruction m, StageState s) {
    s.config.author = m.maintainer();
    s.commit("MAINTAINER " + m.maintainer());
  }
}
