package dev.slimbuild.core.dockerfile.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellLexTest {
  private final ShellLex lex = new ShellLex('\\');

  @ParameterizedTest(name = "{0} with FOO={1} -> {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "${FOO%%\\**}|xx**|xx",
        "${FOO#*x*y}|xxyy|y",
        "${FOO#*}|xxyy|xxyy",
        "${FOO#}|xxyy|xxyy",
        "${FOO##*x}|xxyy|yy",
        "${FOO##}|xxyy|xxyy",
        "${FOO#?\\?}|???y|?y",
        "${ABC:-.}${FOO%x}${ABC:-.}|xxyy|.xxyy.",
        "${FOO%%\\**\\*}|a***yy*|a",
        "${FOO%}|xxyy|xxyy",
        "${FOO%y}|xxyy|xxy",
        "${FOO%%y*}|xxyy|xx",
        "${FOO%y*}|xxyy|xxy",
        "${FOO//\\//\\/}|/tmp/foo.txt|\\/tmp\\/foo.txt",
        "${FOO///}|xxyy|xxyy",
        "${FOO/x/a}|xxyy|axyy",
        "${FOO//x/a}|xxyy|aayy",
        "${FOO//y*/z}|xxyy|xxz",
        "${FOO//?/-}|a한b|---",
        "${FOO#한}|한국어|국어",
        "${FOO%어}|한국어|한국",
      })
  void patternModifiers(String word, String foo, String expected) {
    assertThat(lex.processWord(word, Map.of("FOO", foo))).isEqualTo(expected);
  }

  @Test
  void patternModifiersWithVariablesInPattern() {
    assertThat(lex.processWord("${FOO#()[]{\\}^$.\\*\\?|\\\\}", Map.of("FOO", "()[]{}^$.*?|\\x")))
        .isEqualTo("x");
    assertThat(lex.processWord("${FOO#$BAR}", Map.of("FOO", "xxyy", "BAR", "x"))).isEqualTo("xyy");
    assertThat(lex.processWord("${FOO#$BAR}", Map.of("FOO", "xxyy", "BAR", ""))).isEqualTo("xxyy");
    assertThat(lex.processWord("${FOO%%$BAR}", Map.of("FOO", "xxyy", "BAR", ""))).isEqualTo("xxyy");
    assertThat(
            lex.processWord(
                "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
                Map.of("FOO", "/foo*/*/*.txt", "NEEDLE", "\\*/")))
        .isEqualTo("/foo.*/*.txt - /foo..*.txt");
    assertThat(
            lex.processWord(
                "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
                Map.of("FOO", "/tmp/tmp/bar.txt", "NEEDLE", "/tmp")))
        .isEqualTo("/tmp/bar.txt - /bar.txt");
    assertThat(
            lex.processWord(
                "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
                Map.of("FOO", "/a/foo/b/c.txt", "NEEDLE", "/?/", "REPLACEMENT", "/")))
        .isEqualTo("/foo/b/c.txt - /foo/c.txt");
    assertThat(
            lex.processWord(
                "${FOO/$NEEDLE/$REPLACEMENT}",
                Map.of("FOO", "http://example", "NEEDLE", "http://", "REPLACEMENT", "https://")))
        .isEqualTo("https://example");
    assertThat(lex.processWord("${FOO/$BAR/ww}", Map.of("FOO", "xxyy", "BAR", "")))
        .isEqualTo("wwxxyy");
    assertThat(lex.processWord("${FOO///}", Map.of())).isEmpty();
  }

  @Test
  void replaceAllFollowsGoEmptyMatchRules() {
    // an empty match right after a non-empty one is not replaced (Go), unlike java.util.regex
    assertThat(lex.processWord("${FOO//*/-}", Map.of("FOO", "abc"))).isEqualTo("-");
    assertThat(lex.processWord("${FOO///-}", Map.of("FOO", "abc"))).isEqualTo("-a-b-c-");
    // $0 in the replacement of a replace-all stands for the match
    assertThat(lex.processWord("${FOO//b/<\\$0>}", Map.of("FOO", "abc"))).isEqualTo("a<\\b>c");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "${FOO:#}",
        "${FOO:##}",
        "${FOO:%}",
        "${FOO:%%}",
        "${FOO=aaa}",
        "${FOO=:aaa}",
        "${FOO=}",
        "${FOO//ww}",
        "${FOO//}",
        "${FOO#\\x}",
        "${FOO/a",
        "${FOO#abc",
        "${FOO",
        "${",
        "'abc",
        "\"abc"
      })
  void malformedWordsFail(String word) {
    assertThatThrownBy(() -> lex.processWord(word, Map.of("FOO", "xxyy")))
        .isInstanceOf(ExpansionException.class)
        .hasMessageStartingWith("failed to process \"" + word + "\": ");
  }

  @Test
  void unterminatedConstructsSayWhatIsMissing() {
    assertThatThrownBy(() -> lex.processWord("a${B", Map.of())).hasMessageContaining("missing '}'");
    assertThatThrownBy(() -> lex.processWord("a${B:-c", Map.of()))
        .hasMessageContaining("missing '}'");
    assertThatThrownBy(() -> lex.processWord("'a", Map.of()))
        .hasMessageContaining("matching single-quote");
    assertThatThrownBy(() -> lex.processWord("\"a", Map.of()))
        .hasMessageContaining("matching double-quote");
  }

  @Test
  void mandatoryVariablesCarryTheMessage() {
    String noEmpty = "${VAR:?message here$ARG}";
    String noUnset = "${VAR?message here$ARG}";
    Map<String, String> set = Map.of("VAR", "plain", "ARG", "x");
    Map<String, String> empty = Map.of("VAR", "", "ARG", "x");
    Map<String, String> unset = Map.of("ARG", "x");

    assertThat(lex.processWord(noEmpty, set)).isEqualTo("plain");
    assertThatThrownBy(() -> lex.processWord(noEmpty, empty))
        .isInstanceOf(ExpansionException.class)
        .hasMessageContaining("VAR: message herex");
    assertThatThrownBy(() -> lex.processWord(noEmpty, unset))
        .hasMessageContaining("VAR: message herex");

    assertThat(lex.processWord(noUnset, set)).isEqualTo("plain");
    assertThat(lex.processWord(noUnset, empty)).isEmpty();
    assertThatThrownBy(() -> lex.processWord(noUnset, unset))
        .hasMessageContaining("VAR: message herex");
    assertThatThrownBy(() -> lex.processWord("${VAR?}", unset))
        .hasMessageContaining("VAR: is not allowed to be unset");
    assertThatThrownBy(() -> lex.processWord("${VAR:?}", empty))
        .hasMessageContaining("VAR: is not allowed to be empty");
  }

  @Test
  void defaultsAndAlternatives() {
    Map<String, String> env = Map.of("FOO", "xxx", "BAR", "");
    assertThat(lex.processWord("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", env)).isEqualTo("xxx  ccc");
    assertThat(lex.processWord("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", env))
        .isEqualTo("xxx bbb ccc");
    assertThat(lex.processWord("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", env)).isEqualTo("aaa bbb ");
    assertThat(lex.processWord("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", env)).isEqualTo("aaa  ");
    String release = "x-${V}.${OS}-${ARCH}${VARIANT:+-${VARIANT}}.tar.gz";
    assertThat(
            lex.processWord(
                release, Map.of("V", "1", "OS", "linux", "ARCH", "arm", "VARIANT", "v7")))
        .isEqualTo("x-1.linux-arm-v7.tar.gz");
    assertThat(lex.processWord(release, Map.of("V", "1", "OS", "linux", "ARCH", "arm64")))
        .isEqualTo("x-1.linux-arm64.tar.gz");
  }

  @Test
  void wordsKeepTextBeforeANestedSubstitution() {
    // BuildKit 0.15+ shares one word buffer across nested ${...} and loses "hello" here;
    // slimbuild keeps it, as BuildKit did before and as processWord does.
    assertThat(lex.processWords("hello${X:-a b}c d", Map.of()))
        .containsExactly("helloa", "bc", "d");
  }

  @Test
  void wordsSplitOnlyUnquotedBlanksAndKeepHeredocMarkers() {
    Map<String, String> env = Map.of("V", " a  b ");
    assertThat(lex.processWords("x${V}y", env)).containsExactly("x", "a", "b", "y");
    assertThat(lex.processWords("'x y' \"${V}\"", env)).containsExactly("x y", " a  b ");
    assertThat(lex.processWords("cat << EOF", env)).containsExactly("cat", "<< EOF");
    assertThat(lex.processWords("", env)).isEmpty();
  }

  @Test
  void backtickEscapeToken() {
    ShellLex windows = new ShellLex('`');
    Map<String, String> env = Map.of("PWD", "/home");
    assertThat(windows.processWord("C:\\path\\$PWD", env)).isEqualTo("C:\\path\\/home");
    assertThat(windows.processWord("he`$PWD", env)).isEqualTo("he$PWD");
    assertThat(windows.processWord("\"a`\"b\"", env)).isEqualTo("a\"b");
    assertThat(windows.processWord("\"a`xb\"", env)).isEqualTo("a`xb");
    assertThat(windows.processWord("\"a\\\"b", env)).isEqualTo("a\\b");
    assertThat(windows.processWord("a``b`", env)).isEqualTo("a`b");
    assertThat(windows.processWords("a` b c", env)).containsExactly("a b", "c");
    assertThatThrownBy(() -> new ShellLex('x')).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void specialAndPositionalParametersAreNeverSet() {
    Map<String, String> env = Map.of("1", "one", "@", "at");
    // the environment map could hold such keys (a build arg cannot); BuildKit still looks them up
    assertThat(lex.processWord("$1 ${@}", env)).isEqualTo("one at");
    assertThat(lex.processWord("$12x $@@", Map.of())).isEqualTo("x @");
  }

  @Test
  void unicodeNamesAndValues() {
    assertThat(lex.processWord("$한국어!", Map.of("한국어", "ok"))).isEqualTo("ok!");
    assertThat(lex.processWords("a\u00a0b", Map.of())).containsExactly("a", "b");
    assertThat(List.of(lex.processWord("\uD83D\uDE00$X", Map.of("X", "y"))))
        .containsExactly("\uD83D\uDE00y");
  }
}
