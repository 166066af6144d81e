package dev.slimbuild.cli;

import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.optimize.ImageLints;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code slimbuild parse [-f FILE] [--check]}: prints a Dockerfile's syntax tree exactly as
 * BuildKit's parser does; with {@code --check}, also applies every instruction and stage check that
 * {@code slimbuild build} applies.
 */
@Command(
    name = "parse",
    mixinStandardHelpOptions = true,
    description = {
      "Parse a Dockerfile and print its syntax tree.",
      "One S-expression a line (BuildKit's parser test format). Syntax errors (bad directives,"
          + " unterminated heredocs) fail; with --check, so does everything 'slimbuild build'"
          + " rejects before building (unknown instructions and flags, missing arguments, stage"
          + " errors)."
    })
final class ParseCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The Dockerfile ('-' reads standard input). Default: ./Dockerfile")
  String file = "Dockerfile";

  @CommandLine.Option(
      names = "--check",
      description = "Also check instructions, flags and stages as a build would.")
  boolean check;

  @Override
  public Integer call() throws IOException {
    String text;
    String displayName;
    if (file.equals("-")) {
      text = read(System.in);
      displayName = "Dockerfile";
    } else {
      text = new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8);
      displayName = file;
    }
    String tree;
    if (check) {
      Dockerfile d = DockerfileParser.parse(text, displayName);
      // the warnings a build prints about the Dockerfile itself
      for (String w : d.warnings()) {
        spec.commandLine().getErr().println("WARNING: " + w);
      }
      for (String w : ImageLints.secretsInArgOrEnv(d)) {
        spec.commandLine().getErr().println("WARNING: " + w);
      }
      spec.commandLine().getErr().flush();
      tree = d.dump();
    } else {
      tree = DockerfileParser.parseRaw(text, displayName).dump();
    }
    spec.commandLine().getOut().print(tree);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
