package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.OnbuildInstruction;

/**
 * ONBUILD: refused (not supported yet). A base image's triggers are refused by {@link FromStep}.
 */
final class OnbuildStep implements StepHandler<OnbuildInstruction> {
  @Override
  public void plan(OnbuildInstruction o, StageState s) {
    s.config.onBuild.add(o.expression()); // BuildKit adds no history entry
  }
}
