package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.ArgInstruction;

/** ARG: declares the stage's build arguments (RUN's history lists them). */
final class ArgStep implements StepHandler<ArgInstruction> {
  @Override
  public void plan(ArgInstruction a, StageState s) {
    a.args().forEach(arg -> s.declaredArgs().add(arg.name()));
    s.commit("ARG " + String.join(" ", s.scope.declare(a)));
  }
}
