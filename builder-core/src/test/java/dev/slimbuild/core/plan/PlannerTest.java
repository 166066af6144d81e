package dev.slimbuild.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.oci.Platform;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The planner against BuildKit's semantics: global ARGs, platform ARGs, stage graph, target. */
class PlannerTest {
  static final Platform BUILD = Platform.parse("linux/amd64");

  static BuildPlan plan(String dockerfile, Map<String, String> buildArgs, String target) {
    return plan(dockerfile, buildArgs, target, "linux/amd64", BUILD);
  }

  static BuildPlan plan(
      String dockerfile,
      Map<String, String> buildArgs,
      String target,
      String targetPlatform,
      Platform buildPlatform) {
    return Planner.plan(
        DockerfileParser.parse(dockerfile, "Dockerfile"),
        new PlanRequest(
            buildArgs, Optional.ofNullable(target), Platform.parse(targetPlatform), buildPlatform));
  }

  static String base(String dockerfile, Map<String, String> buildArgs) {
    return plan(dockerfile, buildArgs, null).target().baseName();
  }

  static List<String> names(BuildPlan p) {
    return p.stages().stream().map(PlannedStage::displayName).toList();
  }

  // --- global ARGs ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // global ARG default used in FROM, overridden by --build-arg
        "ARG V=1.36\\nFROM busybox:${V}|''|busybox:1.36",
        "ARG V=1.36\\nFROM busybox:${V}|V=latest|busybox:latest",
        // an ARG default refers to earlier ARGs; a build arg on the earlier one flows into it
        "ARG A=box\\nARG B=busy$A\\nFROM $B|''|busybox",
        "ARG A=box\\nARG B=busy$A\\nFROM $B|A=ybox|busyybox",
        "ARG A=box\\nARG B=busy$A\\nFROM $B|B=alpine|alpine",
        // ... and to the predefined platform ARGs
        "ARG IMG=img-${TARGETARCH}\\nFROM $IMG|''|img-amd64",
        // an ARG that refers to itself sees its earlier value
        "ARG V=a\\nARG V=${V}b\\nFROM x:$V|''|x:ab",
        // no default and no build arg: unset (not empty)
        "ARG V\\nFROM x${V-_unset}|''|x_unset",
        "ARG V\\nFROM x${V-_unset}|V=|x",
        // a later declaration without default keeps the earlier value
        "ARG V=1\\nARG V\\nFROM x:$V|''|x:1",
        // a build arg that no ARG declares is not visible in FROM
        "FROM x${V-_unset}|V=1|x_unset",
        // ARGs inside a stage are not visible to a later FROM
        "FROM a\\nARG V=1\\nFROM x${V-_unset}|''|x_unset",
        // quotes in the default are removed
        "ARG V=\"a b\"\\nFROM \"x:$V\"|''|x:a b",
      })
  void globalArgsInFrom(String dockerfile, String buildArgs, String expected) {
    assertThat(base(dockerfile.replace("\\n", "\n"), args(buildArgs))).isEqualTo(expected);
  }

  static Map<String, String> args(String s) {
    if (s.isEmpty()) {
      return Map.of();
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : s.split(",")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return m;
  }

  @Test
  void globalArgsListPredefinedFirstThenDeclared() {
    BuildPlan p = plan("ARG B=2\nARG A=1\nARG C\nFROM x\n", Map.of("A", "cli"), null);
    assertThat(p.globalArgs())
        .containsEntry("A", "cli")
        .containsEntry("B", "2")
        .doesNotContainKey("C")
        .containsEntry("TARGETARCH", "amd64");
    List<String> keys = List.copyOf(p.globalArgs().keySet());
    assertThat(keys.subList(keys.size() - 2, keys.size())).containsExactly("B", "A");
    assertThat(keys.get(0)).isEqualTo("BUILDPLATFORM");
  }

  @Test
  void globalArgErrorCarriesItsLine() {
    assertThatThrownBy(
            () -> plan("# c\nARG FOO=${FOO:?\"custom error\"}\nFROM x\n", Map.of(), null))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("Dockerfile:2: ")
        .hasMessageContaining("FOO: custom error");
    // a build arg replaces the default, which is then never expanded
    assertThat(base("ARG FOO=${FOO:?\"custom error\"}\nFROM x:$FOO\n", Map.of("FOO", "bar")))
        .isEqualTo("x:bar");
  }

  // --- predefined platform ARGs ----------------------------------------------------------------

  @ParameterizedTest(name = "target {0}, build {1}")
  @CsvSource({
    "linux/amd64,   linux/amd64,  linux/amd64,  linux, amd64, '',  linux/amd64,  linux, amd64, ''",
    "linux/arm64,   linux/amd64,  linux/arm64,  linux, arm64, '',  linux/amd64,  linux, amd64, ''",
    "linux/aarch64, linux/amd64,  linux/arm64,  linux, arm64, '',  linux/amd64,  linux, amd64, ''",
    "linux/arm64/v8,linux/amd64,  linux/arm64,  linux, arm64, '',  linux/amd64,  linux, amd64, ''",
    "linux/arm/v7,  linux/amd64,  linux/arm/v7, linux, arm,   v7,  linux/amd64,  linux, amd64, ''",
    "linux/arm,     linux/amd64,  linux/arm/v7, linux, arm,   v7,  linux/amd64,  linux, amd64, ''",
    "linux/arm/v6,  linux/arm/v6, linux/arm/v6, linux, arm,   v6,  linux/arm/v6, linux, arm,   v6",
    "linux/s390x,   linux/arm64,  linux/s390x,  linux, s390x, '',  linux/arm64,  linux, arm64, ''",
    "windows/amd64, linux/x86_64, windows/amd64,windows,amd64,'',  linux/amd64,  linux, amd64, ''",
  })
  void platformArgs(
      String target,
      String build,
      String targetPlatform,
      String targetOs,
      String targetArch,
      String targetVariant,
      String buildPlatform,
      String buildOs,
      String buildArch,
      String buildVariant) {
    String df =
        "FROM x:${TARGETPLATFORM}_${TARGETOS}_${TARGETARCH}_${TARGETVARIANT}"
            + "_${BUILDPLATFORM}_${BUILDOS}_${BUILDARCH}_${BUILDVARIANT}\n";
    BuildPlan p = plan(df, Map.of(), null, target, Platform.parse(build));
    assertThat(p.target().baseName())
        .isEqualTo(
            String.join(
                "_",
                "x:" + targetPlatform,
                targetOs,
                targetArch,
                targetVariant,
                buildPlatform,
                buildOs,
                buildArch,
                buildVariant));
    assertThat(p.globalArgs())
        .containsEntry("TARGETPLATFORM", targetPlatform)
        .containsEntry("TARGETVARIANT", targetVariant)
        .containsEntry("BUILDPLATFORM", buildPlatform)
        .containsEntry("BUILDVARIANT", buildVariant);
    assertThat(p.platform()).hasToString(Platform.parse(target).toString());
  }

  @Test
  void fromPlatformExpandsPlatformArgs() {
    String df =
        "FROM --platform=$BUILDPLATFORM golang AS build\n"
            + "FROM --platform=${TARGETPLATFORM} alpine AS run\n"
            + "COPY --from=build /a /a\n"
            + "FROM alpine\n"
            + "COPY --from=run /a /a\n";
    BuildPlan p = plan(df, Map.of(), null, "linux/arm/v7", Platform.parse("linux/arm64"));
    assertThat(p.stage(0).orElseThrow().platform()).contains(Platform.parse("linux/arm64"));
    assertThat(p.stage(1).orElseThrow().platform()).contains(Platform.parse("linux/arm/v7"));
    assertThat(p.stage(2).orElseThrow().platform()).isEmpty();
  }

  @Test
  void platformArgsCanBeOverriddenByBuildArgs() {
    BuildPlan p = plan("FROM x:$TARGETARCH\n", Map.of("TARGETARCH", "riscv64"), null);
    assertThat(p.target().baseName()).isEqualTo("x:riscv64");
    assertThat(p.unusedBuildArgs()).isEmpty();
  }

  @Test
  void targetStageArgIsTheTargetAsRequestedOrTheLastStageName() {
    String df = "FROM a AS base\nFROM b AS Foo\nFROM c AS final\n";
    assertThat(plan(df, Map.of(), null).globalArgs()).containsEntry("TARGETSTAGE", "final");
    assertThat(plan(df, Map.of(), "base").globalArgs()).containsEntry("TARGETSTAGE", "base");
    // as requested, spelling kept (the stage lookup itself ignores case)
    assertThat(plan(df, Map.of(), "FOO").globalArgs()).containsEntry("TARGETSTAGE", "FOO");
    assertThat(plan("FROM a AS x\nFROM b\n", Map.of(), null).globalArgs())
        .containsEntry("TARGETSTAGE", "default");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ARG P\\n\\nFROM --platform=$P x|Dockerfile:3: empty platform value from expression $P",
        "FROM a\\nFROM --platform=linux x|Dockerfile:2: failed to parse platform linux",
        "FROM --platform=${P:?need P} x|Dockerfile:1: ",
        "FROM --platform=linux/a:b x|Dockerfile:1: failed to parse platform linux/a:b",
      })
  void platformErrorsNameTheLine(String dockerfile, String message) {
    assertThatThrownBy(() -> plan(dockerfile.replace("\\n", "\n"), Map.of(), null))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith(message);
  }

  // --- stage graph -------------------------------------------------------------------------------

  static final String GRAPH =
      String.join(
          "\n",
          "FROM alpine AS build", // 0
          "RUN make",
          "FROM scratch AS docs", // 1
          "COPY --from=0 /doc /doc",
          "FROM build AS test", // 2
          "RUN --mount=type=bind,from=docs,target=/d make test",
          "FROM debian AS unused", // 3
          "RUN false",
          "FROM busybox", // 4
          "COPY --from=BUILD /bin/app /app",
          "COPY --from=alpine:3 /etc/os-release /",
          "");

  @Test
  void defaultTargetIsTheLastStageAndPullsOnlyWhatItNeeds() {
    BuildPlan p = plan(GRAPH, Map.of(), null);
    assertThat(names(p)).containsExactly("build", "stage-4");
    assertThat(p.target().index()).isEqualTo(4);
    assertThat(p.target().dependencies()).containsExactly(0);
    assertThat(p.target().baseStage()).isEmpty();
    assertThat(p.target().baseName()).isEqualTo("busybox");
  }

  @ParameterizedTest(name = "--target {0}")
  @CsvSource({
    "test, 'build,docs,test'",
    "TEST, 'build,docs,test'",
    "docs, 'build,docs'",
    "Build, 'build'",
    "unused, 'unused'",
  })
  void targetPicksTheStageAndItsDependenciesInOrder(String target, String expected) {
    BuildPlan p = plan(GRAPH, Map.of(), target);
    assertThat(names(p)).containsExactly(expected.split(","));
    assertThat(p.target().displayName()).isEqualTo(target.toLowerCase(Locale.ROOT));
  }

  @Test
  void edgesFromFromCopyAndRunMount() {
    BuildPlan p = plan(GRAPH, Map.of(), "test");
    PlannedStage test = p.target();
    assertThat(test.baseStage()).contains(0);
    assertThat(test.baseName()).isEqualTo("build");
    assertThat(test.fromScratch()).isFalse();
    assertThat(test.dependencies()).containsExactlyInAnyOrder(0, 1);
    PlannedStage docs = p.stage(1).orElseThrow();
    assertThat(docs.dependencies()).containsExactly(0);
    assertThat(docs.fromScratch()).isTrue();
    assertThat(p.stage(0).orElseThrow().dependencies()).isEmpty();
  }

  @Test
  void fromNamesAStageOnlyWhenItIsAnEarlierStageSpelledExactly() {
    // BuildKit looks the expanded base name up as written: stage names are lower case, so an
    // upper-case spelling is an image reference, not the stage; a later stage is not visible
    String df = "FROM alpine AS build\nFROM BUILD AS a\nFROM later AS b\nFROM x AS later\n";
    BuildPlan p = plan(df, Map.of(), "a");
    assertThat(p.target().baseStage()).isEmpty();
    assertThat(names(p)).containsExactly("a");
    BuildPlan q = plan(df, Map.of(), "b");
    assertThat(q.target().baseStage()).isEmpty();
    assertThat(names(q)).containsExactly("b");
  }

  @Test
  void fromNamesAStageThroughAGlobalArg() {
    String df = "ARG BASE=dev\nFROM alpine AS dev\nFROM debian AS prod\nFROM ${BASE}\n";
    assertThat(names(plan(df, Map.of(), null))).containsExactly("dev", "stage-2");
    BuildPlan p = plan(df, Map.of("BASE", "prod"), null);
    assertThat(names(p)).containsExactly("prod", "stage-2");
    assertThat(p.target().baseStage()).contains(1);
  }

  @Test
  void unknownTargetIsNamedWithASuggestion() {
    assertThatThrownBy(() -> plan(GRAPH, Map.of(), "tset"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("target stage \"tset\" could not be found")
        .hasMessageContaining("did you mean test?");
    assertThatThrownBy(() -> plan(GRAPH, Map.of(), "zzzzzzzz"))
        .hasMessageContaining("target stage \"zzzzzzzz\" could not be found")
        .hasMessageNotContaining("did you mean");
    assertThatThrownBy(() -> plan("FROM a\n", Map.of(), "x"))
        .hasMessageContaining("target stage \"x\" could not be found");
  }

  @Test
  void anUnreferencedStageIsNeverExpanded() {
    String df =
        "FROM alpine AS ok\n"
            + "FROM ${EMPTY} AS broken\n"
            + "COPY --from=$X a b\n"
            + "FROM --platform=$NOPE x AS broken2\n"
            + "FROM ok\n";
    BuildPlan p = plan(df, Map.of(), null);
    assertThat(names(p)).containsExactly("ok", "stage-3");
  }

  @Test
  void aBlankBaseNameInANeededStageFailsWithItsLine() {
    String df = "FROM alpine AS ok\n\nFROM ${EMPTY} AS broken\nFROM ok\nCOPY --from=broken a b\n";
    assertThatThrownBy(() -> plan(df, Map.of(), null))
        .isInstanceOf(SlimbuildException.class)
        .hasMessage("Dockerfile:3: base name (${EMPTY}) should not be blank");
    // a build arg alone does not reach FROM: a global ARG must declare it
    assertThatThrownBy(() -> plan(df, Map.of("EMPTY", "x"), null))
        .hasMessage("Dockerfile:3: base name (${EMPTY}) should not be blank");
    BuildPlan p = plan("ARG EMPTY\n" + df, Map.of("EMPTY", "x"), null);
    assertThat(p.stage(1).orElseThrow().baseName()).isEqualTo("x");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "COPY --from=$X a b",
        "COPY --from=${X} a b",
        "COPY --from=stage-$N a b",
      })
  void variableInCopyFromIsRejectedWithTheLine(String copy) {
    String df = "ARG X=a\nFROM alpine AS a\nFROM scratch\n\n" + copy + "\n";
    assertThatThrownBy(() -> plan(df, Map.of(), null))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("Dockerfile:5: variable expansion is not supported for --from");
  }

  // --- unused build args -------------------------------------------------------------------------

  @Test
  void unusedBuildArgsAreReportedSorted() {
    String df = "ARG GLOBAL\nFROM a AS other\nARG ONLY_OTHER\nFROM b\nARG IN_STAGE=1\n";
    Map<String, String> given = new HashMap<>();
    for (String k :
        List.of(
            "GLOBAL",
            "IN_STAGE",
            "ZED",
            "ONLY_OTHER",
            "ALPHA",
            "HTTP_PROXY",
            "no_proxy",
            "TARGETARCH",
            "BUILDPLATFORM",
            "TARGETSTAGE",
            "SOURCE_DATE_EPOCH")) {
      given.put(k, "v");
    }
    BuildPlan p = plan(df, given, null);
    // ONLY_OTHER is declared in a stage that this build does not need
    assertThat(p.unusedBuildArgs()).containsExactly("ALPHA", "ONLY_OTHER", "ZED");
    assertThat(plan(df, given, "other").unusedBuildArgs())
        .containsExactly("ALPHA", "IN_STAGE", "ZED");
    assertThat(p.buildArgs()).isEqualTo(given);
  }

  // --- stage references --------------------------------------------------------------------------

  @Test
  void stageIndexTakesAsciiDigitsOnly() {
    Map<String, Integer> byName = Map.of("build", 0);
    assertThat(Planner.stageIndex("1", byName)).contains(1);
    assertThat(Planner.stageIndex("0000000001", byName)).contains(1);
    assertThat(Planner.stageIndex("Build", byName)).contains(0);
    // Arabic-Indic one: Java reads it as a digit, Go's Atoi does not; it names an image
    assertThat(Planner.stageIndex("\u0661", byName)).isEmpty();
    assertThat(Planner.stageIndex("+1", byName)).isEmpty();
    assertThat(Planner.stageIndex("99999999999", byName)).isEmpty();
    assertThat(Planner.stageIndex("", byName)).isEmpty();
  }

  @Test
  void aDuplicateStageNameWarnsAndTheLaterStageTakesTheNameAsInBuildKit() {
    String df =
        String.join(
            "\n",
            "FROM a AS x", // 0
            "FROM x AS y", // 1: FROM the nearest earlier "x", stage 0
            "FROM b AS x", // 2: takes the name
            "FROM x AS z", // 3: FROM stage 2
            "FROM scratch", // 4
            "COPY --from=x /f /f", // stage 2
            "");
    var dockerfile = DockerfileParser.parse(df, "Dockerfile");
    assertThat(dockerfile.warnings())
        .containsExactly(
            "Dockerfile:3: Duplicate stage name \"x\", stage names should be unique (also defined on"
                + " line 1; this later stage is the one --from and --target refer to)");
    assertThat(dockerfile.stageNames()).containsEntry("x", 2);
    BuildPlan p = plan(df, Map.of(), null);
    assertThat(p.stages()).extracting(PlannedStage::index).containsExactly(2, 4);
    assertThat(plan(df, Map.of(), "y").target().baseStage()).contains(0);
    assertThat(plan(df, Map.of(), "z").target().baseStage()).contains(2);
    assertThat(plan(df, Map.of(), "x").target().index()).isEqualTo(2);
    assertThat(plan(df, Map.of(), "x").target().baseName()).isEqualTo("b");
  }

  @Test
  void aStageFromAStageWithOnbuildGetsItsTriggersAndTheirSources() {
    String df =
        String.join(
            "\n",
            "FROM alpine AS src", // 0
            "FROM busybox AS base", // 1
            "ONBUILD COPY --from=src /in/file /out/foo",
            "ONBUILD RUN echo hi",
            "FROM base AS mid", // 2
            "RUN cp /out/foo /out/bar",
            "FROM scratch", // 3
            "COPY --from=mid /out/bar /",
            "");
    BuildPlan p = plan(df, Map.of(), null);
    assertThat(p.stages()).extracting(PlannedStage::index).containsExactly(0, 1, 2, 3);
    PlannedStage mid = p.stages().get(2);
    assertThat(mid.dependencies()).containsExactlyInAnyOrder(0, 1);
    assertThat(mid.triggers())
        .extracting(t -> t.location().original())
        .containsExactly("COPY --from=src /in/file /out/foo", "RUN echo hi");
    assertThat(mid.triggers()).allMatch(t -> t.location().startLine() == 5);
    // the stage that declares them does not run them
    assertThat(p.stages().get(1).triggers()).isEmpty();
    assertThat(p.stages().get(1).dependencies()).isEmpty();
    assertThatThrownBy(
            () ->
                plan(
                    "FROM a AS base\nONBUILD COPY --from=late a b\nFROM base AS kid\n"
                        + "FROM c AS late\n",
                    Map.of(),
                    "kid"))
        .hasMessage(
            "Dockerfile:3: ONBUILD COPY --from=late a b (from stage base) reads a stage that"
                + " is not defined before this one (line 4)");
  }

  @Test
  void aMountFromVariableIsRefusedAsInBuildKit() {
    assertThatThrownBy(
            () ->
                plan(
                    "FROM a AS test\nFROM b\nENV ttt=test\n"
                        + "RUN --mount=from=$ttt,type=cache,target=/tmp ls\n",
                    Map.of(),
                    null))
        .hasMessage(
            "Dockerfile:4: 'from' doesn't support variable expansion, define alias stage"
                + " instead");
  }

  @Test
  void aNamedContextReplacesTheStageOfItsNameAndIsNoTypo() {
    String df =
        "FROM ${BROKEN} AS assets\nCOPY --from=never a b\n"
            + "FROM alpine AS builder\n"
            + "FROM assets\nCOPY --from=bilder a b\nCOPY --from=builder a b\n";
    BuildPlan p =
        Planner.plan(
            DockerfileParser.parse(df, "Dockerfile"),
            new PlanRequest(Map.of(), Optional.empty(), BUILD, BUILD, Set.of("assets", "bilder")));
    PlannedStage assets = p.stage(0).orElseThrow();
    // nothing of the replaced stage is read: its FROM, its --from
    assertThat(assets.replaced()).isTrue();
    assertThat(assets.baseName()).isEqualTo("assets");
    assertThat(assets.dependencies()).isEmpty();
    assertThat(assets.fromScratch()).isFalse();
    // FROM assets is the (replaced) stage; --from=bilder names the context, not a typo
    assertThat(p.target().baseStage()).contains(0);
    assertThat(p.target().dependencies()).containsExactlyInAnyOrder(0, 1);
    // without the context, the typo is caught
    assertThatThrownBy(
            () ->
                plan(
                    "FROM alpine AS builder\nFROM alpine\nCOPY --from=bilder a b\n",
                    Map.of(),
                    null))
        .hasMessageContaining("did you mean builder?");
  }
}
