package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.VolumeInstruction;
import java.util.ArrayList;
import java.util.List;

/** VOLUME: adds volumes to the config. */
final class VolumeStep implements StepHandler<VolumeInstruction> {
  @Override
  public void plan(VolumeInstruction v, StageState s) {
    List<String> vols = new ArrayList<>();
    for (String raw : v.volumes()) {
      String vol = s.scope.word(raw, v);
      if (vol.isEmpty()) {
        throw v.location().error("VOLUME specified can not be an empty string");
      }
      vols.add(vol);
    }
    s.config.volumes.addAll(vols);
    s.commit("VOLUME [" + String.join(" ", vols) + "]");
  }
}
