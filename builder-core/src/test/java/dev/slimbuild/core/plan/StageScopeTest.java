package dev.slimbuild.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.ArgInstruction;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.KeyValue;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.oci.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ARG and ENV scope inside a stage, as BuildKit's dispatcher keeps it: each ARG and ENV updates the
 * variables later instructions expand with, the later replacing the earlier.
 */
class StageScopeTest {

  /** The result of walking the target stage: what {@code $PROBE} expands to at each RUN. */
  record Walk(StageScope scope, List<String> probes, List<List<String>> recorded) {}

  /**
   * Walks the target stage: ARGs are declared, ENV values expanded and set, and at each {@code RUN}
   * the command text is expanded as one word (so {@code RUN $V} records V's value there).
   */
  static Walk walk(String dockerfile, Map<String, String> buildArgs, List<String> baseEnv) {
    BuildPlan plan =
        Planner.plan(
            DockerfileParser.parse(dockerfile, "Dockerfile"),
            new PlanRequest(
                buildArgs,
                Optional.empty(),
                Platform.parse("linux/arm64"),
                Platform.parse("linux/amd64")));
    StageScope scope = new StageScope(plan, baseEnv);
    List<String> probes = new ArrayList<>();
    List<List<String>> recorded = new ArrayList<>();
    for (Instruction ins : plan.target().stage().instructions()) {
      if (ins instanceof ArgInstruction a) {
        recorded.add(scope.declare(a));
      } else if (ins instanceof EnvInstruction e) {
        for (KeyValue kv : scope.expandEnv(e)) {
          scope.env(kv.key(), kv.value());
        }
      } else if (ins instanceof RunInstruction r) {
        String text = r.location().original();
        probes.add(scope.word(text.substring(text.indexOf(' ') + 1), r));
      }
    }
    return new Walk(scope, probes, recorded);
  }

