package dev.slimbuild.core.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Our parsers against the image-spec's own valid and invalid examples. */
class SchemaCasesTest {

  private record Case(String name, String field, String json, boolean fail) {
    Arguments arguments() {
      return Arguments.of(name, field, json, fail);
    }
  }

  private static List<Case> read() throws IOException {
    byte[] bytes =
        Files.readAllBytes(OciSchemas.conformanceDir().resolve("oci-image-spec/schema_cases.json"));
    JsonObject root = (JsonObject) Json.parse(bytes);
    List<Case> out = new ArrayList<>();
    for (var file : root.members().entrySet()) {
      JsonArray cases = (JsonArray) file.getValue();
      for (int i = 0; i < cases.size(); i++) {
        JsonObject c = (JsonObject) cases.get(i);
        String field = str(c, "field");
        String json = str(c, "json");
        boolean fail = c.get("fail").map(v -> v.toJson().equals("true")).orElseThrow();
        out.add(new Case(file.getKey() + "#" + i, field, json, fail));
      }
    }
    assertThat(out).hasSizeGreaterThan(60);
    return out;
  }

  static Stream<Arguments> cases() throws IOException {
    return read().stream().map(Case::arguments);
  }

  static Stream<Arguments> acceptedCases() throws IOException {
    List<Case> accepted = read().stream().filter(c -> !c.fail()).toList();
    assertThat(accepted).hasSizeGreaterThan(20);
    return accepted.stream().map(Case::arguments);
  }

  private static String str(JsonObject o, String k) {
    JsonValue v = o.get(k).orElseThrow();
    return ((JsonString) v).value();
  }

  static Function<byte[], ?> parser(String field) {
    return switch (field) {
      case "config" -> ImageConfig::parse;
      case "manifest" -> Manifest::parse;
      case "imageIndex" -> Index::parse;
      case "descriptor" -> Descriptor::parse;
      case "imageLayout" -> OciLayoutHeader::parse;
      default -> throw new IllegalArgumentException("unknown field " + field);
    };
  }

  /** How our parser names the document {@code field} in its errors. */
  static String documentName(String field) {
    return switch (field) {
      case "config" -> "image config";
      case "manifest" -> "image manifest";
      case "imageIndex" -> "image index";
      case "descriptor" -> "descriptor";
      case "imageLayout" -> "oci-layout";
      default -> throw new IllegalArgumentException("unknown field " + field);
    };
  }

  @ParameterizedTest(name = "{0} {1} fail={3}")
  @MethodSource("cases")
  void parserAgreesWithSpecExamples(String name, String field, String json, boolean fail) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Function<byte[], ?> p = parser(field);
    if (fail) {
      assertThatThrownBy(() -> p.apply(bytes))
          .isInstanceOf(OciFormatException.class)
          .hasMessageStartingWith(documentName(field) + ": ");
    } else {
      assertThatCode(() -> p.apply(bytes)).doesNotThrowAnyException();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("acceptedCases")
  void acceptedDocumentsRoundTripThroughOurWriter(
      String name, String field, String json, boolean fail) {
    assertThat(fail).isFalse();
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Object parsed = parser(field).apply(bytes);
    byte[] written =
        parsed instanceof OciDocument d
            ? d.toBytes()
            : ((Descriptor) parsed).toJson().toJson().getBytes(StandardCharsets.UTF_8);
    // What we write parses back to the same value.
    assertThat(parser(field).apply(written)).isEqualTo(parsed);
    // The schema checks (the backward-compatibility Docker config omits nothing it needs).
    if (!field.equals("config") || !name.startsWith("backwards")) {
      OciSchemas.validate(field, written);
    }
  }
}
