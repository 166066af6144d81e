package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.KeyValue;
import dev.slimbuild.core.dockerfile.LabelInstruction;

/** LABEL: sets labels in the config. */
final class LabelStep implements StepHandler<LabelInstruction> {
  @Override
  public void plan(LabelInstruction l, StageState s) {
    StringBuilder msg = new StringBuilder("LABEL");
    for (KeyValue kv : l.pairs()) {
      String key = s.scope.word(kv.key(), l);
      String value = s.scope.word(kv.value(), l);
      s.config.labels.put(key, value);
      msg.append(' ').append(key).append('=').append(value);
    }
    s.commit(msg.toString());
  }
}
