package dev.slimbuild.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes what a release ships beside the jar, from the command tree itself so that neither can fall
 * behind the options: {@code completion/slimbuild.bash} (picocli's {@link AutoComplete}, for bash
 * and zsh) and {@code man/*.adoc}, one AsciiDoc man page a command (picocli-codegen's {@link
 * ManPageGenerator}; {@code scripts/release.sh} turns them into roff with asciidoctor).
 * picocli-codegen is a provided dependency: it is on the classpath only when the release script
 * runs this class, and is not in the jar.
 */
final class ReleaseDocs {
  private ReleaseDocs() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    CommandLine cl = Main.fullCommandLine();
    Path completion = out.resolve("completion");
    Files.createDirectories(completion);
    Files.writeString(completion.resolve("slimbuild.bash"), AutoComplete.bash("slimbuild", cl));
    shortSynopses(cl.getCommandSpec());
    File man = out.resolve("man").toFile();
    int code =
        ManPageGenerator.generateManPage(man, null, new boolean[0], true, cl.getCommandSpec());
    if (code != 0) {
      System.err.println("release-docs: the man page generator exited with " + code);
      System.exit(1);
    }
  }

  /**
   * Gives {@code spec} and its subcommands a synopsis of the form {@code slimbuild build [OPTIONS]
   * CONTEXT}, as git's man pages have (the OPTIONS section lists every option), in the man pages
   * only, not in {@code --help}. The generated one spells out every option, and AsciiDoc reads some
   * of its {@code [...]} as attribute lists, which drops options from the page.
   */
  private static void shortSynopses(CommandSpec spec) {
    // AsciiDoc markup: *bold*, _italic_
    StringBuilder s = new StringBuilder("*" + spec.qualifiedName() + "*");
    if (!spec.options().isEmpty()) {
      s.append(" [_OPTIONS_]");
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      String label = "_" + p.paramLabel() + "_" + (p.arity().max() > 1 ? "..." : "");
      s.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
    }
    if (!spec.subcommands().isEmpty()) {
      s.append(" [_COMMAND_]");
    }
    spec.usageMessage().customSynopsis(s.toString());
    spec.subcommands().values().forEach(sub -> shortSynopses(sub.getCommandSpec()));
  }
}
