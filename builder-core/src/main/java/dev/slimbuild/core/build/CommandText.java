package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.CommandForm;
import dev.slimbuild.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** How CMD, ENTRYPOINT and HEALTHCHECK write commands into the config and the history. */
final class CommandText {
  private CommandText() {}

  /** The command's words: an exec form's as they are, a shell form's run by the stage's SHELL. */
  static List<String> withShell(CommandForm form, ConfigState config) {
    if (form instanceof CommandForm.Exec e) {
      return e.args();
    }
    List<String> sh =
        new ArrayList<>(config.shell.isEmpty() ? List.of("/bin/sh", "-c") : config.shell);
    sh.add(((CommandForm.Shell) form).script());
    return List.copyOf(sh);
  }

  /** Go's {@code %q} of a string slice, as BuildKit's history uses: {@code ["a" "b"]}. */
  static String goQuoted(List<String> args) {
    return args.stream().map(Json::quote).collect(Collectors.joining(" ", "[", "]"));
  }
}
