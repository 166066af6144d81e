package dev.slimbuild.core.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text to {@link RawDockerfile}, following the rules of BuildKit's {@code
 * frontend/dockerfile/parser}: directives, continuation lines, comments, flags, the per-instruction
 * argument rules and heredocs.
 */
final class RawParser {
  private static final Pattern DIRECTIVE =
      Pattern.compile(
          "([a-zA-Z][a-zA-Z0-9]*)[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*(.+?)[\\t\\n\\f\\r ]*",
          Pattern.UNIX_LINES);
  private static final Set<String> KNOWN_DIRECTIVES = Set.of("syntax", "escape", "check");

  private final String fileName;
  private final List<String> lines;
  private int next;
  private char escape = '\\';
  private boolean directivesDone;
  private final Set<String> seenDirectives = new HashSet<>();
  private String syntax;
  private String check;

  private RawParser(String text, String fileName) {
    this.fileName = fileName;
    this.lines = splitLines(text);
  }

  static RawDockerfile parse(String text, String fileName) {
    return new RawParser(text, fileName).run();
  }

  /** Lines with their endings kept, like BuildKit's scanner. */
  private static List<String> splitLines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl + 1;
      out.add(text.substring(start, end));
      start = end;
    }
    return out;
  }

  private RawDockerfile run() {
    List<Node> nodes = new ArrayList<>();
    int currentLine = 0;
    while (next < lines.size()) {
      String raw = lines.get(next++);
      if (currentLine == 0 && raw.startsWith("\uFEFF")) {
        raw = raw.substring(1);
      }
      String text = processLine(raw, true, currentLine + 1);
      currentLine++;
      int startLine = currentLine;

      boolean endOfLine = !isContinued(text);
      text = endOfLine ? text : stripContinuation(text);
      if (endOfLine && text.isEmpty()) {
        continue;
      }
      StringBuilder buf = new StringBuilder(text);
      while (!endOfLine && next < lines.size()) {
        String cont = lines.get(next++);
        String t = processLine(cont, false, currentLine + 1);
        currentLine++;
        if (Text.trimLeftSpace(t).isEmpty()) { // blank or comment (processLine blanks comments)
          continue;
        }
        endOfLine = !isContinued(t);
        buf.append(endOfLine ? t : stripContinuation(t));
      }
      String line = buf.toString();

      Node node;
      try {
        node = nodeFromLine(line);
      } catch (SyntaxError e) {
        throw new DockerfileException(fileName, startLine, currentLine, e.getMessage());
      }

      List<Heredoc> docs = new ArrayList<>();
      if (canContainHeredoc(node) && line.contains("<<")) {
        List<Heredoc> found;
        try {
          found = Heredocs.fromLine(line);
        } catch (SyntaxError e) {
          throw new DockerfileException(fileName, startLine, currentLine, e.getMessage());
        }
        for (Heredoc doc : found) {
          StringBuilder content = new StringBuilder();
          boolean terminated = false;
          while (next < lines.size()) {
            String body = lines.get(next++);
            currentLine++;
            String candidate = trimNewline(body);
            if (doc.chomp()) {
              int i = 0;
              while (i < candidate.length() && candidate.charAt(i) == '\t') {
                i++;
              }
              candidate = candidate.substring(i);
            }
            if (candidate.equals(doc.name())) {
              terminated = true;
              break;
            }
            content.append(body);
          }
          if (!terminated) {
            throw new DockerfileException(
                fileName, startLine, currentLine, "unterminated heredoc " + doc.name());
          }
          docs.add(doc.withContent(content.toString()));
        }
      }
      nodes.add(node.withLines(startLine, currentLine, source(startLine, currentLine), docs));
    }
    if (nodes.isEmpty()) {
      throw new DockerfileException(
          fileName, Math.max(1, currentLine), currentLine, "file with no instructions");
    }
    Directives directives =
        new Directives(Optional.ofNullable(syntax), escape, Optional.ofNullable(check));
    return new RawDockerfile(fileName, directives, nodes);
  }

  private String source(int startLine, int endLine) {
    StringBuilder sb = new StringBuilder();
    for (int i = startLine - 1; i < endLine; i++) {
      sb.append(lines.get(i));
    }
    String s = sb.toString();
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static boolean canContainHeredoc(Node node) {
    Node target = node;
    if (node.command().equals("onbuild") && node.subCommand().isPresent()) {
      target = node.subCommand().get();
    }
    String c = target.command();
    return (c.equals("run") || c.equals("copy") || c.equals("add")) && !target.json();
  }

  private static boolean isComment(String line) {
    return Text.trimLeftSpace(line).startsWith("#");
  }

  private static String trimNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Strips the line ending (and leading space), notes directives, blanks out comments. */
  private String processLine(String raw, boolean stripLeft, int lineNo) {
    String t = trimNewline(raw);
    if (stripLeft) {
      t = Text.trimLeftSpace(t);
    }
    possibleDirective(t, lineNo);
    return isComment(t) ? "" : t;
  }

  private void possibleDirective(String line, int lineNo) {
    if (directivesDone) {
      return;
    }
    if (!line.startsWith("#")) {
      directivesDone = true;
      return;
    }
    Matcher m = DIRECTIVE.matcher(Text.trimLeftSpace(line.substring(1)));
    if (!m.matches()) {
      directivesDone = true;
      return;
    }
    String key = m.group(1).toLowerCase(Locale.ROOT);
    if (!KNOWN_DIRECTIVES.contains(key)) {
      directivesDone = true;
      return;
    }
    if (!seenDirectives.add(key)) {
      throw new DockerfileException(
          fileName, lineNo, lineNo, "only one " + key + " parser directive can be used");
    }
    String value = m.group(2);
    switch (key) {
      case "escape" -> {
        if (!value.equals("`") && !value.equals("\\")) {
          throw new DockerfileException(
              fileName,
              lineNo,
              lineNo,
              "invalid escape token '" + value + "' does not match ` or \\");
        }
        escape = value.charAt(0);
      }
      case "syntax" -> syntax = value;
      default -> check = value;
    }
  }

  /**
   * Whether the line ends with the escape character (then blanks) that is not itself escaped:
   * BuildKit's {@code ([^\\])\\[ \t]*$|^\\[ \t]*$}.
   */
  private boolean isContinued(String line) {
    int end = blankEnd(line);
    if (end == 0 || line.charAt(end - 1) != escape) {
      return false;
    }
    return end == 1 || line.charAt(end - 2) != escape;
  }

  private String stripContinuation(String line) {
    return line.substring(0, blankEnd(line) - 1);
  }

  private static int blankEnd(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
      end--;
    }
    return end;
  }

  // ---- one logical line to a node -------------------------------------------------------------

  private Node nodeFromLine(String line) {
    List<String> cmdline = Text.splitBlank(Text.trimSpace(line), 2);
    String keyword = cmdline.get(0);
    List<String> flags = new ArrayList<>();
    String rest = "";
    if (cmdline.size() == 2) {
      rest = Text.trimSpace(extractFlags(cmdline.get(1), flags));
    }
    Args args = dispatch(keyword.toLowerCase(Locale.ROOT), rest);
    return new Node(keyword, flags, args.values, args.sub, args.json, List.of(), 1, 1, line, "");
  }

  private record Args(List<String> values, Optional<Node> sub, boolean json) {
    static Args of(List<String> values) {
      return new Args(values, Optional.empty(), false);
    }
  }

  private Args dispatch(String command, String rest) {
    switch (command) {
      case "add", "copy", "volume" -> {
        return maybeJsonToList(rest);
      }
      case "arg" -> {
        return Args.of(words(rest));
      }
      case "cmd", "entrypoint", "run", "shell" -> {
        return maybeJson(rest);
      }
      case "env" -> {
        return Args.of(nameVal(rest, "ENV"));
      }
      case "label" -> {
        return Args.of(nameVal(rest, "LABEL"));
      }
      case "expose", "from" -> {
        return Args.of(whitespaceDelimited(rest));
      }
      case "healthcheck" -> {
        return healthConfig(rest);
      }
      case "maintainer", "stopsignal", "user", "workdir" -> {
        return Args.of(rest.isEmpty() ? List.of() : List.of(rest));
      }
      case "onbuild" -> {
        if (rest.isEmpty()) {
          return Args.of(List.of());
        }
        return new Args(List.of(), Optional.of(nodeFromLine(rest)), false);
      }
      default -> {
        // BuildKit keeps unknown instructions with one empty argument; the typed layer rejects them
        return Args.of(List.of(""));
      }
    }
  }

  /** BuildKit's {@code extractBuilderFlags}: leading {@code --x} words, up to a {@code --}. */
  private String extractFlags(String line, List<String> flags) {
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    int phase = inSpaces;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    for (int pos = 0; pos <= line.length(); pos++) {
      char ch = pos < line.length() ? line.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == line.length()) {
          break;
        }
        if (Text.isSpace(ch)) {
          continue;
        }
        if (ch != '-' || pos + 1 == line.length() || line.charAt(pos + 1) != '-') {
          return line.substring(pos);
        }
        phase = inWord;
      }
      if (pos == line.length()) {
        String w = word.toString();
        if (!w.equals("--") && (blankOk || !w.isEmpty())) {
          flags.add(w);
        }
        break;
      }
      if (phase == inWord) {
        if (Text.isSpace(ch)) {
          String w = word.toString();
          phase = inSpaces;
          if (w.equals("--")) {
            return line.substring(pos);
          }
          if (blankOk || !w.isEmpty()) {
            flags.add(w);
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = inQuote;
          continue;
        }
        if (ch == escape) {
          if (pos + 1 == line.length()) {
            continue;
          }
          ch = line.charAt(++pos);
        }
        word.append(ch);
        continue;
      }
      // inQuote
      if (ch == quote) {
        phase = inWord;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == line.length()) {
          phase = inWord;
          continue;
        }
        ch = line.charAt(++pos);
      }
      word.append(ch);
    }
    return "";
  }

  /** BuildKit's {@code parseWords}: whitespace-separated words, quotes and escapes kept. */
  List<String> words(String rest) {
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    List<String> words = new ArrayList<>();
    int phase = inSpaces;
    char quote = 0;
    boolean blankOk = false;
    StringBuilder sb = new StringBuilder();
    for (int pos = 0; pos <= rest.length(); pos++) {
      char ch = pos < rest.length() ? rest.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == rest.length()) {
          break;
        }
        if (Text.isSpace(ch)) {
          continue;
        }
        phase = inWord;
      }
      if (pos == rest.length()) {
        if (blankOk || sb.length() > 0) {
          words.add(sb.toString());
        }
        break;
      }
      if (phase == inWord) {
        if (Text.isSpace(ch)) {
          phase = inSpaces;
          if (blankOk || sb.length() > 0) {
            words.add(sb.toString());
          }
          sb.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = inQuote;
        }
        if (ch == escape) {
          if (pos + 1 == rest.length()) {
            continue;
          }
          sb.append(ch);
          ch = rest.charAt(++pos);
        }
        sb.append(ch);
        continue;
      }
      // inQuote
      if (ch == quote) {
        phase = inWord;
      }
      if (ch == escape && quote != '\'') {
        if (pos + 1 == rest.length()) {
          phase = inWord;
          continue;
        }
        sb.append(ch);
        ch = rest.charAt(++pos);
      }
      sb.append(ch);
    }
    return words;
  }

  /** ENV and LABEL: {@code KEY value} (legacy) or {@code k=v ...}; triples key, value, sep. */
  private List<String> nameVal(String rest, String key) {
    List<String> words = words(rest);
    if (words.isEmpty()) {
      return List.of();
    }
    if (!words.get(0).contains("=")) {
      List<String> parts = Text.splitBlank(rest, 2);
      if (parts.size() < 2) {
        throw new SyntaxError(key + " must have two arguments");
      }
      return List.of(parts.get(0), parts.get(1), "");
    }
    List<String> out = new ArrayList<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq < 0) {
        throw new SyntaxError(
            "Syntax error - can't find = in "
                + GoQuote.quote(word)
                + ". Must be of the form: name=value");
      }
      out.add(word.substring(0, eq));
      out.add(word.substring(eq + 1));
      out.add("=");
    }
    return out;
  }

  private static List<String> whitespaceDelimited(String rest) {
    return rest.isEmpty() ? List.of() : Text.splitBlank(rest, -1);
  }

  private static Args maybeJson(String rest) {
    if (rest.isEmpty()) {
      return Args.of(List.of());
    }
    List<String> json = JsonArray.parse(rest);
    return json != null ? new Args(json, Optional.empty(), true) : Args.of(List.of(rest));
  }

  private static Args maybeJsonToList(String rest) {
    List<String> json = JsonArray.parse(rest);
    return json != null
        ? new Args(json, Optional.empty(), true)
        : Args.of(whitespaceDelimited(rest));
  }

  private static Args healthConfig(String rest) {
    int sep = 0;
    while (sep < rest.length() && !Text.isSpace(rest.charAt(sep))) {
      sep++;
    }
    int after = sep;
    while (after < rest.length() && Text.isSpace(rest.charAt(after))) {
      after++;
    }
    if (sep == 0) {
      return Args.of(List.of());
    }
    Args cmd = maybeJson(rest.substring(after));
    List<String> values = new ArrayList<>();
    values.add(rest.substring(0, sep));
    values.addAll(cmd.values());
    return new Args(values, Optional.empty(), cmd.json());
  }
}
