package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.KeyValue;

/** ENV: sets variables in the config and in the scope of the instructions that follow. */
final class EnvStep implements StepHandler<EnvInstruction> {
  @Override
  public void plan(EnvInstruction e, StageState s) {
    StringBuilder msg = new StringBuilder("ENV");
    // every pair expands with the values from before the instruction, as BuildKit
    for (KeyValue kv : s.scope.expandEnv(e)) {
      s.config.setEnv(kv.key(), kv.value());
      s.scope.env(kv.key(), kv.value());
      msg.append(' ').append(kv.key()).append('=').append(kv.value());
    }
    s.commit(msg.toString());
  }
}
