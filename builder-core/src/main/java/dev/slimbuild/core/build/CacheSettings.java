package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheSpec;
import java.util.List;
import java.util.Set;

/**
 * How a build uses the cache: {@code noCache} ({@code --no-cache}: nothing from earlier builds,
 * though what one platform ran still serves the others), {@code noCacheStages} ({@code
 * --no-cache-filter}: stages by name or index that never take earlier builds' records), {@code
 * from} ({@code --cache-from}, consulted after the local store, in order) and {@code to} ({@code
 * --cache-to}, written after the build).
 */
public record CacheSettings(
    boolean noCache, Set<String> noCacheStages, List<CacheSpec> from, List<CacheSpec> to) {
  public CacheSettings {
    noCacheStages = Set.copyOf(noCacheStages);
    from = List.copyOf(from);
    to = List.copyOf(to);
  }

  /** The local cache, nothing imported or exported. */
  public static final CacheSettings DEFAULT =
      new CacheSettings(false, Set.of(), List.of(), List.of());
}
