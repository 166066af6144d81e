package dev.slimbuild.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @Test
  void escapesLikeGo() {
    // Expected values are what Go's json.Marshal writes for these strings.
    assertThat(Json.quote("a<b>&c")).isEqualTo("\"a\\u003cb\\u003e\\u0026c\"");
    assertThat(Json.quote("q\"\\/")).isEqualTo("\"q\\\"\\\\/\"");
    assertThat(Json.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
    assertThat(Json.quote("\u0001\u001f\u007f")).isEqualTo("\"\\u0001\\u001f\u007f\"");
    assertThat(Json.quote("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
    assertThat(Json.quote("é😀")).isEqualTo("\"é😀\"");
    assertThat(Json.quote("x\ud800y")).isEqualTo("\"x\\ufffdy\"");
  }

  @Test
  void writesCompactInInsertionOrder() {
    JsonObject o =
        JsonObject.builder()
            .put("z", 1)
            .put("a", "s")
            .put("m", new JsonArray(List.of(JsonBoolean.TRUE, JsonNull.INSTANCE)))
            .put("e", JsonObject.empty())
            .build();
    assertThat(o.toJson()).isEqualTo("{\"z\":1,\"a\":\"s\",\"m\":[true,null],\"e\":{}}");
  }

  @Test
  void roundTripsCanonicalText() {
    String canonical =
        "{\"b\":[1,-2,3.5,1e+10,0.25E-3],\"a\":{\"x\":\"\\u003c\\n\\u2028\"},\"t\":true,\"f\":false,\"n\":null,\"s\":\"😀\"}";
    JsonValue v = Json.parse(canonical);
    assertThat(Json.writeString(v)).isEqualTo(canonical);
    assertThat(Json.parse(Json.write(v))).isEqualTo(v);
  }

  @Test
  void normalisesWhitespaceAndEscapes() {
    JsonValue v = Json.parse(" { \"a\" : [ \"\\u0041\\/\" , 9223372036854775807 ] }\n");
    assertThat(v.toJson()).isEqualTo("{\"a\":[\"A/\",9223372036854775807]}");
    JsonNumber n = (JsonNumber) ((JsonArray) ((JsonObject) v).get("a").orElseThrow()).get(1);
    assertThat(n.isLong()).isTrue();
    assertThat(n.longValue()).isEqualTo(Long.MAX_VALUE);
    assertThat(new JsonNumber("9223372036854775808").isLong()).isFalse();
    assertThat(new JsonNumber("1.5").decimalValue()).isEqualByComparingTo("1.5");
  }

  @Test
  void decodesSurrogatePairsAndReplacesLoneOnes() {
    assertThat(((JsonString) Json.parse("\"\\ud83d\\ude00\"")).value()).isEqualTo("😀");
    assertThat(((JsonString) Json.parse("\"\\ud83d!\"")).value()).isEqualTo("\ufffd!");
  }

  @Test
  void unicodeEscapesTakeHexDigitsOfEitherCase() {
    assertThat(((JsonString) Json.parse("\"\\u00C9\\u00e9\\u0041\"")).value())
        .isEqualTo("\u00c9\u00e9A");
  }

  @Test
  void duplicateKeysAreLenientUnlessStrict() {
    JsonObject o = (JsonObject) Json.parse("{\"a\":1,\"b\":2,\"a\":3}");
    assertThat(o.toJson()).isEqualTo("{\"a\":3,\"b\":2}");
    assertThatThrownBy(
            () -> Json.parseStrict("{\"a\":1,\"b\":2,\"a\":3}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonParseException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "{\"a\":1,}",
        "[1,]",
        "{'a':1}",
        "[01]",
        "[1.]",
        "[.5]",
        "[+1]",
        "[-]",
        "\"\\x\"",
        "\"a\tb\"",
        "tru",
        "nul",
        "{} {}",
        "[1 2]",
        "{\"a\" 1}",
        "{1:2}",
        "\"\\u12G4\"",
        "\"\\u\u0661234\"", // Arabic-Indic one: a digit to Java, not a hex digit to JSON
        "\"\\u\uff11234\"", // fullwidth one
        "{\"imageLayoutVersion\": 1.0.0}",
        "NaN",
        "\ufeff{}"
      })
  void rejectsInvalidText(String text) {
    assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonParseException.class);
  }

  @Test
  void rejectsInvalidUtf8AndDeepNesting() {
    assertThatThrownBy(() -> Json.parse(new byte[] {'"', (byte) 0xc3, '"'}))
        .isInstanceOf(JsonParseException.class)
        .hasMessageContaining("UTF-8");
    String deep = "[".repeat(2000) + "]".repeat(2000);
    assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nesting");
    assertThat(Json.parse("[[[]]]".getBytes(StandardCharsets.UTF_8)).toJson()).isEqualTo("[[[]]]");
  }

  @Test
  void strictParsingRejectsRepeatedKeysAtAnyDepth() {
    assertThatThrownBy(() -> Json.parseStrict(utf8("{\"a\":{\"b\":1, \"b\":2}}")))
        .isInstanceOf(JsonParseException.class)
        .hasMessage("invalid JSON at offset 13: duplicate key \"b\"");
    assertThatThrownBy(() -> Json.parseStrict(utf8("[{\"x\":1,\"x\":1}]")))
        .hasMessageContaining("duplicate key");
    String distinct = "{\"a\":{\"b\":1},\"b\":{\"a\":[{\"a\":2}]}}";
    assertThat(Json.parseStrict(utf8(distinct))).isEqualTo(Json.parse(distinct));
  }

  @Test
  void nestingLimitIsExact() {
    int n = Json.MAX_DEPTH + 1; // the top-level array and MAX_DEPTH levels inside it
    assertThat(Json.parse("[".repeat(n) + "]".repeat(n)).toJson()).hasSize(2 * n);
    assertThatThrownBy(() -> Json.parse("{\"a\":".repeat(n + 1) + "1" + "}".repeat(n + 1)))
        .hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
  }

  @Test
  void theDeepestDocumentFitsTheDefaultThreadStack() throws InterruptedException {
    // Parsing recurses: the depth limit must keep any input from overflowing a worker thread's
    // stack, whose default size on 64-bit Linux is 1 MiB.
    int half = Json.MAX_DEPTH / 2;
    String deepest = "[{\"a\":".repeat(half) + "0" + "}]".repeat(half);
    Throwable[] failure = new Throwable[1];
    Runnable parse =
        () -> {
          try {
            Json.parse(deepest);
          } catch (Throwable e) {
            failure[0] = e;
          }
        };
    Thread t = new Thread(null, parse, "one-MiB-stack", 1024 * 1024);
    t.start();
    t.join();
    assertThat(failure[0]).isNull();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void errorsNameTheOffset() {
    assertThatThrownBy(() -> Json.parse("{\"a\":x}"))
        .hasMessage("invalid JSON at offset 5: unexpected character 'x'");
  }
}
