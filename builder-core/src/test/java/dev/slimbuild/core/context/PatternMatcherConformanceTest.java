package dev.slimbuild.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.SlimbuildException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** moby/patternmatcher's own cases, read in place. */
class PatternMatcherConformanceTest {

  private static Stream<JsonNode> section(String name) {
    JsonNode node = ContextConformance.patternMatcherCases().get(name);
    assertThat(node).as(name).isNotNull();
    assertThat(node.size()).as(name).isPositive();
    List<JsonNode> list = new ArrayList<>();
    node.forEach(list::add);
    return list.stream();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static Stream<Arguments> single() {
    return Stream.concat(section("matches_single"), section("matches_single_nonwindows"))
        .map(
            c ->
                Arguments.of(
                    c.get("pattern").asText(), c.get("path").asText(), c.get("match").asBoolean()));
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @MethodSource("single")
  void matchesSingle(String pattern, String path, boolean match) {
    PatternMatcher pm = new PatternMatcher(List.of(pattern));
    assertThat(pm.matches(path)).isEqualTo(match);
    assertThat(walkMatches(pm, path)).as("walking").isEqualTo(match);
  }

  static Stream<Arguments> multi() {
    return section("matches_multi")
        .map(
            c ->
                Arguments.of(
                    strings(c.get("patterns")),
                    c.get("path").asText(),
                    c.get("match").asBoolean()));
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @MethodSource("multi")
  void matchesMulti(List<String> patterns, String path, boolean match) {
    PatternMatcher pm = new PatternMatcher(patterns);
    assertThat(pm.matches(path)).isEqualTo(match);
    assertThat(walkMatches(pm, path)).as("walking").isEqualTo(match);
  }

  static Stream<Arguments> filepathMatch() {
    return section("filepath_match")
        .map(
            c ->
                Arguments.of(
                    c.get("pattern").asText(),
                    c.get("path").asText(),
                    c.get("match").asBoolean(),
                    c.get("error").asBoolean()));
  }

  /** As patternmatcher's own test: the package-level Matches (clean the path, "." never). */
  @ParameterizedTest(name = "{0} ~ {1} = {2} (error {3})")
  @MethodSource("filepathMatch")
  void filepathMatch(String pattern, String path, boolean match, boolean error) {
    if (error) {
      assertThatThrownBy(() -> new PatternMatcher(List.of(pattern)))
          .isInstanceOf(SlimbuildException.class)
          .hasMessageContaining("syntax error in pattern");
      assertThat(GoGlob.isValid(pattern)).isFalse();
      return;
    }
    String clean = GoPaths.clean(path);
    boolean result = !clean.equals(".") && new PatternMatcher(List.of(pattern)).matches(clean);
    assertThat(result).isEqualTo(match);
  }

  static Stream<Arguments> compile() {
    return section("compile")
        .map(
            c ->
                Arguments.of(
                    c.get("pattern").asText(),
                    c.get("matchType").asText(),
                    c.get("regexp").asText()));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @MethodSource("compile")
  void compile(String pattern, String matchType, String regexp) {
    PatternMatcher.IgnorePattern p = PatternMatcher.IgnorePattern.compile(pattern, false);
    assertThat(p.type().name().toLowerCase(Locale.ROOT) + "Match").isEqualToIgnoringCase(matchType);
    assertThat(p.goRegex()).isEqualTo(regexp);
  }

  static Stream<Arguments> readAll() {
    return section("ignorefile_readall")
        .map(c -> Arguments.of(c.get("content").asText(), strings(c.get("expected"))));
  }

  @ParameterizedTest
  @MethodSource("readAll")
  void ignoreFileReadAll(String content, List<String> expected) {
    assertThat(DockerIgnore.parse(content)).containsExactlyElementsOf(expected);
  }

  /** The same question answered the way a tree walk asks it, parent by parent. */
  private static boolean walkMatches(PatternMatcher pm, String path) {
    String[] parts = path.split("/", -1);
    PatternMatcher.WalkMatch m = null;
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        prefix.append('/');
      }
      prefix.append(parts[i]);
      m = pm.matchesUsingParent(prefix.toString(), m);
    }
    return m.matched();
  }
}
