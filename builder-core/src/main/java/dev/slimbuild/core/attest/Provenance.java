package dev.slimbuild.core.attest;

import dev.slimbuild.core.build.BuildRequest;
import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.cache.CacheContents;
import dev.slimbuild.core.cache.StepRecord;
import dev.slimbuild.core.context.GitCheckout;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.optimize.ImageLints;
import dev.slimbuild.core.pull.ResolvedImage;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * SLSA provenance v1 for one platform's image, shaped as BuildKit's: the build type, the external
 * parameters (the Dockerfile's digest, build args, target, platforms, and the git URL and commit
 * when the context is a checkout), the resolved dependencies (every base image by digest), the
 * builder's id and version, and times from {@code SOURCE_DATE_EPOCH} so that it is reproducible.
 * {@code max} adds each step's cache key and the layer it made.
 *
 * <p>Build args whose names look like secrets ({@code *_TOKEN}, {@code PASSWORD}...) are listed
 * with their value replaced; {@code --secret} values never reach a build arg.
 */
final class Provenance {
  /** SLSA provenance v1's predicate type. */
  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";

  /** What slimbuild's builds are, as a SLSA build type. */
  static final String BUILD_TYPE = "https://slimbuild.dev/buildtypes/dockerfile@v1";

  /** The builder id: slimbuild, by version. */
  static final String BUILDER_ID = "https://slimbuild.dev/slimbuild";

  private Provenance() {}

  /** The predicate for {@code image} of {@code result}. */
  public static JsonObject predicate(
      BuildRequest request,
      BuildResult result,
      BuiltImage image,
      Digest dockerfile,
      Optional<GitCheckout.Source> source,
      String version,
      boolean max) {
    Map<String, String> args = new TreeMap<>();
    request
        .buildArgs()
        .forEach(
            (k, v) ->
                args.put(
                    "build-arg:" + k,
                    ImageLints.looksLikeSecret(k)
                        ? "<redacted: the name looks like a secret>"
                        : v));
    request.target().ifPresent(t -> args.put("target", t));
    JsonObject.Builder argsJson = JsonObject.builder();
    List<String> platforms = request.platforms().stream().map(Object::toString).toList();
    args.put("platform", String.join(",", platforms));
    request.labels().forEach((k, v) -> args.put("label:" + k, v));
    args.forEach(argsJson::put);

    JsonObject.Builder config =
        JsonObject.builder()
            .put("path", request.dockerfileName())
            .put(
                "digest",
                JsonObject.builder().put(dockerfile.algorithm(), dockerfile.hex()).build());
    source.ifPresent(
        s ->
            config
                .put("uri", s.url())
                .put("commit", JsonObject.builder().put("sha1", s.commit()).build()));

    List<JsonValue> deps = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ResolvedImage b : result.bases()) {
      // this platform's bases, and those of stages built for another platform (--platform=)
      boolean forTarget = request.platforms().stream().anyMatch(p -> p.matches(b.platform()));
      if (forTarget && !image.platform().matches(b.platform())) {
        continue;
      }
      String uri =
          "pkg:docker/"
              + b.reference().registry()
              + "/"
              + b.reference().repository()
              + "@"
              + (b.reference().digest() != null
                  ? b.reference().digest().toString()
                  : b.reference().tagOrLatest())
              + "?platform="
              + URLEncoder.encode(b.platform().toString(), StandardCharsets.UTF_8);
      if (seen.add(uri + b.digest())) {
        deps.add(
            JsonObject.builder()
                .put("uri", uri)
                .put(
                    "digest",
                    JsonObject.builder().put(b.digest().algorithm(), b.digest().hex()).build())
                .build());
      }
    }
    String when = Instant.ofEpochSecond(request.sourceDateEpoch()).toString();
    JsonObject.Builder internal = JsonObject.builder().put("platform", image.platform().toString());
    if (max) {
      internal.put("steps", steps(result, image));
    }
    return JsonObject.builder()
        .put(
            "buildDefinition",
            JsonObject.builder()
                .put("buildType", BUILD_TYPE)
                .put(
                    "externalParameters",
                    JsonObject.builder()
                        .put("configSource", config.build())
                        .put(
                            "request",
                            JsonObject.builder()
                                .put("frontend", "dockerfile.v0")
                                .put("args", argsJson.build())
                                .build())
                        .build())
                .put("internalParameters", internal.build())
                .put("resolvedDependencies", new JsonArray(deps))
                .build())
        .put(
            "runDetails",
            JsonObject.builder()
                .put(
                    "builder",
                    JsonObject.builder()
                        .put("id", BUILDER_ID + "@" + version)
                        .put("version", JsonObject.builder().put("slimbuild", version).build())
                        .build())
                .put(
                    "metadata",
                    JsonObject.builder()
                        .put("invocationID", "")
                        .put("startedOn", when)
                        .put("finishedOn", when)
                        .build())
                .build())
        .build();
  }

  /** Each step's cache key and the layer it made, the image's own layers marked. */
  private static JsonArray steps(BuildResult result, BuiltImage image) {
    Set<Digest> layers = new HashSet<>();
    image.layers().forEach(d -> layers.add(d.digest()));
    CacheContents c = result.cache().export(true, layers);
    List<JsonValue> out = new ArrayList<>();
    for (Map.Entry<Digest, StepRecord> e : new TreeMap<>(c.steps()).entrySet()) {
      JsonObject.Builder s = JsonObject.builder().put("cacheKey", e.getKey().toString());
      e.getValue()
          .layer()
          .ifPresent(
              l -> {
                Descriptor blob = l.descriptor();
                s.put("layer", blob.digest().toString())
                    .put("diffID", l.diffId().toString())
                    .put("inImage", layers.contains(blob.digest()));
              });
      out.add(s.build());
    }
    return new JsonArray(out);
  }
}
