package dev.slimbuild.core.dockerfile.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.dockerfile.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** BuildKit's own expansion tables, read in place. */
class ShellLexConformanceTest {
  private static final Map<String, String> ENV =
      Map.of("PWD", "/home", "SHELL", "bash", "KOREAN", "한국어", "NULL", "");

  static List<Arguments> envVarCases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    List<String> lines =
        Files.readAllLines(
            ShellConformance.file("buildkit/shell/envVarTest"), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#") || Text.trimSpace(line).isEmpty()) {
        continue;
      }
      String[] parts = Text.trimSpace(line).split("\\|", -1);
      assertThat(parts).as("line %d", i + 1).hasSize(3);
      String platform = Text.trimSpace(parts[0]);
      assertThat(platform).isIn("A", "U", "W");
      if (platform.equals("W")) {
        continue;
      }
      cases.add(Arguments.of(i + 1, Text.trimSpace(parts[1]), Text.trimSpace(parts[2])));
    }
    assertThat(cases).hasSizeGreaterThan(200);
    return cases;
  }

  @ParameterizedTest(name = "envVarTest:{0} {1}")
  @MethodSource("envVarCases")
  void envVarTest(int line, String input, String expected) {
    ShellLex lex = new ShellLex('\\');
    if (expected.equals("error")) {
      assertThatThrownBy(() -> lex.processWord(input, ENV)).isInstanceOf(ExpansionException.class);
    } else {
      assertThat(lex.processWord(input, ENV)).isEqualTo(expected);
    }
  }

  static List<Arguments> wordsCases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    List<String> lines =
        Files.readAllLines(
            ShellConformance.file("buildkit/shell/wordsTest"), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("ENV ")) {
        String kv = line.substring(3).replaceFirst("^ +", "");
        int eq = kv.indexOf('=');
        env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        continue;
      }
      String[] parts = line.split("\\|", -1);
      assertThat(parts).as("line %d", i + 1).hasSize(2);
      List<String> expected = Arrays.asList(parts[1].replaceFirst("^ +", "").split(",", -1));
      cases.add(Arguments.of(i + 1, Text.trimSpace(parts[0]), Map.copyOf(env), expected));
    }
    assertThat(cases).hasSizeGreaterThan(20);
    return cases;
  }

  @ParameterizedTest(name = "wordsTest:{0} {1}")
  @MethodSource("wordsCases")
  void wordsTest(int line, String input, Map<String, String> env, List<String> expected) {
    ShellLex lex = new ShellLex('\\');
    if (expected.equals(List.of("error"))) {
      assertThatThrownBy(() -> lex.processWords(input, env)).isInstanceOf(ExpansionException.class);
    } else {
      assertThat(lex.processWords(input, env)).containsExactlyElementsOf(expected);
    }
  }
}
