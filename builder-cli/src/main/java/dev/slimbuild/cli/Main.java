package dev.slimbuild.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code slimbuild} command. */
@Command(
    name = "slimbuild",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Daemonless, reproducible container image builder.")
public final class Main implements Runnable {
  /**
   * The subcommands, by name, in the order help lists them. Only the one a command line names is
   * modelled (picocli reads every option of every command it is given, which costs start-up time);
   * help, and a name that is none of these, get them all.
   */
  private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("help", CommandLine.HelpCommand.class);
    m.put("build", BuildCommand.class);
    m.put("executor", ExecutorCommand.class);
    m.put("parse", ParseCommand.class);
    m.put("images", ImagesCommand.class);
    m.put("inspect", InspectCommand.class);
    m.put("tag", TagCommand.class);
    m.put("rmi", RmiCommand.class);
    m.put("df", DfCommand.class);
    m.put("push", PushCommand.class);
    m.put("index", IndexCommand.class);
    m.put("prune", PruneCommand.class);
    m.put("generate-key-pair", GenerateKeyPairCommand.class);
    m.put("sign", SignCommand.class);
    m.put("verify", VerifyCommand.class);
    return Collections.unmodifiableMap(m);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;
  private final Stdio stdio;

  /**
   * Standard input and output as bytes (a tar on stdin, {@code --output dest=-}), and whether
   * stderr is a terminal ({@code --progress auto} is the live view there).
   */
  record Stdio(InputStream in, OutputStream out, boolean errIsTerminal) {
    /** Byte streams beside a stderr that is not a terminal. */
    Stdio(InputStream in, OutputStream out) {
      this(in, out, false);
    }

    /** The process's byte streams; the caller's stderr writer is not taken for a terminal. */
    static Stdio system() {
      return new Stdio(System.in, System.out);
    }
  }

  Main(Map<String, String> env, Stdio stdio) {
    this.env = Map.copyOf(env);
    this.stdio = stdio;
  }

  /** Standard input and output as bytes. */
  Stdio stdio() {
    return stdio;
  }

  /** Whether the stream commands write progress to is a terminal ({@code --progress auto}). */
  boolean stderrIsTerminal() {
    return stdio.errIsTerminal();
  }

  /**
   * The environment commands read (SLIMBUILD_STORE, XDG_DATA_HOME, HOME, COSIGN_PASSWORD);
   * injectable in tests.
   */
  Map<String, String> env() {
    return env;
  }

  @CommandLine.Option(
      names = "--debug",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean debug;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs slimbuild with {@code args}, printing to the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, System.getenv());
  }

  /** As {@link #run(String[], PrintWriter, PrintWriter)} with {@code env} as the environment. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return run(args, out, err, env, Stdio.system());
  }

  /** As {@link #run(String[], PrintWriter, PrintWriter, Map)} with byte streams for stdio. */
  static int run(
      String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Stdio stdio) {
    if (args.length >= 1 && args[0].equals("buildx")) {
      // `docker buildx build ...` with the binary's name changed: the same as `slimbuild build`
      if (args.length < 2 || !args[1].equals("build")) {
        err.println(
            "error: of 'buildx', slimbuild understands only 'buildx build'"
                + " (the same as 'slimbuild build')");
        err.flush();
        return ErrorHandler.EXIT_USAGE;
      }
      args = Arrays.copyOfRange(args, 1, args.length);
    }
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // what picocli prints, without loading it: its classes are too old (Java 5 bytecode) for
      // the release's class-data archive to hold, and loading them is most of this command's time
      for (String line : new Version().getVersion()) {
        out.println(line);
      }
      out.flush();
      return 0;
    }
    CommandLine cl = new CommandLine(new Main(env, stdio));
    String named = null;
    for (String a : args) {
      if (!a.startsWith("-")) {
        named = a;
        break;
      }
    }
    Class<?> only = "help".equals(named) ? null : SUBCOMMANDS.get(named);
    if (only != null) {
      cl.addSubcommand(named, only);
    } else {
      SUBCOMMANDS.forEach(cl::addSubcommand);
    }
    cl.setOut(out);
    cl.setErr(err);
    ErrorHandler.install(cl);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The whole command tree, every subcommand modelled: for the completion and the man page. */
  static CommandLine fullCommandLine() {
    CommandLine cl = new CommandLine(new Main(Map.of(), Stdio.system()));
    SUBCOMMANDS.forEach(cl::addSubcommand);
    return cl;
  }

  public static void main(String[] args) {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
    Map<String, String> env = System.getenv();
    System.exit(
        run(args, out, err, env, new Stdio(System.in, System.out, Terminal.stderrIsTerminal(env))));
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"slimbuild " + (v == null ? "dev" : v)};
    }
  }
}
