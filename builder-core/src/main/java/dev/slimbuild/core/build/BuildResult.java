package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.BuildCache;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.SizeReport;
import dev.slimbuild.core.pull.ResolvedImage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished build: the image (one platform's manifest, or an index of several), warnings, and the
 * base-image layers the image contains, by blob digest. Those may not be in the store: {@link
 * Builder#fetchBaseLayers} downloads them for outputs that need their bytes, while a push can mount
 * them from their source repository. {@code sizeReports}: each platform's layers, sizes and what
 * optimisation left out, in platform order; {@code cache}: the records the build used and made, for
 * {@code --cache-to}; {@code bases}: every base image (FROM, COPY --from, RUN --mount from=) as
 * resolved, and {@code dockerfile} the digest of the Dockerfile as read, for provenance.
 */
public record BuildResult(
    ImageOutput image,
    List<String> warnings,
    Map<Digest, Layer> baseLayers,
    Map<Platform, SizeReport> sizeReports,
    BuildCache cache,
    List<ResolvedImage> bases,
    Digest dockerfile) {
  public BuildResult {
    bases = List.copyOf(bases);
    warnings = List.copyOf(warnings);
    baseLayers = Map.copyOf(baseLayers);
    sizeReports = Collections.unmodifiableMap(new LinkedHashMap<>(sizeReports));
  }
}
