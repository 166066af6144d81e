package dev.slimbuild.core.dockerfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** One raw {@link Node} to its typed {@link Instruction}, flags and argument counts checked. */
final class InstructionParser {
  /** Every instruction keyword, for "did you mean". */
  static final List<String> KEYWORDS =
      List.of(
          "ADD",
          "ARG",
          "CMD",
          "COPY",
          "ENTRYPOINT",
          "ENV",
          "EXPOSE",
          "FROM",
          "HEALTHCHECK",
          "LABEL",
          "MAINTAINER",
          "ONBUILD",
          "RUN",
          "SHELL",
          "STOPSIGNAL",
          "USER",
          "VOLUME",
          "WORKDIR");

  private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9\\-_.]*");
  private static final Duration MIN_INTERVAL = Duration.ofMillis(1);
  private static final Pattern ONBUILD_PREFIX =
      Pattern.compile("^\\s*ONBUILD\\s*", Pattern.CASE_INSENSITIVE);

  private InstructionParser() {}

  /** The typed instruction of {@code node}; errors carry the node's lines. */
  static Instruction parse(Node node, String fileName) {
    return parse(
        node,
        new Location(fileName, node.startLine(), node.endLine(), Text.trimSpace(node.original())));
  }

  /** The typed instruction of {@code node} at {@code location}; errors carry that location. */
  static Instruction parse(Node node, Location location) {
    try {
      return parse(node, location, node.heredocs());
    } catch (SyntaxError e) {
      throw location.error(e.getMessage());
    }
  }

  private static Instruction parse(Node node, Location loc, List<Heredoc> heredocs) {
    List<String> args = node.args();
    String keyword = node.command().toUpperCase(Locale.ROOT);
    switch (node.command()) {
      case "from" -> {
        Flags f = flags(node, new Flags(keyword).string("platform"));
        boolean named = args.size() == 3 && args.get(1).equalsIgnoreCase("as");
        if (!named && args.size() != 1) {
          throw new SyntaxError("FROM requires either one or three arguments");
        }
        Optional<String> name = Optional.empty();
        if (named) {
          String lower = args.get(2).toLowerCase(Locale.ROOT);
          if (!STAGE_NAME.matcher(lower).matches()) {
            throw new SyntaxError(
                "invalid name for build stage: "
                    + GoQuote.quote(args.get(2))
                    + ", name can't start with a number or contain symbols");
          }
          name = Optional.of(lower);
        }
        return new FromInstruction(loc, args.get(0), name, f.stringValue("platform"));
      }
      case "arg" -> {
        flags(node, new Flags(keyword));
        if (args.isEmpty()) {
          throw atLeastOne(keyword);
        }
        List<ArgInstruction.Arg> out = new ArrayList<>();
        for (String a : args) {
          int eq = a.indexOf('=');
          if (eq == 0) {
            throw new SyntaxError("ARG names can not be blank");
          }
          out.add(
              eq < 0
                  ? new ArgInstruction.Arg(a, Optional.empty())
                  : new ArgInstruction.Arg(a.substring(0, eq), Optional.of(a.substring(eq + 1))));
        }
        return new ArgInstruction(loc, out);
      }
      case "env" -> {
        flags(node, new Flags(keyword));
        return new EnvInstruction(loc, pairs(keyword, args));
      }
      case "label" -> {
        flags(node, new Flags(keyword));
        return new LabelInstruction(loc, pairs(keyword, args));
      }
      case "maintainer" -> {
        flags(node, new Flags(keyword));
        return new MaintainerInstruction(loc, exactlyOne(keyword, args));
      }
      case "workdir" -> {
        flags(node, new Flags(keyword));
        return new WorkdirInstruction(loc, exactlyOne(keyword, args));
      }
      case "user" -> {
        flags(node, new Flags(keyword));
        return new UserInstruction(loc, exactlyOne(keyword, args));
      }
      case "stopsignal" -> {
        flags(node, new Flags(keyword));
        return new StopSignalInstruction(loc, exactlyOne(keyword, args));
      }
      case "expose" -> {
        flags(node, new Flags(keyword));
        if (args.isEmpty()) {
          throw atLeastOne(keyword);
        }
        return new ExposeInstruction(loc, args);
      }
      case "volume" -> {
        flags(node, new Flags(keyword));
        if (args.isEmpty()) {
          throw atLeastOne(keyword);
        }
        List<String> volumes = new ArrayList<>();
        for (String v : args) {
          String t = Text.trimSpace(v);
          if (t.isEmpty()) {
            throw new SyntaxError("VOLUME specified can not be an empty string");
          }
          volumes.add(t);
        }
        return new VolumeInstruction(loc, volumes);
      }
      case "shell" -> {
        flags(node, new Flags(keyword));
        if (args.isEmpty()) {
          throw atLeastOne(keyword);
        }
        if (!node.json()) {
          throw new SyntaxError("SHELL requires the arguments to be in JSON form");
        }
        return new ShellInstruction(loc, args);
      }
      case "cmd" -> {
        flags(node, new Flags(keyword));
        return new CmdInstruction(loc, command(node, args));
      }
      case "entrypoint" -> {
        flags(node, new Flags(keyword));
        return new EntrypointInstruction(loc, command(node, args));
      }
      case "run" -> {
        Flags f =
            flags(node, new Flags(keyword).strings("mount").string("network").string("security"));
        if (args.isEmpty() && !node.json()) {
          throw atLeastOne(keyword);
        }
        return new RunInstruction(
            loc,
            command(node, args),
            f.stringValues("mount"),
            f.stringValue("network"),
            f.stringValue("security"),
            heredocs);
      }
      case "copy" -> {
        Flags f =
            flags(
                node,
                new Flags(keyword)
                    .string("from")
                    .string("chown")
                    .string("chmod")
                    .bool("link")
                    .strings("exclude")
                    .bool("parents"));
        SourcesAndDest sd = sourcesAndDest(keyword, args, heredocs);
        return new CopyInstruction(
            loc,
            sd.paths,
            sd.contents,
            sd.dest,
            f.stringValue("from"),
            f.stringValue("chown"),
            f.stringValue("chmod"),
            f.isTrue("link"),
            f.stringValues("exclude"),
            f.isTrue("parents"));
      }
      case "add" -> {
        Flags f =
            flags(
                node,
                new Flags(keyword)
                    .string("chown")
                    .string("chmod")
                    .bool("link")
                    .strings("exclude")
                    .string("checksum")
                    .bool("keep-git-dir")
                    .bool("unpack"));
        SourcesAndDest sd = sourcesAndDest(keyword, args, heredocs);
        return new AddInstruction(
            loc,
            sd.paths,
            sd.contents,
            sd.dest,
            f.stringValue("chown"),
            f.stringValue("chmod"),
            f.isTrue("link"),
            f.stringValues("exclude"),
            f.stringValue("checksum"),
            f.boolIfGiven("keep-git-dir"),
            f.boolIfGiven("unpack"));
      }
      case "healthcheck" -> {
        return healthcheck(node, loc, args);
      }
      case "onbuild" -> {
        flags(node, new Flags(keyword));
        if (node.subCommand().isEmpty()) {
          throw atLeastOne(keyword);
        }
        Node sub = node.subCommand().get();
        checkTrigger(sub);
        StringBuilder expression =
            new StringBuilder(ONBUILD_PREFIX.matcher(node.original()).replaceFirst(""));
        for (Heredoc h : heredocs) {
          expression.append('\n').append(h.content()).append(h.name());
        }
        return new OnbuildInstruction(loc, parse(sub, loc, heredocs), expression.toString());
      }
      default -> throw unknown(node.keyword());
    }
  }

  /** Docker refuses these as ONBUILD triggers, with these messages. */
  static void checkTrigger(Node trigger) {
    String keyword = trigger.command().toUpperCase(Locale.ROOT);
    switch (keyword) {
      case "ONBUILD" ->
          throw new SyntaxError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      case "FROM", "MAINTAINER" ->
          throw new SyntaxError(keyword + " isn't allowed as an ONBUILD trigger");
      default -> {
        // any other instruction is a valid trigger
      }
    }
  }

  static SyntaxError unknown(String keyword) {
    String msg = "unknown instruction: " + keyword;
    String match = Text.suggest(keyword.toUpperCase(Locale.ROOT), KEYWORDS);
    if (match != null) {
      if (keyword.equals(keyword.toLowerCase(Locale.ROOT))) {
        match = match.toLowerCase(Locale.ROOT);
      }
      msg += " (did you mean " + match + "?)";
    }
    return new SyntaxError(msg);
  }

  private static Flags flags(Node node, Flags accepted) {
    return accepted.parse(node.flags());
  }

  private static SyntaxError atLeastOne(String keyword) {
    return new SyntaxError(keyword + " requires at least one argument");
  }

  private static String exactlyOne(String keyword, List<String> args) {
    if (args.size() != 1) {
      throw new SyntaxError(keyword + " requires exactly one argument");
    }
    return args.get(0);
  }

  private static List<KeyValue> pairs(String keyword, List<String> args) {
    if (args.isEmpty()) {
      throw atLeastOne(keyword);
    }
    if (args.size() % 3 != 0) {
      throw new SyntaxError("Bad input to " + keyword + ", too many arguments");
    }
    List<KeyValue> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i += 3) {
      if (args.get(i).isEmpty()) {
        throw new SyntaxError(keyword + " names can not be blank");
      }
      out.add(new KeyValue(args.get(i), args.get(i + 1), args.get(i + 2).isEmpty()));
    }
    return out;
  }

  private static CommandForm command(Node node, List<String> args) {
    if (node.json() || args.isEmpty()) {
      return new CommandForm.Exec(args);
    }
    return new CommandForm.Shell(String.join(" ", args));
  }

  private record SourcesAndDest(List<String> paths, List<Heredoc> contents, String dest) {}

  private static SourcesAndDest sourcesAndDest(
      String keyword, List<String> args, List<Heredoc> heredocs) {
    if (args.size() < 2) {
      throw new SyntaxError(
          keyword
              + " requires at least two arguments, but only one was provided."
              + " Destination could not be determined");
    }
    String dest = args.get(args.size() - 1);
    if (Heredocs.parse(dest) != null) {
      throw new SyntaxError(keyword + " cannot accept a heredoc as a destination");
    }
    Map<String, Heredoc> byName = new TreeMap<>();
    for (Heredoc h : heredocs) {
      byName.put(h.name(), h);
    }
    List<String> paths = new ArrayList<>();
    List<Heredoc> contents = new ArrayList<>();
    for (String src : args.subList(0, args.size() - 1)) {
      Heredoc h = Heredocs.parse(src);
      if (h == null) {
        paths.add(src);
      } else {
        Heredoc body = byName.get(h.name());
        contents.add(h.withContent(body == null ? "" : body.content()));
      }
    }
    return new SourcesAndDest(paths, contents, dest);
  }

  private static HealthcheckInstruction healthcheck(Node node, Location loc, List<String> args) {
    Flags f =
        flags(
            node,
            new Flags("HEALTHCHECK")
                .string("interval")
                .string("timeout")
                .string("start-period")
                .string("start-interval")
                .string("retries"));
    if (args.isEmpty()) {
      throw atLeastOne("HEALTHCHECK");
    }
    String type = args.get(0).toUpperCase(Locale.ROOT);
    List<String> rest = args.subList(1, args.size());
    if (type.equals("NONE")) {
      if (!rest.isEmpty()) {
        throw new SyntaxError("HEALTHCHECK NONE takes no arguments");
      }
      return new HealthcheckInstruction(
          loc, List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
    if (!type.equals("CMD")) {
      throw new SyntaxError("Unknown type " + GoQuote.quote(type) + " in HEALTHCHECK (try CMD)");
    }
    if (rest.isEmpty()) {
      throw new SyntaxError("Missing command after HEALTHCHECK CMD");
    }
    List<String> test = new ArrayList<>();
    if (node.json()) {
      test.add("CMD");
      test.addAll(rest);
    } else {
      test.add("CMD-SHELL");
      test.add(String.join(" ", rest));
    }
    int retries = 0;
    Optional<String> r = f.stringValue("retries");
    if (r.isPresent()) {
      if (!r.get().matches("[+-]?[0-9]{1,10}")) {
        throw new SyntaxError("invalid value for --retries: " + r.get());
      }
      long v = Long.parseLong(r.get());
      if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
        throw new SyntaxError("invalid value for --retries: " + r.get());
      }
      if (v < 0) {
        throw new SyntaxError("--retries cannot be negative (" + v + ")");
      }
      retries = (int) v;
    }
    return new HealthcheckInstruction(
        loc,
        test,
        interval(f, "interval"),
        interval(f, "timeout"),
        interval(f, "start-period"),
        interval(f, "start-interval"),
        retries);
  }

  private static Duration interval(Flags f, String name) {
    Optional<String> v = f.stringValue(name);
    if (v.isEmpty() || v.get().isEmpty()) {
      return Duration.ZERO;
    }
    Duration d = GoDuration.parse(v.get());
    if (d.isZero()) {
      return d;
    }
    if (d.compareTo(MIN_INTERVAL) < 0) {
      throw new SyntaxError("Interval \"" + name + "\" cannot be less than 1ms");
    }
    return d;
  }
}
