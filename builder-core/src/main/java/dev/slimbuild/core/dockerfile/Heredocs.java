package dev.slimbuild.core.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the heredoc words of a RUN/COPY/ADD line the way BuildKit does: the line is split into
 * shell words (quotes and escapes kept, variables left alone), and each word of the form {@code
 * [n]<<[-]WORD} opens a heredoc. A quoted WORD means the body is not expanded.
 */
final class Heredocs {
  private static final Pattern HEREDOC = Pattern.compile("(\\d*)<<(-?)[\\t\\n\\f\\r ]*([^<]*)");

  private Heredocs() {}

  /** The heredocs opened on {@code line}, in order, with empty content. */
  static List<Heredoc> fromLine(String line) {
    List<String> words = new Lexer(line, true, true).words();
    List<Heredoc> docs = new ArrayList<>();
    if (words == null) {
      // BuildKit ignores the lexing error here: no heredocs on this line
      return docs;
    }
    for (String word : words) {
      Heredoc doc = parse(word);
      if (doc != null) {
        docs.add(doc);
      }
    }
    return docs;
  }

  /** The heredoc a single argument word opens, or null if it is not one. */
  static Heredoc parse(String word) {
    Matcher m = HEREDOC.matcher(word);
    if (!m.matches()) {
      return null;
    }
    String rest = m.group(3);
    if (rest.isEmpty()) {
      return null;
    }
    List<String> words = new Lexer(rest, false, false).words();
    if (words == null) {
      throw new SyntaxError("failed to process heredoc word " + GoQuote.quote(rest));
    }
    if (words.size() != 1) {
      return null;
    }
    List<String> raw = new Lexer(rest, true, false).words();
    if (raw == null || raw.size() != 1) {
      throw new SyntaxError("inconsistent lexing of heredoc word " + GoQuote.quote(rest));
    }
    String name = words.get(0);
    boolean expand = quotes(name) == quotes(raw.get(0));
    int fd = 0;
    if (!m.group(1).isEmpty() && m.group(1).length() < 10) {
      fd = Integer.parseInt(m.group(1));
    }
    return new Heredoc(name, "", expand, m.group(2).equals("-"), fd);
  }

  private static int quotes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
        n++;
      }
    }
    return n;
  }

  /** A small shell-word splitter with an empty environment whose variables stay as written. */
  private static final class Lexer {
    private final String s;
    private final boolean rawQuotes;
    private final boolean rawEscapes;
    private int pos;
    private final List<String> words = new ArrayList<>();
    private final StringBuilder buf = new StringBuilder();
    private boolean inWord;

    Lexer(String s, boolean rawQuotes, boolean rawEscapes) {
      this.s = s;
      this.rawQuotes = rawQuotes;
      this.rawEscapes = rawEscapes;
    }

    /** The words, or null when the text does not lex (unterminated quote, bad ${...}). */
    List<String> words() {
      while (pos < s.length()) {
        char ch = s.charAt(pos);
        if (ch == '$') {
          String v = dollar();
          if (v == null) {
            return null;
          }
          for (int i = 0; i < v.length(); i++) {
            addChar(v.charAt(i));
          }
        } else if (ch == '<') {
          pos++;
          if (pos < s.length() && s.charAt(pos) == '<') {
            pos++;
            int start = pos;
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
              pos++;
            }
            addRaw("<<" + s.substring(start, pos));
          } else {
            addRaw("<");
          }
        } else if (ch == '\'') {
          int end = s.indexOf('\'', pos + 1);
          if (end < 0) {
            return null;
          }
          addRaw(rawQuotes ? s.substring(pos, end + 1) : s.substring(pos + 1, end));
          pos = end + 1;
        } else if (ch == '"') {
          String v = doubleQuoted();
          if (v == null) {
            return null;
          }
          addRaw(v);
        } else {
          pos++;
          if (ch == '\\') {
            if (rawEscapes) {
              addRaw("\\");
            }
            if (pos >= s.length()) {
              break;
            }
            addRaw(String.valueOf(s.charAt(pos++)));
          } else {
            addChar(ch);
          }
        }
      }
      if (buf.length() > 0) {
        words.add(buf.toString());
      }
      return words;
    }

    private void addChar(char ch) {
      if (Text.isSpace(ch)) {
        if (inWord && buf.length() > 0) {
          words.add(buf.toString());
          buf.setLength(0);
          inWord = false;
        }
      } else {
        addRaw(String.valueOf(ch));
      }
    }

    private void addRaw(String str) {
      buf.append(str);
      inWord = true;
    }

    private String doubleQuoted() {
      StringBuilder sb = new StringBuilder();
      pos++;
      if (rawQuotes) {
        sb.append('"');
      }
      while (true) {
        if (pos >= s.length()) {
          return null;
        }
        char ch = s.charAt(pos);
        if (ch == '"') {
          pos++;
          if (rawQuotes) {
            sb.append('"');
          }
          return sb.toString();
        }
        if (ch == '$') {
          String v = dollar();
          if (v == null) {
            return null;
          }
          sb.append(v);
          continue;
        }
        pos++;
        if (ch == '\\') {
          if (rawEscapes) {
            sb.append(ch);
          }
          if (pos >= s.length()) {
            continue;
          }
          char n = s.charAt(pos);
          if (n == '"' || n == '$' || n == '\\') {
            ch = n;
            pos++;
          }
        }
        sb.append(ch);
      }
    }

    /** A variable reference, kept as written; null for an unterminated <code>${</code>. */
    private String dollar() {
      int start = pos;
      pos++;
      if (pos < s.length() && s.charAt(pos) == '{') {
        int depth = 0;
        while (pos < s.length()) {
          char c = s.charAt(pos++);
          if (c == '{') {
            depth++;
          } else if (c == '}' && --depth == 0) {
            return s.substring(start, pos);
          }
        }
        return null;
      }
      if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
      } else if (pos < s.length() && "@*#?-$!0".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      } else {
        while (pos < s.length()
            && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
          pos++;
        }
      }
      return s.substring(start, pos);
    }
  }
}
