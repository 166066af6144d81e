package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.ExposeInstruction;
import java.util.ArrayList;
import java.util.List;

/** EXPOSE: adds ports (ranges expanded) to the config. */
final class ExposeStep implements StepHandler<ExposeInstruction> {
  @Override
  public void plan(ExposeInstruction e, StageState s) {
    List<String> ports = new ArrayList<>();
    for (String raw : e.ports()) {
      for (String word : s.scope.words(raw, e)) {
        try {
          ports.addAll(Ports.parse(word));
        } catch (SlimbuildException ex) {
          throw e.location().error(ex.getMessage());
        }
      }
    }
    s.config.exposedPorts.addAll(ports);
    s.commit("EXPOSE [" + String.join(" ", ports) + "]");
  }
}
