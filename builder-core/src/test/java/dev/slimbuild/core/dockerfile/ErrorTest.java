package dev.slimbuild.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rejected Dockerfile names the file and the line, and says what is wrong. */
class ErrorTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("", "Dockerfile:1: file with no instructions"),
        Arguments.of("# only\n\n", "Dockerfile:2: file with no instructions"),
        Arguments.of(
            "FROM a\nCOPPY x y\n", "Dockerfile:2: unknown instruction: COPPY (did you mean COPY?)"),
        Arguments.of(
            "FROM a\nrum x\n", "Dockerfile:2: unknown instruction: rum (did you mean run?)"),
        Arguments.of("FROM a\nFOOBAR x\n", "Dockerfile:2: unknown instruction: FOOBAR"),
        Arguments.of(
            "FROM a\nCOPY --form=b x y\n",
            "Dockerfile:2: unknown flag for COPY: --form (did you mean --from?)"),
        Arguments.of("FROM a\nRUN --foo x\n", "Dockerfile:2: unknown flag for RUN: --foo"),
        Arguments.of(
            "FROM a\nWORKDIR --x=1 /a\n",
            "Dockerfile:2: unknown flag for WORKDIR: --x (WORKDIR takes no flags)"),
        Arguments.of("FROM --platform a\n", "Dockerfile:1: missing a value on flag: --platform"),
        Arguments.of(
            "FROM a\nCOPY --link=maybe a b\n",
            "Dockerfile:2: expecting boolean value for flag --link, not: maybe"),
        Arguments.of("FROM a\nCOPY --link= a b\n", "Dockerfile:2: missing a value on flag: --link"),
        Arguments.of(
            "FROM a\nCOPY --from=x --from=y a b\n",
            "Dockerfile:2: duplicate flag specified: --from"),
        Arguments.of(
            "FROM a\nCOPY onlyone\n",
            "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined"),
        Arguments.of(
            "FROM a\nADD x <<EOF\nEOF\n",
            "Dockerfile:2: ADD cannot accept a heredoc as a destination"),
        Arguments.of("FROM\n", "Dockerfile:1: FROM requires either one or three arguments"),
        Arguments.of("FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments"),
        Arguments.of(
            "FROM a AS 1x\n",
            "Dockerfile:1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols"),
        Arguments.of("ARG\nFROM a\n", "Dockerfile:1: ARG requires at least one argument"),
        Arguments.of("ARG =x\nFROM a\n", "Dockerfile:1: ARG names can not be blank"),
        Arguments.of("FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument"),
        Arguments.of("FROM a\nENV PATH\n", "Dockerfile:2: ENV must have two arguments"),
        Arguments.of(
            "FROM a\nENV a=1 b\n",
            "Dockerfile:2: Syntax error - can't find = in \"b\". Must be of the form: name=value"),
        Arguments.of("FROM a\nLABEL =x\n", "Dockerfile:2: LABEL names can not be blank"),
        Arguments.of(
            "FROM a\nSHELL /bin/sh -c\n",
            "Dockerfile:2: SHELL requires the arguments to be in JSON form"),
        Arguments.of("FROM a\nSHELL []\n", "Dockerfile:2: SHELL requires at least one argument"),
        Arguments.of(
            "FROM a\nCMD [\"a\", 1]\n",
            "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only"),
        Arguments.of("FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument"),
        Arguments.of("FROM a\nUSER\n", "Dockerfile:2: USER requires exactly one argument"),
        Arguments.of("FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument"),
        Arguments.of(
            "FROM a\nVOLUME [\" \"]\n",
            "Dockerfile:2: VOLUME specified can not be an empty string"),
        Arguments.of("FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument"),
        Arguments.of("FROM a\nONBUILD\n", "Dockerfile:2: ONBUILD requires at least one argument"),
        Arguments.of(
            "FROM a\nONBUILD ONBUILD RUN x\n",
            "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        Arguments.of(
            "FROM a\nONBUILD FROM b\n", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger"),
        Arguments.of(
            "FROM a\nONBUILD maintainer b\n",
            "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger"),
        Arguments.of(
            "FROM a\nONBUILD COPPY a b\n",
            "Dockerfile:2: unknown instruction: COPPY (did you mean COPY?)"),
        Arguments.of(
            "FROM a\nHEALTHCHECK\n", "Dockerfile:2: HEALTHCHECK requires at least one argument"),
        Arguments.of(
            "FROM a\nHEALTHCHECK NONE x\n", "Dockerfile:2: HEALTHCHECK NONE takes no arguments"),
        Arguments.of(
            "FROM a\nHEALTHCHECK CMD\n", "Dockerfile:2: Missing command after HEALTHCHECK CMD"),
        Arguments.of(
            "FROM a\nHEALTHCHECK CONNECT TCP 7000\n",
            "Dockerfile:2: Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"),
        Arguments.of(
            "FROM a\nHEALTHCHECK --interval=5 CMD x\n",
            "Dockerfile:2: time: missing unit in duration \"5\""),
        Arguments.of(
            "FROM a\nHEALTHCHECK --timeout=10us CMD x\n",
            "Dockerfile:2: Interval \"timeout\" cannot be less than 1ms"),
        Arguments.of(
            "FROM a\nHEALTHCHECK --retries=-1 CMD x\n",
            "Dockerfile:2: --retries cannot be negative (-1)"),
        Arguments.of(
            "RUN x\nFROM a\n",
            "Dockerfile:1: RUN before the first FROM: only ARG may come before FROM (no build stage in current context)"),
        Arguments.of(
            "ARG a\nARG b\n",
            "Dockerfile:2: no FROM instruction: the Dockerfile defines no build stage"),
        Arguments.of(
            "FROM a AS x\nFROM b AS x\nFROM c\nCOPY --from=x a b\nFROM d AS x\n",
            "Dockerfile:4: COPY --from=x refers to a later stage (line 5); only earlier stages can be used"),
        Arguments.of(
            "FROM a AS x\nCOPY --from=x a b\n",
            "Dockerfile:2: COPY --from=x refers to the current stage"),
        Arguments.of(
            "FROM a AS x\nCOPY --from=0 a b\n",
            "Dockerfile:2: COPY --from=0 refers to the current stage"),
        Arguments.of(
            "FROM a\nCOPY --from=Later a b\nFROM b AS later\n",
            "Dockerfile:2: COPY --from=Later refers to a later stage (line 3); only earlier stages can be used"),
        Arguments.of(
            "FROM a\nCOPY --from=1 a b\nFROM b\n",
            "Dockerfile:2: COPY --from=1 refers to a later stage (line 3); only earlier stages can be used"),
        Arguments.of(
            "FROM a\nCOPY --from=0000000001 a b\nFROM b\n",
            "Dockerfile:2: COPY --from=0000000001 refers to a later stage (line 3); only earlier stages can be used"),
        Arguments.of(
            "FROM a\nCOPY --from=5 a b\n",
            "Dockerfile:2: COPY --from=5: no stage with index 5 (stages are numbered from 0)"),
        Arguments.of(
            "FROM a AS s\nRUN --mount=type=bind,from=s,target=/x x\n",
            "Dockerfile:2: RUN --mount=...from=s refers to the current stage"),
        Arguments.of(
            "FROM a\nRUN --mount=\"from=t\",target=/x x\nFROM b AS t\n",
            "Dockerfile:2: RUN --mount=...from=t refers to a later stage (line 3); only earlier stages can be used"),
        Arguments.of("FROM a\nRUN <<EOF\nnever ends\n", "Dockerfile:2: unterminated heredoc EOF"),
        Arguments.of(
            "# escape=x\nFROM a\n",
            "Dockerfile:1: invalid escape token 'x' does not match ` or \\"),
        Arguments.of(
            "# escape=`\n# escape=\\\nFROM a\n",
            "Dockerfile:2: only one escape parser directive can be used"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("cases")
  void rejected(String text, String message) {
    assertThatThrownBy(() -> DockerfileParser.parse(text, "Dockerfile"))
        .isInstanceOf(DockerfileException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepted(String text) {
    DockerfileParser.parse(text, "Dockerfile");
  }

  static Stream<String> accepted() {
    return Stream.of(
        "FROM a AS x\nFROM b\nCOPY --from=x a b\nCOPY --from=0 a b\nRUN --mount=from=x,target=/y z\n",
        "FROM a\nCOPY --from=$STAGE a b\nCOPY --from=other/image a b\n",
        "ARG A\nFROM a AS one\nONBUILD COPY --from=one a b\n",
        "FROM a\nCOPY --link=false --exclude=a --exclude=b a b\n");
  }
}
