package dev.slimbuild.cli;

import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code slimbuild parse [-f FILE]}: checks a Dockerfile and prints its syntax tree. */
@Command(
    name = "parse",
    mixinStandardHelpOptions = true,
    description = {
      "Parse and check a Dockerfile, then print its syntax tree, one S-expression a line",
      "(BuildKit's parser test format)."
    })
final class ParseCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The Dockerfile ('-' reads standard input). Default: ./Dockerfile")
  String file = "Dockerfile";

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
    Dockerfile dockerfile = DockerfileParser.parse(text, displayName);
    spec.commandLine().getOut().print(dockerfile.dump());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
