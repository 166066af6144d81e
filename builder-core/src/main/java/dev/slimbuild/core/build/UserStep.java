package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.UserInstruction;

/** USER: the user later RUNs run as, later WORKDIRs own and the image runs as. */
final class UserStep implements StepHandler<UserInstruction> {
  @Override
  public void plan(UserInstruction u, StageState s) {
    s.config.user = s.scope.word(u.user(), u);
    s.commit("USER " + s.config.user);
  }
}
