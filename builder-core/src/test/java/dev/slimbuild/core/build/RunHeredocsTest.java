package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.dockerfile.CommandForm;
import dev.slimbuild.core.dockerfile.DockerfileException;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.dockerfile.Heredoc;
import dev.slimbuild.core.dockerfile.Location;
import dev.slimbuild.core.dockerfile.RunInstruction;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The script a heredoc RUN hands to the stage's SHELL, as BuildKit's dispatchRun builds it. */
class RunHeredocsTest {

  /** The RUN of {@code FROM scratch\n<text>}. */
  private static RunInstruction run(String text) {
    var df = DockerfileParser.parse("FROM scratch\n" + text, "Dockerfile");
    return (RunInstruction) df.stages().get(0).instructions().get(0);
  }

  private static RunHeredocs.Plan plan(String text) {
    return RunHeredocs.plan(run(text), "linux");
  }

  @Test
  void aLoneHeredocIsTheScriptItself() {
    RunHeredocs.Plan p = plan("RUN <<EOF\necho one > /a\n  echo two > /b\nEOF\n");
    assertThat(p.script()).isEqualTo("echo one > /a\n  echo two > /b\n");
    assertThat(p.file()).isEmpty();
    assertThat(p.display()).isEqualTo("RUN <<EOF (echo one > /a...)");
    // through the default SHELL, and BuildKit's history text
    List<String> argv = List.of("/bin/sh", "-c", p.script());
    assertThat("RUN " + RunStep.commandString(argv, List.of("V"), Map.of("V", "1")))
        .isEqualTo("RUN |1 V=1 /bin/sh -c echo one > /a\n  echo two > /b\n");
  }

  @Test
  void aLoneHeredocIgnoresQuotingAndStripsTabsForDash() {
    // quoting does not matter for a lone heredoc: the shell runs the body as a script
    assertThat(plan("RUN <<'EOF'\necho $HOME\nEOF\n").script()).isEqualTo("echo $HOME\n");
    assertThat(plan("RUN <<-EOF\n\techo a\n\t\techo b\n\tEOF\n").script())
        .isEqualTo("echo a\necho b\n");
    // without the dash the tabs stay, and a tab-indented word does not end the body
    assertThat(plan("RUN <<EOF\n\techo a\n\tEOF\nEOF\n").script()).isEqualTo("\techo a\n\tEOF\n");
    // one line: no "..."
    assertThat(plan("RUN <<EOF\n  true  \nEOF\n").display()).isEqualTo("RUN <<EOF (true)");
  }

  @Test
  void aShebangBodyBecomesAFileUnderDevPipes() {
    RunHeredocs.Plan p = plan("RUN <<-SCRIPT\n\t#!/bin/sh -e\n\techo hi > /x\n\tSCRIPT\n");
    assertThat(p.script()).isEqualTo("/dev/pipes/SCRIPT");
    assertThat(p.file()).contains(new RunHeredocs.Script("SCRIPT", "#!/bin/sh -e\necho hi > /x\n"));
    assertThat(p.display()).isEqualTo("RUN <<-SCRIPT (#!/bin/sh -e...)");

    // a shebang not at the very start, or on Windows, stays a shell script
    assertThat(plan("RUN <<EOF\n #!/bin/sh\necho\nEOF\n").file()).isEmpty();
    RunHeredocs.Plan windows =
        RunHeredocs.plan(run("RUN <<EOF\n#!/bin/sh\necho\nEOF\n"), "windows");
    assertThat(windows.file()).isEmpty();
    assertThat(windows.script()).isEqualTo("#!/bin/sh\necho\n");
  }

  @Test
  void anyOtherUseHandsTheLineHeredocsAndWordsToTheShell() {
    assertThat(plan("RUN cat <<EOF > /greeting\nhello $NAME\nEOF\n").script())
        .isEqualTo("cat <<EOF > /greeting\nhello $NAME\nEOF");
    // the body as written: the shell itself strips the tabs for <<- and expands unquoted words
    assertThat(plan("RUN cat <<-\"EOT\" > /f\n\tkeep $X\n\tEOT\n").script())
        .isEqualTo("cat <<-\"EOT\" > /f\n\tkeep $X\nEOT");
    assertThat(plan("RUN <<EOF python3\nprint(1)\nEOF\n").script())
        .isEqualTo("<<EOF python3\nprint(1)\nEOF");
    RunHeredocs.Plan two = plan("RUN cat <<A > /a && cat <<'B' > /b\none\nA\ntwo\nthree\nB\n");
    assertThat(two.script()).isEqualTo("cat <<A > /a && cat <<'B' > /b\none\nA\ntwo\nthree\nB");
    assertThat(two.file()).isEmpty();
    assertThat(two.display()).isEqualTo("RUN cat <<A > /a && cat <<'B' > /b");
    // an empty body
    assertThat(plan("RUN cat <<EOF > /empty\nEOF\n").script()).isEqualTo("cat <<EOF > /empty\nEOF");
  }

  @Test
  void theExecFormAndUnusableScriptNamesAreDockerfileErrors() {
    Location loc = new Location("Dockerfile", 4, 6, "RUN ...");
    RunInstruction exec =
        new RunInstruction(
            loc,
            new CommandForm.Exec(List.of("cat")),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            List.of(new Heredoc("EOF", "x\n", true, false, 0)));
    assertThatThrownBy(() -> RunHeredocs.plan(exec, "linux"))
        .isInstanceOf(DockerfileException.class)
        .hasMessageStartingWith("Dockerfile:4")
        .hasMessageContaining("shell form");
    RunInstruction slash =
        new RunInstruction(
            loc,
            new CommandForm.Shell("<<a/b"),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            List.of(new Heredoc("a/b", "#!/bin/sh\n", true, false, 0)));
    assertThatThrownBy(() -> RunHeredocs.plan(slash, "linux"))
        .isInstanceOf(DockerfileException.class)
        .hasMessageContaining("\"a/b\" must be usable as a file name");
  }

  @Test
  void onlyAWholeWordIsALoneHeredoc() {
    assertThat(Heredoc.ofWord("<<EOF")).map(Heredoc::name).contains("EOF");
    assertThat(Heredoc.ofWord("<<-'EOF'"))
        .hasValueSatisfying(
            h -> {
              assertThat(h.name()).isEqualTo("EOF");
              assertThat(h.expand()).isFalse();
              assertThat(h.chomp()).isTrue();
            });
    assertThat(Heredoc.ofWord("3<<EOF")).map(Heredoc::fileDescriptor).contains(3);
    assertThat(Heredoc.ofWord("<<EOF bash")).isEmpty();
    assertThat(Heredoc.ofWord("cat <<EOF")).isEmpty();
    assertThat(Heredoc.ofWord("<<'EOF")).isEmpty(); // does not lex: not one, no error
  }
}