  static String probe(String stageBody, String buildArgs) {
    String df = "ARG G=global\nFROM x\n" + stageBody.replace("\\n", "\n") + "\nRUN [$V]\n";
    List<String> probes = walk(df, PlannerTest.args(buildArgs), List.of()).probes();
    return probes.get(probes.size() - 1);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a global ARG is not visible in a stage until re-declared
        "ARG W=1|''|[]",
        "ENV V=$G|''|[]",
        "ARG G\\nENV V=$G|''|[global]",
        "ARG G\\nENV V=$G|G=cli|[cli]",
        // a re-declaration with its own default uses it, unless a build arg is given
        "ARG G=own\\nENV V=$G|''|[own]",
        "ARG G=own\\nENV V=$G|G=cli|[cli]",
        // a stage ARG: default, build arg, neither (unset)
        "ARG V=def|''|[def]",
        "ARG V=def|V=cli|[cli]",
        "ARG V|''|[]",
        "ARG V|V=cli|[cli]",
        "ARG V\\nENV V=${V-unset}|''|[unset]",
        "ARG V|V=|[]",
        // defaults expand earlier ARGs and ENVs
        "ARG A=a\\nARG V=${A}-b|''|[a-b]",
        "ARG A=a\\nARG V=${A}-b|A=z|[z-b]",
        "ENV E=e\\nARG V=${E}-b|''|[e-b]",
        "ARG G\\nARG V=$G.x|''|[global.x]",
        "ARG V=a\\nARG V=${V}b|''|[ab]",
        // ENV overrides an earlier ARG of the same name, whatever its source
        "ARG V=arg\\nENV V=env|''|[env]",
        "ARG V=arg\\nENV V=env|V=cli|[env]",
        "ARG V=arg\\nENV V=${V}+env|''|[arg+env]",
        // every pair of one ENV sees the variables from before the instruction
        "ENV a=one\\nENV a=two V=$a|''|[one]",
        "ENV V=x V=${V}y|''|[y]",
        "ENV K=V\\nENV $K=expanded-key|''|[expanded-key]",
        "ENV a=1\\nENV a=2 b=$a\\nENV V=$a$b|''|[21]",
        // ARG defaults expand one by one: a later name sees an earlier one of the same ARG
        "ARG a=1 V=$a|''|[1]",
        // an ARG name is never expanded (BuildKit since v0.14): ${N} declares "${N}", not N's value
        "ARG N=V\\nARG ${N}=x|''|[]",
        "ARG N=V\\nARG $N=x\\nENV V=${V:-unset}|''|[unset]",
        // BuildKit: a later ARG that has a value (default, build arg, or global) replaces the ENV
        // for the instructions after it; one without any value leaves the ENV in place
        "ENV V=env\\nARG V=arg|''|[arg]",
        "ENV V=env\\nARG V|V=cli|[cli]",
        "ENV V=env\\nARG V|''|[env]",
        "ENV G=env\\nARG G\\nENV V=$G|''|[global]",
        // predefined platform ARGs only after declaring them
        "ENV V=$TARGETARCH|''|[]",
        "ARG TARGETARCH\\nENV V=$TARGETARCH|''|[arm64]",
        "ARG TARGETPLATFORM BUILDARCH\\nENV V=$TARGETPLATFORM-$BUILDARCH|''|[linux/arm64-amd64]",
        "ARG TARGETVARIANT\\nENV V=x${TARGETVARIANT-unset}|''|[x]",
        "ARG TARGETARCH=mine\\nENV V=$TARGETARCH|''|[mine]",
        "ARG TARGETARCH\\nENV V=$TARGETARCH|TARGETARCH=cli|[cli]",
      })
  void scope(String stageBody, String buildArgs, String expected) {
    assertThat(probe(stageBody, buildArgs)).isEqualTo(expected);
  }

  @Test
  void baseImageEnvIsVisibleAndReplaceable() {
    Walk w =
        walk(
            "FROM x\nRUN $PATH:$HOME\nENV PATH=/opt:$PATH\nARG HOME=/root\nRUN $PATH:$HOME\n",
            Map.of(),
            List.of("PATH=/usr/bin", "HOME=/home/u", "EMPTY"));
    assertThat(w.probes()).containsExactly("/usr/bin:/home/u", "/opt:/usr/bin:/root");
    assertThat(w.scope().vars())
        .containsEntry("EMPTY", "")
        .containsEntry("PATH", "/opt:/usr/bin")
        .containsEntry("HOME", "/root");
  }

  @Test
  void argsAreListedApartFromEnvAndRecordedForHistory() {
    Walk w =
        walk(
            "ARG G=global\nFROM x\nARG A=1 B\nENV E=e\nARG G\nARG C=\"q $A\"\n",
            Map.of(),
            List.of());
    assertThat(w.recorded())
        .containsExactly(List.of("A=1", "B"), List.of("G=global"), List.of("C=q 1"));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("A", "1");
    expected.put("G", "global");
    expected.put("C", "q 1");
    assertThat(w.scope().args()).containsExactlyEntriesOf(expected);
    assertThat(w.scope().vars()).containsEntry("E", "e").doesNotContainKey("B");
    assertThat(w.scope().args()).doesNotContainKey("E");
  }

  @Test
  void aBuildArgReplacesTheDefaultWithoutExpandingIt() {
    String df = "FROM x\nARG FOO\nARG BAR=${FOO:?\"foo missing\"}\nRUN $BAR\n";
    assertThat(walk(df, Map.of("BAR", "123"), List.of()).probes()).containsExactly("123");
    assertThat(walk(df, Map.of("FOO", "f"), List.of()).probes()).containsExactly("f");
    assertThatThrownBy(() -> walk(df, Map.of(), List.of()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("Dockerfile:3: ")
        .hasMessageContaining("FOO: foo missing");
  }

  @Test
  void wordsSplitAfterExpansionAndErrorsNameTheLine() {
    String df = "FROM x\nARG A=\"1 2\"\n";
    Walk w = walk(df, Map.of(), List.of());
    Instruction arg = firstArg(df);
    assertThat(w.scope().words("$A \"$A\"", arg)).containsExactly("1", "2", "1 2");
    assertThatThrownBy(() -> w.scope().word("${A:?}x${", arg))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("Dockerfile:2: ");
  }

  static Instruction firstArg(String df) {
    return DockerfileParser.parse(df, "Dockerfile").stages().get(0).instructions().get(0);
  }

  @Test
  void escapeDirectiveIsHonoured() {
    String df = "# escape=`\nFROM x\nARG A=a\nRUN `$A-$A\n";
    assertThat(walk(df, Map.of(), List.of()).probes()).containsExactly("$A-a");
  }

  @Test
  void expandEnvUsesTheVariablesFromBeforeTheInstructionForEveryPair() {
    String df = "FROM x\nENV a=one\nENV a=two b=$a c=\"${a}-$b\"\n";
    BuildPlan plan =
        Planner.plan(
            DockerfileParser.parse(df, "Dockerfile"),
            new PlanRequest(
                Map.of(),
                Optional.empty(),
                Platform.parse("linux/amd64"),
                Platform.parse("linux/amd64")));
    StageScope scope = new StageScope(plan, List.of());
    List<Instruction> ins = plan.target().stage().instructions();
    for (Instruction i : ins) {
      for (KeyValue kv : scope.expandEnv((EnvInstruction) i)) {
        scope.env(kv.key(), kv.value());
      }
    }
    assertThat(scope.vars())
        .containsEntry("a", "two")
        .containsEntry("b", "one")
        .containsEntry("c", "one-");
    // nothing is set by expanding
    StageScope fresh = new StageScope(plan, List.of());
    assertThat(fresh.expandEnv((EnvInstruction) ins.get(1)))
        .containsExactly(
            new KeyValue("a", "two", false),
            new KeyValue("b", "", false),
            new KeyValue("c", "-", false));
    assertThat(fresh.vars()).isEmpty();
  }

  @Test
  void argNamesStayAsWrittenAndHistoryRecordsThem() {
    Walk w = walk("FROM x\nARG N=V\nARG ${N}=x $N\n", Map.of(), List.of());
    assertThat(w.recorded()).containsExactly(List.of("N=V"), List.of("${N}=x", "$N"));
    assertThat(w.scope().args()).containsEntry("${N}", "x").doesNotContainKey("V");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // BuildKit's testCopyHeredocSpecialSymbols and testHeredocVarSubstitution bodies; <NL> is
        // a newline
        "\"quotes in file\"<NL>|\"quotes in file\"<NL>",
        "\\<NL>|<NL>",
        "\\\\<NL>|\\<NL>",
        "\\$<NL>|$<NL>",
        "Hello ${name}!<NL>|Hello world!<NL>",
        "Hello '${name}'!<NL>|Hello 'world'!<NL>",
        "Hello \"${name}\"!<NL>|Hello \"world\"!<NL>",
        "${missing:-dflt} $name$name|dflt worldworld",
      })
  void heredocBodiesExpandLikeBuildKitKeepingQuotes(String body, String expected) {
    // the escape directive does not apply to here-documents
    String df = "# escape=`\nFROM x\nARG name=world\n";
    Walk w = walk(df, Map.of(), List.of());
    assertThat(w.scope().heredoc(body.replace("<NL>", "\n"), firstArg(df)))
        .isEqualTo(expected.replace("<NL>", "\n"));
  }
}
