package dev.slimbuild.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Typed records for every instruction's forms and flags. */
class InstructionTest {

  /** The single instruction of a one-stage Dockerfile, after {@code FROM scratch}. */
  static Instruction one(String line) {
    Dockerfile df = DockerfileParser.parse("FROM scratch\n" + line + "\n", "Dockerfile");
    assertThat(df.stages()).hasSize(1);
    assertThat(df.stages().get(0).instructions()).hasSize(1);
    return df.stages().get(0).instructions().get(0);
  }

  static Stream<Arguments> cases() {
    Location l = new Location("Dockerfile", 2, 2, "x");
    return Stream.of(
        Arguments.of(
            "ARG a", new ArgInstruction(l, List.of(new ArgInstruction.Arg("a", Optional.empty())))),
        Arguments.of(
            "ARG a=1 b= c=\"x y\"",
            new ArgInstruction(
                l,
                List.of(
                    new ArgInstruction.Arg("a", Optional.of("1")),
                    new ArgInstruction.Arg("b", Optional.of("")),
                    new ArgInstruction.Arg("c", Optional.of("\"x y\""))))),
        Arguments.of("ENV k v w", new EnvInstruction(l, List.of(new KeyValue("k", "v w", true)))),
        Arguments.of(
            "ENV a=1 b=\"2 3\"",
            new EnvInstruction(
                l, List.of(new KeyValue("a", "1", false), new KeyValue("b", "\"2 3\"", false)))),
        Arguments.of(
            "LABEL org.x=\"y\"",
            new LabelInstruction(l, List.of(new KeyValue("org.x", "\"y\"", false)))),
        Arguments.of("WORKDIR /app dir", new WorkdirInstruction(l, "/app dir")),
        Arguments.of("USER 1000:1000", new UserInstruction(l, "1000:1000")),
        Arguments.of("STOPSIGNAL SIGTERM", new StopSignalInstruction(l, "SIGTERM")),
        Arguments.of("MAINTAINER me <me@x>", new MaintainerInstruction(l, "me <me@x>")),
        Arguments.of("EXPOSE 80/tcp 53/udp", new ExposeInstruction(l, List.of("80/tcp", "53/udp"))),
        Arguments.of("VOLUME /a /b", new VolumeInstruction(l, List.of("/a", "/b"))),
        Arguments.of("VOLUME [\"/a b\"]", new VolumeInstruction(l, List.of("/a b"))),
        Arguments.of(
            "SHELL [\"/bin/ash\", \"-c\"]", new ShellInstruction(l, List.of("/bin/ash", "-c"))),
        Arguments.of(
            "CMD [\"a\", \"b\"]", new CmdInstruction(l, new CommandForm.Exec(List.of("a", "b")))),
        Arguments.of("CMD []", new CmdInstruction(l, new CommandForm.Exec(List.of()))),
        Arguments.of(
            "CMD echo  $HOME", new CmdInstruction(l, new CommandForm.Shell("echo  $HOME"))),
        Arguments.of("CMD ['a']", new CmdInstruction(l, new CommandForm.Shell("['a']"))),
        Arguments.of(
            "ENTRYPOINT [\"/bin/app\"]",
            new EntrypointInstruction(l, new CommandForm.Exec(List.of("/bin/app")))),
        Arguments.of(
            "ENTRYPOINT exec app", new EntrypointInstruction(l, new CommandForm.Shell("exec app"))),
        Arguments.of(
            "RUN make",
            new RunInstruction(
                l,
                new CommandForm.Shell("make"),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                List.of())),
        Arguments.of(
            "RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none --security=insecure [\"make\"]",
            new RunInstruction(
                l,
                new CommandForm.Exec(List.of("make")),
                List.of("type=cache,target=/c", "type=tmpfs,target=/t"),
                Optional.of("none"),
                Optional.of("insecure"),
                List.of())),
        Arguments.of(
            "COPY a b /dst/",
            new CopyInstruction(
                l,
                List.of("a", "b"),
                List.of(),
                "/dst/",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                List.of(),
                false)),
        Arguments.of(
            "COPY --from=img:1 --chown=1:2 --chmod=644 --link --exclude=*.md --exclude=x --parents a /d",
            new CopyInstruction(
                l,
                List.of("a"),
                List.of(),
                "/d",
                Optional.of("img:1"),
                Optional.of("1:2"),
                Optional.of("644"),
                true,
                List.of("*.md", "x"),
                true)),
        Arguments.of(
            "COPY --link=false [\"a b\", \"/d\"]",
            new CopyInstruction(
                l,
                List.of("a b"),
                List.of(),
                "/d",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                List.of(),
                false)),
        Arguments.of(
            "ADD --checksum=sha256:ab --keep-git-dir=true --chown=u --link=TRUE https://h/x /x",
            new AddInstruction(
                l,
                List.of("https://h/x"),
                List.of(),
                "/x",
                Optional.of("u"),
                Optional.empty(),
                true,
                List.of(),
                Optional.of("sha256:ab"),
                Optional.of(true),
                Optional.empty())),
        Arguments.of(
            "ADD --unpack=false --exclude=a --chmod=755 s /d",
            new AddInstruction(
                l,
                List.of("s"),
                List.of(),
                "/d",
                Optional.empty(),
                Optional.of("755"),
                false,
                List.of("a"),
                Optional.empty(),
                Optional.empty(),
                Optional.of(false))),
        Arguments.of(
            "HEALTHCHECK NONE",
            new HealthcheckInstruction(
                l, List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0)),
        Arguments.of(
            "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=300ms --start-interval=2s --retries=3 CMD curl -f x",
            new HealthcheckInstruction(
                l,
                List.of("CMD-SHELL", "curl -f x"),
                Duration.ofSeconds(90),
                Duration.ofMillis(1500),
                Duration.ofMillis(300),
                Duration.ofSeconds(2),
                3)),
        Arguments.of(
            "HEALTHCHECK cmd [\"a\", \"b\"]",
            new HealthcheckInstruction(
                l,
                List.of("CMD", "a", "b"),
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                0)),
        Arguments.of(
            "ONBUILD RUN echo hi",
            new OnbuildInstruction(
                l,
                new RunInstruction(
                    l,
                    new CommandForm.Shell("echo hi"),
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    List.of()),
                "RUN echo hi")),
        Arguments.of(
            "onbuild copy --chown=1 a b",
            new OnbuildInstruction(
                l,
                new CopyInstruction(
                    l,
                    List.of("a"),
                    List.of(),
                    "b",
                    Optional.empty(),
                    Optional.of("1"),
                    Optional.empty(),
                    false,
                    List.of(),
                    false),
                "copy --chown=1 a b")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void typedRecord(String line, Instruction expected) {
    Instruction actual = one(line);
    Location loc = new Location("Dockerfile", 2, 2, line);
    assertThat(actual).isEqualTo(withLocation(expected, loc));
  }

  /** Rebuilds {@code expected} with {@code loc} (tables above use a placeholder location). */
  private static Instruction withLocation(Instruction i, Location loc) {
    if (i instanceof ArgInstruction a) {
      return new ArgInstruction(loc, a.args());
    } else if (i instanceof EnvInstruction e) {
      return new EnvInstruction(loc, e.pairs());
    } else if (i instanceof LabelInstruction e) {
      return new LabelInstruction(loc, e.pairs());
    } else if (i instanceof WorkdirInstruction w) {
      return new WorkdirInstruction(loc, w.path());
    } else if (i instanceof UserInstruction u) {
      return new UserInstruction(loc, u.user());
    } else if (i instanceof StopSignalInstruction s) {
      return new StopSignalInstruction(loc, s.signal());
    } else if (i instanceof MaintainerInstruction m) {
      return new MaintainerInstruction(loc, m.maintainer());
    } else if (i instanceof ExposeInstruction e) {
      return new ExposeInstruction(loc, e.ports());
    } else if (i instanceof VolumeInstruction v) {
      return new VolumeInstruction(loc, v.volumes());
    } else if (i instanceof ShellInstruction s) {
      return new ShellInstruction(loc, s.shell());
    } else if (i instanceof CmdInstruction c) {
      return new CmdInstruction(loc, c.command());
    } else if (i instanceof EntrypointInstruction e) {
      return new EntrypointInstruction(loc, e.command());
    } else if (i instanceof RunInstruction r) {
      return new RunInstruction(
          loc, r.command(), r.mounts(), r.network(), r.security(), r.heredocs());
    } else if (i instanceof CopyInstruction c) {
      return new CopyInstruction(
          loc,
          c.sources(),
          c.heredocSources(),
          c.destination(),
          c.from(),
          c.chown(),
          c.chmod(),
          c.link(),
          c.excludes(),
          c.parents());
    } else if (i instanceof AddInstruction a) {
      return new AddInstruction(
          loc,
          a.sources(),
          a.heredocSources(),
          a.destination(),
          a.chown(),
          a.chmod(),
          a.link(),
          a.excludes(),
          a.checksum(),
          a.keepGitDir(),
          a.unpack());
    } else if (i instanceof HealthcheckInstruction h) {
      return new HealthcheckInstruction(
          loc,
          h.test(),
          h.interval(),
          h.timeout(),
          h.startPeriod(),
          h.startInterval(),
          h.retries());
    } else if (i instanceof OnbuildInstruction o) {
      return new OnbuildInstruction(loc, withLocation(o.trigger(), loc), o.expression());
    }
    return i;
  }

  @Test
  void fromForms() {
    Dockerfile df =
        DockerfileParser.parse(
            "ARG V=1\nFROM --platform=linux/arm64 alpine:$V AS Build\nFROM build\nfrom scratch as final\n",
            "Dockerfile");
    assertThat(df.globalArgs()).hasSize(1);
    assertThat(df.stages()).extracting(Stage::index).containsExactly(0, 1, 2);
    FromInstruction first = df.stages().get(0).from();
    assertThat(first.image()).isEqualTo("alpine:$V");
    assertThat(first.platform()).contains("linux/arm64");
    assertThat(df.stages().get(0).name()).contains("build");
    assertThat(df.stages().get(1).name()).isEmpty();
    assertThat(df.stages().get(1).from().image()).isEqualTo("build");
    assertThat(df.stages().get(2).name()).contains("final");
  }

  @Test
  void directivesAreKept() {
    Dockerfile df =
        DockerfileParser.parse(
            "# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\nRUN x `\n  y\n",
            "Dockerfile");
    assertThat(df.directives())
        .isEqualTo(
            new Directives(Optional.of("docker/dockerfile:1"), '`', Optional.of("skip=all")));
    assertThat(((RunInstruction) df.stages().get(0).instructions().get(0)).command())
        .isEqualTo(new CommandForm.Shell("x   y"));
  }

  @Test
  void heredocsOnRunAndCopy() {
    String text =
        "FROM a\n"
            + "RUN <<EOF bash\n"
            + "echo $HOME\n"
            + "EOF\n"
            + "RUN <<-'A' cat && 3<<\"B\" cat\n"
            + "\t\tone\n"
            + "\tA\n"
            + "two\n"
            + "B\n"
            + "COPY --chmod=755 <<run.sh <<two /usr/bin/\n"
            + "#!/bin/sh\n"
            + "run.sh\n"
            + "x\n"
            + "two\n";
    Dockerfile df = DockerfileParser.parse(text, "Dockerfile");
    List<Instruction> ins = df.stages().get(0).instructions();
    RunInstruction r1 = (RunInstruction) ins.get(0);
    assertThat(r1.command()).isEqualTo(new CommandForm.Shell("<<EOF bash"));
    assertThat(r1.heredocs()).containsExactly(new Heredoc("EOF", "echo $HOME\n", true, false, 0));
    assertThat(r1.location().startLine()).isEqualTo(2);
    assertThat(r1.location().endLine()).isEqualTo(4);
    RunInstruction r2 = (RunInstruction) ins.get(1);
    assertThat(r2.heredocs())
        .containsExactly(
            new Heredoc("A", "\t\tone\n", false, true, 0),
            new Heredoc("B", "two\n", false, false, 3));
    assertThat(r2.heredocs().get(0).text()).isEqualTo("one\n");
    assertThat(r2.location().startLine()).isEqualTo(5);
    assertThat(r2.location().endLine()).isEqualTo(9);
    CopyInstruction c = (CopyInstruction) ins.get(2);
    assertThat(c.sources()).isEmpty();
    assertThat(c.destination()).isEqualTo("/usr/bin/");
    assertThat(c.chmod()).contains("755");
    assertThat(c.heredocSources())
        .containsExactly(
            new Heredoc("run.sh", "#!/bin/sh\n", true, false, 0),
            new Heredoc("two", "x\n", true, false, 0));
    assertThat(c.location().endLine()).isEqualTo(14);
  }

  @Test
  void heredocNotDetectedInJsonOrQuotes() {
    Dockerfile df =
        DockerfileParser.parse(
            "FROM a\nRUN [\"cat\", \"<<EOF\"]\nRUN echo '<<EOF'\nRUN echo x<<y\n", "Dockerfile");
    assertThat(df.stages().get(0).instructions())
        .allSatisfy(i -> assertThat(((RunInstruction) i).heredocs()).isEmpty());
  }

  @Test
  void locationsAcrossContinuations() {
    String text =
        "# comment\n\nFROM a \\\n  AS b\n\nRUN one \\\n# inside\n\n  two \\\n  three\nCMD x\n";
    Dockerfile df = DockerfileParser.parse(text, "my.Dockerfile");
    FromInstruction from = df.stages().get(0).from();
    assertThat(from.location()).isEqualTo(new Location("my.Dockerfile", 3, 4, "FROM a   AS b"));
    Instruction run = df.stages().get(0).instructions().get(0);
    assertThat(run.location().startLine()).isEqualTo(6);
    assertThat(run.location().endLine()).isEqualTo(10);
    assertThat(((RunInstruction) run).command())
        .isEqualTo(new CommandForm.Shell("one   two   three"));
    assertThat(df.raw().children().get(1).source())
        .isEqualTo("RUN one \\\n# inside\n\n  two \\\n  three");
    assertThat(df.stages().get(0).instructions().get(1).location())
        .isEqualTo(new Location("my.Dockerfile", 11, 11, "CMD x"));
  }

  @Test
  void crlfAndBom() {
    Dockerfile df = DockerfileParser.parse("\uFEFFFROM a\r\nRUN x \\\r\n y\r\n", "Dockerfile");
    assertThat(df.dump()).isEqualTo("(from \"a\")\n(run \"x  y\")\n");
  }

  @Test
  void flagsTerminatorAndQuotes() {
    RawDockerfile raw = DockerfileParser.parseRaw("COPY --chown=\"a b\" -- --x /d\n", "Dockerfile");
    assertThat(raw.children().get(0).flags()).containsExactly("--chown=a b");
    assertThat(raw.children().get(0).args()).containsExactly("--x", "/d");
  }

  @Test
  void onbuildTriggerKeepsHeredoc() {
    Dockerfile df = DockerfileParser.parse("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n", "Dockerfile");
    OnbuildInstruction on = (OnbuildInstruction) df.stages().get(0).instructions().get(0);
    assertThat(((RunInstruction) on.trigger()).heredocs())
        .containsExactly(new Heredoc("EOF", "x\n", true, false, 0));
    assertThat(on.location().endLine()).isEqualTo(4);
    assertThat(df.dump()).isEqualTo("(from \"a\")\n(onbuild (run \"<<EOF\"))\n");
  }

  @Test
  void backtickEscapeInFlagsAndWords() {
    RawDockerfile raw =
        DockerfileParser.parseRaw(
            "# escape=`\nCOPY --chown=a` b c:\\d e\nENV k=a` b\n", "Dockerfile");
    assertThat(raw.directives().escape()).isEqualTo('`');
    assertThat(raw.children().get(0).flags()).containsExactly("--chown=a b");
    assertThat(raw.children().get(0).args()).containsExactly("c:\\d", "e");
    assertThat(raw.children().get(1).args()).containsExactly("k", "a` b", "=");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // dockerfile2llb's TestDispatchHealthcheckHistory, and Go's Duration.String
        "HEALTHCHECK --interval=1s --timeout=10s --start-period=3s --start-interval=100ms"
            + " --retries=5 CMD [\"bin\", \"-c\", \"exit 0\"]|HEALTHCHECK {Test:[CMD bin -c exit 0]"
            + " Interval:1s Timeout:10s StartPeriod:3s StartInterval:100ms Retries:5}",
        "HEALTHCHECK --interval=1h --timeout=90s --start-period=1.5s --start-interval=1500us CMD"
            + " curl -f x|HEALTHCHECK {Test:[CMD-SHELL curl -f x] Interval:1h0m0s Timeout:1m30s"
            + " StartPeriod:1.5s StartInterval:1.5ms Retries:0}",
        "HEALTHCHECK --timeout=2500us CMD x|HEALTHCHECK {Test:[CMD-SHELL x] Interval:0s"
            + " Timeout:2.5ms StartPeriod:0s StartInterval:0s Retries:0}",
        "HEALTHCHECK NONE|HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s"
            + " StartInterval:0s Retries:0}",
      })
  void healthcheckHistoryIsGoPrintingTheConfig(String line, String createdBy) {
    assertThat(((HealthcheckInstruction) one(line)).createdBy()).isEqualTo(createdBy);
  }
}
