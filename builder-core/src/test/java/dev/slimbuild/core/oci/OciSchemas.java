package dev.slimbuild.core.oci;

import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.slimbuild.core.Conformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates documents against the OCI image-spec JSON schemas in the shared conformance data,
 * offline: every {@code $ref} under the spec's schema id space is served from the local files.
 * Shared with other modules through builder-core's test-jar.
 */
public final class OciSchemas {
  private static final String ID_PREFIX = "https://opencontainers.org/schema/";
  private static final Map<String, String> FILES =
      Map.of(
          "config", "config-schema.json",
          "manifest", "image-manifest-schema.json",
          "index", "image-index-schema.json",
          "imageIndex", "image-index-schema.json",
          "descriptor", "content-descriptor.json",
          "layoutheader", "image-layout-schema.json",
          "imageLayout", "image-layout-schema.json");
  private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

  private OciSchemas() {}

  /**
   * The shared conformance directory: walks up from the working directory looking for {@code
   * shared/conformance}, then tries {@code /work/shared/conformance}; fails if not found.
   */
  public static Path conformanceDir() {
    return Conformance.dir();
  }

  /** The directory of the OCI image-spec schemas. */
  public static Path schemaDir() {
    return conformanceDir().resolve("oci-image-spec/schema");
  }

  /**
   * Validates {@code json} as {@code field}: config, manifest, index (or imageIndex), descriptor,
   * layoutheader (or imageLayout). Returns the problems, empty when valid.
   */
  public static Set<String> problems(String field, byte[] json) {
    String file = FILES.get(field);
    if (file == null) {
      throw new IllegalArgumentException("unknown document kind " + field);
    }
    JsonSchema schema = CACHE.computeIfAbsent(file, OciSchemas::load);
    Set<ValidationMessage> msgs =
        schema.validate(new String(json, StandardCharsets.UTF_8), InputFormat.JSON);
    Set<String> out = new TreeSet<>();
    for (ValidationMessage m : msgs) {
      out.add(m.getMessage());
    }
    return out;
  }

  /** Throws AssertionError listing the problems unless {@code json} validates as {@code field}. */
  public static void validate(String field, byte[] json) {
    Set<String> p = problems(field, json);
    if (!p.isEmpty()) {
      throw new AssertionError(
          field + " does not validate: " + p + "\n" + new String(json, StandardCharsets.UTF_8));
    }
  }

  private static JsonSchema load(String file) {
    Path dir = schemaDir();
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V4,
            b ->
                b.schemaLoaders(
                    loaders ->
                        loaders.add(
                            (AbsoluteIri iri) -> {
                              String s = iri.toString();
                              if (!s.startsWith(ID_PREFIX)) {
                                return null;
                              }
                              Path local = dir.resolve(s.substring(s.lastIndexOf('/') + 1));
                              if (!Files.isRegularFile(local)) {
                                return null;
                              }
                              return () -> Files.newInputStream(local);
                            })));
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    try {
      return factory.getSchema(SchemaLocation.of(ID_PREFIX + file), config);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw e;
    }
  }
}
