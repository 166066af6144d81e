package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.HealthcheckInstruction;
import dev.slimbuild.core.oci.ImageConfig.Healthcheck;

/** HEALTHCHECK: the container's health check, or NONE. */
final class HealthcheckStep implements StepHandler<HealthcheckInstruction> {
  @Override
  public void plan(HealthcheckInstruction h, StageState s) {
    s.config.healthcheck =
        new Healthcheck(
            h.test(),
            h.interval().toNanos(),
            h.timeout().toNanos(),
            h.startPeriod().toNanos(),
            h.startInterval().toNanos(),
            h.retries());
    s.commit(h.createdBy());
  }
}
