package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.KeyValue;

/** ENV: sets variables in the config and in the scope of the instructions that follow. */
final class EnvStep implements StepHandler<EnvInstruction> {
  @Override
  public void plan(EnvInstruction e, StageState s) {
    StringBuilder msg = new StringBuilder("ENV");
    for (KeyValue kv : e.pairs()) {
      String key = s.scope.word(kv.key(), e);
      String value = s.scope.word(kv.value(), e);
      s.config.setEnv(key, value);
      s.scope.env(key, value);
      msg.append(' ').append(key).append('=').append(value);
    }
    s.commit(msg.toString());
  }
}
