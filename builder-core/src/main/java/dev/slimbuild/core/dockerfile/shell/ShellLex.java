package dev.slimbuild.core.dockerfile.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Expands Dockerfile words the way BuildKit's shell lexer does: single and double quotes, the
 * escape token, {@code $VAR}, {@code ${VAR}} and the modifiers {@code :- - :+ + :? ? # ## % %% /
 * //}. Positional and special parameters ({@code $1}, {@code $@}, {@code $*}, {@code $#} ...) are
 * never set. Heredoc markers ({@code <<}) are kept together with the blanks that follow them.
 *
 * <p>Immutable and safe to share between threads; each call keeps its own state.
 */
public final class ShellLex {
  private static final int EOF = -1;

  /**
   * The deepest {@code ${...}} nesting a word may have (BuildKit has no limit; Go's stacks grow to
   * a gigabyte, Java's do not): deeper is an input error, not a StackOverflowError.
   */
  static final int MAX_NESTING = 100;

  private final int escapeToken;

  /**
   * @param escapeToken the Dockerfile escape character, {@code '\\'} (default) or {@code '`'}
   */
  public ShellLex(char escapeToken) {
    if (escapeToken != '\\' && escapeToken != '`') {
      throw new IllegalArgumentException("escape token must be \\ or `, got " + escapeToken);
    }
    this.escapeToken = escapeToken;
  }

  /**
   * Expands {@code word} into one string: quotes are removed, blanks between words are kept.
   *
   * @param env variables; a key mapped to "" is set but empty, an absent key is unset
   * @throws ExpansionException if the word is malformed or a {@code ?} modifier fails
   */
  public String processWord(String word, Map<String, String> env) {
    return new Run(word, env).process().word();
  }

  /**
   * Expands {@code word} and splits the result into words on unquoted blanks, after substitution
   * (so a variable holding {@code "a b"} gives two words unless quoted).
   *
   * @throws ExpansionException if the word is malformed or a {@code ?} modifier fails
   */
  public List<String> processWords(String word, Map<String, String> env) {
    return new Run(word, env).process().words();
  }

  /**
   * Expands the body of a here-document that COPY or ADD writes, as BuildKit does ({@code
   * SkipProcessQuotes}): {@code $VAR} and {@code ${VAR...}} expand and the escape token escapes the
   * next character, but quotes are ordinary characters and stay.
   *
   * @throws ExpansionException if the body is malformed or a {@code ?} modifier fails
   */
  public String processHeredoc(String body, Map<String, String> env) {
    Run run = new Run(body, env);
    run.skipQuotes = true;
    return run.process().word();
  }

  /**
   * Go's {@code unicode.IsSpace}, on which BuildKit splits words; the parser's {@code Text} uses it
   * too (it lives here so that the lexer depends on nothing of the parser's).
   */
  public static boolean isSpace(int c) {
    switch (c) {
      case '\t',
          '\n',
          0x0b,
          '\f',
          '\r',
          ' ',
          0x85,
          0xa0,
          0x1680,
          0x2028,
          0x2029,
          0x202f,
          0x205f,
          0x3000 -> {
        return true;
      }
      default -> {
        return c >= 0x2000 && c <= 0x200a;
      }
    }
  }

  private record Result(String word, List<String> words) {}

  /** Splits characters into words as they are produced. */
  private static final class Words {
    private final StringBuilder buf = new StringBuilder();
    private final List<String> words = new ArrayList<>();
    private boolean inWord;

    void addChar(int ch) {
      if (isSpace(ch)) {
        if (inWord && buf.length() != 0) {
          words.add(buf.toString());
          buf.setLength(0);
          inWord = false;
        }
      } else {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      buf.appendCodePoint(ch);
      inWord = true;
    }

    void addString(String s) {
      s.codePoints().forEach(this::addChar);
    }

    void addRawString(String s) {
      buf.append(s);
      inWord = true;
    }

    List<String> finish() {
      if (buf.length() > 0) {
        words.add(buf.toString());
        buf.setLength(0);
        inWord = false;
      }
      return List.copyOf(words);
    }
  }

  /** The state of one expansion: a code point scanner over the source. */
  private final class Run {
    private final String source;
    private final int[] cps;
    private final Map<String, String> env;
    private int pos;
    private boolean rawEscapes;
    private int depth;
    private boolean skipQuotes;

    Run(String source, Map<String, String> env) {
      this.source = Objects.requireNonNull(source, "word");
      this.cps = source.codePoints().toArray();
      this.env = Objects.requireNonNull(env, "env");
    }

    Result process() {
      try {
        return processStopOn(EOF, false);
      } catch (ExpansionException e) {
        String shown = source.length() > 200 ? source.substring(0, 200) + "..." : source;
        throw new ExpansionException("failed to process \"" + shown + "\": " + e.getMessage());
      }
    }

    private int peek() {
      return pos < cps.length ? cps[pos] : EOF;
    }

    private int next() {
      return pos < cps.length ? cps[pos++] : EOF;
    }

    /** Reads up to (and consumes) {@code stopChar}; EOF as stop means the end of the source. */
    private Result processStopOn(int stopChar, boolean raw) {
      StringBuilder result = new StringBuilder();
      Words words = new Words();
      boolean saved = rawEscapes;
      rawEscapes = raw;
      try {
        while (peek() != EOF) {
          int ch = peek();
          if (stopChar != EOF && ch == stopChar) {
            next();
            return new Result(result.toString(), words.finish());
          }
          switch (ch) {
            case '$' -> {
              String value = processDollar();
              result.append(value);
              words.addString(value);
            }
            case '\'' -> {
              if (skipQuotes) {
                next();
                result.appendCodePoint(ch);
                words.addChar(ch);
                continue;
              }
              String value = processSingleQuote();
              result.append(value);
              words.addRawString(value);
            }
            case '"' -> {
              if (skipQuotes) {
                next();
                result.appendCodePoint(ch);
                words.addChar(ch);
                continue;
              }
              String value = processDoubleQuote();
              result.append(value);
              words.addRawString(value);
            }
            case '<' -> {
              String value = processPossibleHeredoc();
              result.append(value);
              words.addRawString(value);
            }
            default -> {
              next();
              if (ch == escapeToken) {
                if (rawEscapes) {
                  words.addRawChar(ch);
                  result.appendCodePoint(ch);
                }
                // the escape token escapes the next character; at the end it is dropped
                ch = next();
                if (ch == EOF) {
                  break; // leaves the switch; the loop then ends at EOF
                }
                words.addRawChar(ch);
              } else {
                words.addChar(ch);
              }
              result.appendCodePoint(ch);
            }
          }
        }
        if (stopChar != EOF) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching "
                  + Character.toString(stopChar));
        }
        return new Result(result.toString(), words.finish());
      } finally {
        rawEscapes = saved;
      }
    }

    /** Everything up to the next single quote is literal; a single quote cannot be escaped. */
    private String processSingleQuote() {
      StringBuilder result = new StringBuilder();
      next();
      while (true) {
        int ch = next();
        if (ch == EOF) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching single-quote");
        }
        if (ch == '\'') {
          return result.toString();
        }
        result.appendCodePoint(ch);
      }
    }

    /**
     * Up to the next unescaped double quote: {@code $} expands, and the escape token escapes only
     * {@code " $} and itself (otherwise it stays).
     */
    private String processDoubleQuote() {
      StringBuilder result = new StringBuilder();
      next();
      while (true) {
        int ch = peek();
        if (ch == EOF) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching double-quote");
        }
        if (ch == '"') {
          next();
          return result.toString();
        }
        if (ch == '$') {
          result.append(processDollar());
          continue;
        }
        next();
        if (ch == escapeToken) {
          if (rawEscapes) {
            result.appendCodePoint(ch);
          }
          int following = peek();
          if (following == EOF) {
            continue; // an escape at the very end is dropped
          }
          if (following == '"' || following == '$' || following == escapeToken) {
            ch = next();
          }
        }
        result.appendCodePoint(ch);
      }
    }

    private String processPossibleHeredoc() {
      next();
      if (peek() != '<') {
        return "<";
      }
      next();
      StringBuilder out = new StringBuilder("<<");
      while (peek() == '\t' || peek() == '\r' || peek() == ' ') {
        out.appendCodePoint(next());
      }
      return out.toString();
    }

    private String processDollar() {
      if (depth >= MAX_NESTING) {
        throw new ExpansionException(nestingError());
      }
      depth++;
      try {
        return processDollarAt();
      } finally {
        depth--;
      }
    }

    private String processDollarAt() {
      next();
      if (peek() != '{') {
        String name = processName();
        if (name.isEmpty()) {
          return "$";
        }
        return env.getOrDefault(name, "");
      }
      next();
      int first = peek();
      if (first == EOF) {
        throw new ExpansionException("syntax error: missing '}'");
      }
      if (first == '{' || first == '}' || first == ':') {
        throw new ExpansionException("syntax error: bad substitution");
      }
      String name = processName();
      int ch = next();
      if (ch == EOF) {
        throw new ExpansionException("syntax error: missing '}'");
      }
      String modifier = Character.toString(ch);
      switch (ch) {
        case '}':
          return env.getOrDefault(name, "");
        case ':':
        case '+':
        case '-':
        case '?':
        case '#':
        case '%':
          return processModifier(name, ch, modifier);
        case '/':
          return processReplace(name);
        default:
          throw new ExpansionException("unsupported modifier (" + modifier + ") in substitution");
      }
    }

    private String processModifier(String name, int first, String modifier) {
      int ch = first;
      boolean nullIsUnset = false;
      if (ch == ':') {
        nullIsUnset = true;
        ch = next();
        if (ch != EOF) {
          modifier += Character.toString(ch);
        }
      }
      boolean patternModifier = ch == '#' || ch == '%';
      if (nullIsUnset && patternModifier) {
        throw new ExpansionException("unsupported modifier (" + modifier + ") in substitution");
      }
      String word = untilClosingBrace(patternModifier);
      String value = env.get(name);
      boolean set = value != null;
      boolean empty = !set || (nullIsUnset && value.isEmpty());
      switch (ch) {
        case '-':
          return empty ? word : value;
        case '+':
          return empty ? "" : word;
        case '?':
          if (!set) {
            throw new ExpansionException(
                name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
          }
          if (empty) {
            throw new ExpansionException(
                name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
          }
          return value;
        case '#':
        case '%':
          {
            // # and % remove the shortest match, ## and %% the longest
            boolean greedy = !word.isEmpty() && word.codePointAt(0) == ch;
            String pattern = greedy ? word.substring(1) : word;
            String subject = set ? value : "";
            return ch == '%'
                ? ShellPattern.trimSuffix(pattern, subject, greedy)
                : ShellPattern.trimPrefix(pattern, subject, greedy);
          }
        default:
          throw new ExpansionException("unsupported modifier (" + modifier + ") in substitution");
      }
    }

    private String processReplace(String name) {
      boolean replaceAll = peek() == '/';
      if (replaceAll) {
        next();
      }
      String pattern;
      try {
        pattern = processStopOn('/', true).word();
      } catch (ExpansionException e) {
        if (peek() == EOF) {
          throw new ExpansionException("syntax error: missing '/' in ${}");
        }
        throw e;
      }
      String replacement = untilClosingBrace(true);
      String value = env.getOrDefault(name, "");
      return replaceAll
          ? ShellPattern.replaceAll(pattern, value, replacement)
          : ShellPattern.replaceFirst(pattern, value, replacement);
    }

    private String untilClosingBrace(boolean raw) {
      try {
        return processStopOn('}', raw).word();
      } catch (ExpansionException e) {
        if (peek() == EOF) {
          throw new ExpansionException("syntax error: missing '}'");
        }
        throw e;
      }
    }

    /**
     * A name: letters, digits and {@code _}; or a run of digits (positional); or one special
     * parameter character.
     */
    private String processName() {
      StringBuilder name = new StringBuilder();
      while (peek() != EOF) {
        int ch = peek();
        if (name.length() == 0 && Character.isDigit(ch)) {
          while (peek() != EOF && Character.isDigit(peek())) {
            name.appendCodePoint(next());
          }
          return name.toString();
        }
        if (name.length() == 0 && isSpecialParam(ch)) {
          return Character.toString(next());
        }
        if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
          break;
        }
        name.appendCodePoint(next());
      }
      return name.toString();
    }
  }

  private static String nestingError() {
    return "variable substitutions nested more than " + MAX_NESTING + " deep";
  }

  /**
   * Throws {@link ExpansionException} when {@code word} nests {@code ${...}} deeper than {@link
   * #MAX_NESTING}, as expanding it would, without expanding anything (for checks that run before
   * the variables are known). Escaped dollars and single-quoted text do not count.
   */
  public static void checkNesting(String word, char escapeToken) {
    int depth = 0;
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (single) {
        single = c != '\'';
      } else if (c == escapeToken) {
        i++;
      } else if (c == '\'' && !dbl) {
        single = true;
      } else if (c == '"') {
        dbl = !dbl;
      } else if (c == '$' && i + 1 < word.length() && word.charAt(i + 1) == '{') {
        if (++depth > MAX_NESTING) {
          throw new ExpansionException(nestingError());
        }
        i++;
      } else if (c == '}' && depth > 0) {
        depth--;
      }
    }
  }

  private static boolean isSpecialParam(int ch) {
    return switch (ch) {
      case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
      default -> false;
    };
  }
}
