package dev.slimbuild.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's filepath.Match itself (no parent-directory rule): what COPY wildcards use. */
class GoGlobTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "abc|abc|true",
        "*|abc|true",
        "a*|ab/c|false",
        "a*/b|abc/b|true",
        "a*/b|a/c/b|false",
        "a*b*c*d*e*/f|axbxcxdxexxx/f|true",
        "a*b?c*x|abxbbxdbxebxczzx|true",
        "a*b?c*x|abxbbxdbxebxczzy|false",
        "ab[^e-g]|abc|true",
        "a\\*b|a*b|true",
        "a\\*b|ab|false",
        "a?b|a☺b|true",
        "a???b|a☺b|false",
        "[a-ζ]*|α|true",
        "*[a-ζ]|A|false",
        "a?b|a/b|false",
        "[\\]a]|]|true",
        "[x\\-]|-|true",
        "*x|xxx|true",
        "*.txt|dir/a.txt|false",
        "*/*.txt|dir/a.txt|true",
      })
  void matches(String pattern, String name, boolean expected) {
    assertThat(GoGlob.match(pattern, name)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {"[]a]", "[-]", "[x-]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "a*[", "x*y["})
  void malformedPatternsAreErrorsEvenWithoutAMatch(String pattern) {
    assertThat(GoGlob.isValid(pattern)).isFalse();
    assertThatThrownBy(() -> GoGlob.match(pattern, "zzz"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("syntax error in pattern");
  }

  @Test
  void wildcardDetectionHonoursEscapes() {
    assertThat(GoGlob.containsWildcards("a*")).isTrue();
    assertThat(GoGlob.containsWildcards("a[b]")).isTrue();
    assertThat(GoGlob.containsWildcards("a\\*")).isFalse();
    assertThat(GoGlob.containsWildcards("plain")).isFalse();
  }

  @Test
  void cleanIsGoClean() {
    assertThat(GoPaths.clean("")).isEqualTo(".");
    assertThat(GoPaths.clean("a//b/./c/..")).isEqualTo("a/b");
    assertThat(GoPaths.clean("/../a")).isEqualTo("/a");
    assertThat(GoPaths.clean("../../a/..")).isEqualTo("../..");
    assertThat(GoPaths.clean("a/../..")).isEqualTo("..");
    assertThat(GoPaths.clean("/")).isEqualTo("/");
    assertThat(GoPaths.clean("./")).isEqualTo(".");
    assertThat(GoPaths.dir("a/b/c")).isEqualTo("a/b");
    assertThat(GoPaths.dir("a")).isEqualTo(".");
  }

  @Test
  void ignorePatternsSurviveJavaRegexDifferences() {
    // inside brackets Go takes '[' and '&&' literally; Java would nest or intersect
    assertThat(new PatternMatcher(List.of("a[&&b]c")).matches("a&c")).isTrue();
    assertThat(new PatternMatcher(List.of("a[[]c")).matches("a[c")).isTrue();
    assertThat(new PatternMatcher(List.of("[[:digit:]]x")).matches("7x")).isTrue();
    assertThat(new PatternMatcher(List.of("[[:digit:]]x")).matches("ax")).isFalse();
    assertThat(new PatternMatcher(List.of("a?c")).matches("a\rc")).isTrue();
  }
}
