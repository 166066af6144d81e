package dev.slimbuild.core.optimize;

import java.util.List;
import java.util.Objects;

/**
 * What the build does to the layers it creates.
 *
 * @param strip the cache-stripping rules ({@link StripRules#none()} for {@code --no-strip})
 * @param dedup leave out files the lower layers already hold identically
 * @param dropWasted leave out of a layer what a later layer of the same stage deletes or overwrites
 * @param hardlinkDuplicates identical files within one layer become hardlinks
 * @param squash merge the final stage's new layers into one
 */
public record OptimizeOptions(
    StripRules strip,
    boolean dedup,
    boolean dropWasted,
    boolean hardlinkDuplicates,
    boolean squash) {
  public OptimizeOptions {
    Objects.requireNonNull(strip, "strip");
  }

  /** The defaults: the rule table, dedup and wasted bytes on; no hardlinks, no squash. */
  public static OptimizeOptions defaults() {
    return new OptimizeOptions(StripRules.of(List.of(), List.of()), true, true, false, false);
  }

  /** Nothing at all: layers are written exactly as the instructions produce them. */
  public static OptimizeOptions none() {
    return new OptimizeOptions(StripRules.none(), false, false, false, false);
  }

  /** Whether any layer could be changed. */
  public boolean any() {
    return !strip.isEmpty() || dedup || dropWasted || hardlinkDuplicates || squash;
  }
}
