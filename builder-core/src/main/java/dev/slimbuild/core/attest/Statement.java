package dev.slimbuild.core.attest;

import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * An in-toto statement (v0.1, as BuildKit writes them) about one platform's image: its subjects are
 * the image in each repository it is named in, as package URLs ({@code
 * pkg:docker/HOST/REPO?platform=linux%2Famd64}), all with the image manifest's digest. Unlike
 * BuildKit's, the subjects name no tag: pushing the same build under another tag gives the same
 * attestations, so the same index digest.
 *
 * @param predicateType e.g. {@code https://spdx.dev/Document}
 * @param bytes the statement's JSON
 */
public record Statement(String predicateType, byte[] bytes) {
  /** in-toto's statement type. */
  public static final String TYPE = "https://in-toto.io/Statement/v0.1";

  /** The statement of {@code predicate} about the image {@code manifest}. */
  public static Statement of(
      String predicateType,
      JsonValue predicate,
      Digest manifest,
      Platform platform,
      List<ImageReference> names) {
    List<JsonValue> subjects = new ArrayList<>();
    JsonObject digest = JsonObject.builder().put(manifest.algorithm(), manifest.hex()).build();
    String query = "?platform=" + URLEncoder.encode(platform.toString(), StandardCharsets.UTF_8);
    if (names.isEmpty()) {
      subjects.add(JsonObject.builder().put("name", "_").put("digest", digest).build());
    }
    for (String repository : repositories(names)) {
      subjects.add(
          JsonObject.builder()
              .put("name", "pkg:docker/" + repository + query)
              .put("digest", digest)
              .build());
    }
    JsonObject statement =
        JsonObject.builder()
            .put("_type", TYPE)
            .put("predicateType", predicateType)
            .put("subject", new JsonArray(subjects))
            .put("predicate", predicate)
            .build();
    return new Statement(predicateType, Json.write(statement));
  }

  /** The distinct {@code host/repository} names of {@code names}, in order. */
  public static List<String> repositories(List<ImageReference> names) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (ImageReference n : names) {
      out.add(n.registry() + "/" + n.repository());
    }
    return List.copyOf(out);
  }
}
