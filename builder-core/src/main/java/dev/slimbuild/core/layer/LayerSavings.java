package dev.slimbuild.core.layer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What optimisation left out of one layer (see {@link Layer.Planned}).
 *
 * @param stripped by rule name, in rule order
 * @param deduplicated files the lower layers already held identically
 * @param wasted files a later layer of the same stage deleted or overwrote
 * @param hardlinked duplicate files written as hardlinks (their bytes not repeated)
 */
public record LayerSavings(
    Map<String, Count> stripped, Count deduplicated, Count wasted, Count hardlinked) {
  /** Nothing saved. */
  public static final LayerSavings NONE =
      new LayerSavings(Map.of(), Count.ZERO, Count.ZERO, Count.ZERO);

  public LayerSavings {
    stripped = Collections.unmodifiableMap(new LinkedHashMap<>(stripped));
    Objects.requireNonNull(deduplicated, "deduplicated");
    Objects.requireNonNull(wasted, "wasted");
    Objects.requireNonNull(hardlinked, "hardlinked");
  }

  /** All stripped files together. */
  public Count strippedTotal() {
    return stripped.values().stream().reduce(Count.ZERO, Count::plus);
  }

  /** Both summed (rules merged by name). */
  public LayerSavings plus(LayerSavings o) {
    Map<String, Count> s = new LinkedHashMap<>(stripped);
    o.stripped.forEach((k, v) -> s.merge(k, v, Count::plus));
    return new LayerSavings(
        s, deduplicated.plus(o.deduplicated), wasted.plus(o.wasted), hardlinked.plus(o.hardlinked));
  }
}
