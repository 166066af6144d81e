package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.signing.KeyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * The one place that decides exit codes and how errors are printed.
 *
 * <ul>
 *   <li>0: success
 *   <li>1: the build or command failed because of its input ({@link SlimbuildException}, {@link
 *       KeyException}) or I/O
 *   <li>2: bad command-line usage
 *   <li>3: an internal error (a bug in slimbuild)
 * </ul>
 *
 * Stack traces are printed only with {@code --debug}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_INTERNAL = 3;

  private ErrorHandler() {}

  static void install(CommandLine cl) {
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
          err.println(
              "Run '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help' for usage.");
          return EXIT_USAGE;
        });
  }

  /** Whether {@code --debug} was given, to the command {@code cl} or any it belongs to. */
  static boolean debugRequested(CommandLine cl) {
    CommandLine root = cl;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    for (CommandLine.ParseResult r = root.getParseResult(); r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    PrintWriter err = cl.getErr();
    boolean debug = debugRequested(cl);
    int code;
    if (ex instanceof SlimbuildException || ex instanceof KeyException) {
      err.println("error: " + ex.getMessage());
      code = EXIT_FAILURE;
    } else if (ex instanceof IOException || ex instanceof UncheckedIOException) {
      Throwable io = ex instanceof UncheckedIOException ? ex.getCause() : ex;
      err.println("error: " + describeIo(io));
      code = EXIT_FAILURE;
    } else {
      err.println("internal error: " + ex + (debug ? "" : " (run with --debug for details)"));
      code = EXIT_INTERNAL;
    }
    if (debug) {
      ex.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  private static String describeIo(Throwable io) {
    if (io instanceof NoSuchFileException) {
      return "no such file: " + io.getMessage();
    }
    if (io instanceof AccessDeniedException) {
      return "permission denied: " + io.getMessage();
    }
    return io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage();
  }
}
