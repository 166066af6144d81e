package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.StopSignalInstruction;

/** STOPSIGNAL: the signal that stops the container, checked. */
final class StopSignalStep implements StepHandler<StopSignalInstruction> {
  @Override
  public void plan(StopSignalInstruction sig, StageState s) {
    s.config.stopSignal = Signals.check(s.scope.word(sig.signal(), sig), sig);
    s.commit("STOPSIGNAL " + s.config.stopSignal);
  }
}
