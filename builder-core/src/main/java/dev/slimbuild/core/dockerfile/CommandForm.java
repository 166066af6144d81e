package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD: exec (JSON) form or shell form. */
public sealed interface CommandForm {

  /** Exec form: {@code ["executable", "arg"]}, run without a shell. */
  record Exec(List<String> args) implements CommandForm {
    public Exec {
      args = List.copyOf(args);
    }
  }

  /**
   * Shell form: the text after the flags, continuation lines joined as BuildKit joins them; run
   * with the stage's SHELL.
   */
  record Shell(String script) implements CommandForm {
    public Shell {
      Objects.requireNonNull(script, "script");
    }
  }
}
