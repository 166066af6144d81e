package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.CommandForm;
import dev.slimbuild.core.dockerfile.Heredoc;
import dev.slimbuild.core.dockerfile.RunInstruction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a RUN with here-documents runs, as BuildKit's Dockerfile frontend decides it (dispatchRun in
 * dockerfile2llb; the "Here-Documents" section of the Dockerfile reference):
 *
 * <ul>
 *   <li>the command is one heredoc word and nothing else ({@code RUN <<EOF}, {@code RUN <<-EOF}):
 *       the body, leading tabs stripped for {@code <<-}, is the script the stage's SHELL runs. A
 *       body that starts with {@code #!} (not on Windows) is instead written to an executable file
 *       named after the word in a read-only directory mounted at {@code /dev/pipes}, and the SHELL
 *       runs {@code /dev/pipes/NAME}, so the shebang's interpreter runs it; the file is a mount,
 *       never part of the layer. Whether the word was quoted makes no difference in either case.
 *   <li>anything else ({@code RUN python3 <<EOF}, {@code RUN cat <<EOF > /f}, several heredocs):
 *       the line, then for each heredoc a newline, its body as written and its word, is one script
 *       for the SHELL, which reads the here-documents itself (tab stripping for {@code <<-}, and
 *       expansion unless the word was quoted, happen in the shell at run time).
 * </ul>
 *
 * Heredocs need the shell form; the parser never attaches them to an exec-form RUN, and one that
 * has them anyway is refused (BuildKit: "parsing produced an invalid run command").
 */
final class RunHeredocs {
  /** Where the directory holding a shebang script is mounted (BuildKit's choice). */
  static final String PIPES = "/dev/pipes";

  private RunHeredocs() {}

  /** An executable file the RUN needs: {@code PIPES/name}, mode 0755, with this content. */
  record Script(String name, String content) {
    Script {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(content, "content");
    }
  }

  /**
   * A heredoc RUN made ready to run.
   *
   * @param script the shell-form command line the stage's SHELL gets as its last argument
   * @param file the script file to mount at {@link #PIPES}, if the body has a shebang
   * @param display how messages name the RUN: the line, and for a lone heredoc its first line
   */
  record Plan(String script, Optional<Script> file, String display) {
    Plan {
      Objects.requireNonNull(script, "script");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(display, "display");
    }
  }

  /**
   * The plan for {@code r}, whose heredocs are not empty, on an image of operating system {@code
   * os}; errors are {@code Dockerfile:LINE:} errors.
   */
  static Plan plan(RunInstruction r, String os) {
    List<Heredoc> docs = r.heredocs();
    if (docs.isEmpty()) {
      throw new IllegalArgumentException("RUN without here-documents");
    }
    if (!(r.command() instanceof CommandForm.Shell shell)) {
      throw r.location()
          .error("RUN with a here-document needs the shell form, not the exec form [\"...\"]");
    }
    String line = shell.script();
    Optional<Heredoc> lone = Heredoc.ofWord(line);
    if (lone.isEmpty()) {
      StringBuilder script = new StringBuilder(line);
      for (Heredoc d : docs) {
        // the body as written (the shell strips tabs for <<-), then the word ends it
        script.append('\n').append(d.content()).append(d.name());
      }
      return new Plan(script.toString(), Optional.empty(), "RUN " + line);
    }
    Heredoc doc = docs.get(0);
    String body = doc.text();
    String display = "RUN " + line + " (" + summary(doc.content()) + ")";
    if (!"windows".equals(os) && body.startsWith("#!")) {
      String name = doc.name();
      if (name.isEmpty()
          || name.equals(".")
          || name.equals("..")
          || name.contains("/")
          || name.indexOf('\0') >= 0) {
        throw r.location()
            .error(
                "RUN here-document with a #! line: its word \""
                    + name
                    + "\" must be usable as a file name");
      }
      return new Plan(PIPES + "/" + name, Optional.of(new Script(name, body)), display);
    }
    return new Plan(body, Optional.empty(), display);
  }

  /**
   * The body trimmed, up to its first line end, then "..." if more follows (as BuildKit names it).
   */
  static String summary(String body) {
    String[] lines = body.strip().replace("\r\n", "\n").split("\n", -1);
    return lines.length > 1 ? lines[0] + "..." : lines[0];
  }
}
