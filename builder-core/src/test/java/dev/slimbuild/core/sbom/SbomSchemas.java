package dev.slimbuild.core.sbom;

import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The published JSON schemas, offline: SPDX 2.3's as SPDX's tools-java jar bundles it, CycloneDX
 * 1.6's (with the SPDX license list and JSF schemas it refers to) as cyclonedx-core-java bundles
 * them. Shared with the CLI's tests through builder-core's test-jar.
 */
public final class SbomSchemas {
  private static final String CYCLONEDX = "http://cyclonedx.org/schema/";
  private static JsonSchema spdx;
  private static JsonSchema cyclonedx;

  private SbomSchemas() {}

  /** The SPDX 2.3 schema's complaints about {@code json}; empty when valid. */
  public static synchronized Set<String> spdxProblems(byte[] json) {
    if (spdx == null) {
      JsonSchemaFactory f = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909);
      try (InputStream in = resource("resources/spdx-schema-v2.3.json")) {
        spdx = f.getSchema(in, config());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return messages(spdx.validate(new String(json, StandardCharsets.UTF_8), InputFormat.JSON));
  }

  /** The CycloneDX 1.6 schema's complaints about {@code json}; empty when valid. */
  public static synchronized Set<String> cycloneDxProblems(byte[] json) {
    if (cyclonedx == null) {
      JsonSchemaFactory f =
          JsonSchemaFactory.getInstance(
              SpecVersion.VersionFlag.V7,
              b ->
                  b.schemaLoaders(
                      l ->
                          l.add(
                              (AbsoluteIri iri) -> {
                                String s = iri.toString();
                                return s.startsWith(CYCLONEDX)
                                    ? () -> resource(s.substring(CYCLONEDX.length()))
                                    : null;
                              })));
      cyclonedx = f.getSchema(SchemaLocation.of(CYCLONEDX + "bom-1.6.schema.json"), config());
    }
    return messages(cyclonedx.validate(new String(json, StandardCharsets.UTF_8), InputFormat.JSON));
  }

  private static SchemaValidatorsConfig config() {
    return SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
  }

  private static InputStream resource(String name) {
    InputStream in = SbomSchemas.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the test class path");
    }
    return in;
  }

  private static Set<String> messages(Set<ValidationMessage> msgs) {
    Set<String> out = new TreeSet<>();
    for (ValidationMessage m : msgs) {
      out.add(m.getMessage());
    }
    return out;
  }
}
