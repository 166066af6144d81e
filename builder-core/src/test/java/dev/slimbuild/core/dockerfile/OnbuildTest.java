package dev.slimbuild.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ONBUILD as BuildKit keeps it: the expression the config's {@code OnBuild} stores, and the trigger
 * a later build parses back from it.
 */
class OnbuildTest {
  private static final Location FROM = new Location("Dockerfile", 7, 7, "FROM base");

  private static OnbuildInstruction onbuild(String text) {
    Stage s = DockerfileParser.parse("FROM a\n" + text, "Dockerfile").stages().get(0);
    return (OnbuildInstruction) s.instructions().get(0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ONBUILD RUN echo hi|RUN echo hi",
        "  onbuild   COPY a b|COPY a b",
        "OnBuild ENV a=b c=\"d e\"|ENV a=b c=\"d e\"",
        "ONBUILD RUN a && b # c|RUN a && b # c",
      })
  void expressionIsTheInstructionWithoutTheKeyword(String text, String expression) {
    assertThat(onbuild(text.replace("\\n", "\n")).expression()).isEqualTo(expression);
  }

  @Test
  void heredocBodiesAndDelimitersAreAppended() {
    OnbuildInstruction o = onbuild("ONBUILD RUN <<EOF\necho \"hello world\" >> /dest\nEOF\n");
    assertThat(o.expression()).isEqualTo("RUN <<EOF\necho \"hello world\" >> /dest\nEOF");
    Instruction t = DockerfileParser.parseTrigger(o.expression(), FROM);
    assertThat(t).isInstanceOf(RunInstruction.class);
    assertThat(((RunInstruction) t).heredocs())
        .extracting(Heredoc::content)
        .containsExactly("echo \"hello world\" >> /dest\n");
  }

  @Test
  void aTriggerParsesIntoTheInstructionAtTheFromLine() {
    Instruction t = DockerfileParser.parseTrigger("COPY --from=src /in/file /out/foo", FROM);
    assertThat(t)
        .isEqualTo(
            new CopyInstruction(
                new Location("Dockerfile", 7, 7, "COPY --from=src /in/file /out/foo"),
                List.of("/in/file"),
                List.of(),
                "/out/foo",
                Optional.of("src"),
                Optional.empty(),
                Optional.empty(),
                false,
                List.of(),
                false));
    // what ONBUILD stores parses back to the same trigger
    OnbuildInstruction o = onbuild("ONBUILD ENV a=b c=\"d e\"\n");
    assertThat(DockerfileParser.parseTrigger(o.expression(), FROM))
        .isEqualTo(
            new EnvInstruction(
                new Location("Dockerfile", 7, 7, o.expression()),
                ((EnvInstruction) o.trigger()).pairs()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "FROM x|Dockerfile:7: FROM isn't allowed as an ONBUILD trigger",
        "maintainer me|Dockerfile:7: MAINTAINER isn't allowed as an ONBUILD trigger",
        "ONBUILD RUN x|Dockerfile:7: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        "RUN a\\nRUN b|Dockerfile:7: ONBUILD trigger \"RUN a\\nRUN b\": onbuild trigger should be a"
            + " single expression",
        "''|Dockerfile:7: ONBUILD trigger \"\": file with no instructions",
        "COPPY a b|Dockerfile:7: unknown instruction: COPPY (did you mean COPY?)",
        "COPY a|Dockerfile:7: COPY requires at least two arguments, but only one was provided."
            + " Destination could not be determined",
      })
  void badTriggersAreErrorsAtTheFromLine(String trigger, String message) {
    assertThatThrownBy(() -> DockerfileParser.parseTrigger(trigger.replace("\\n", "\n"), FROM))
        .isInstanceOf(DockerfileException.class)
        .hasMessage(message);
  }
}
