package dev.slimbuild.core.context;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Matches slash-separated relative paths against {@code .dockerignore} patterns as Docker does:
 * patterns apply in order and the last one that matches wins; {@code !pattern} is an exception that
 * re-includes; a pattern that matches a parent directory matches everything beneath it; {@code *},
 * {@code ?}, {@code [...]} and {@code \} as in Go's {@code filepath.Match}, and {@code **} for any
 * number of directories.
 */
public final class PatternMatcher {
  private final List<IgnorePattern> patterns;
  private final boolean exclusions;

  /**
   * Compiles the patterns. Each is trimmed and cleaned; empty ones are skipped.
   *
   * @throws SlimbuildException for a lone {@code !} or a malformed pattern
   */
  public PatternMatcher(List<String> patterns) {
    List<IgnorePattern> compiled = new ArrayList<>();
    boolean anyExclusion = false;
    for (String raw : patterns) {
      String p = Text.trimSpace(raw);
      if (p.isEmpty()) {
        continue;
      }
      p = GoPaths.clean(p);
      boolean exclusion = false;
      if (p.charAt(0) == '!') {
        if (p.length() == 1) {
          throw new SlimbuildException("illegal exclusion pattern: \"!\"");
        }
        exclusion = true;
        anyExclusion = true;
        p = p.substring(1);
      }
      if (!GoGlob.isValid(p)) {
        throw new SlimbuildException("syntax error in pattern \"" + p + "\"");
      }
      compiled.add(IgnorePattern.compile(p, exclusion));
    }
    this.patterns = List.copyOf(compiled);
    this.exclusions = anyExclusion;
  }

  /** Whether any pattern is a {@code !} exception. */
  boolean hasExclusions() {
    return exclusions;
  }

  /** The compiled patterns, in order. */
  public List<IgnorePattern> patterns() {
    return patterns;
  }

  /**
   * Whether {@code path} (relative, {@code /}-separated, clean) is matched, checking each pattern
   * against the path and against each of its parent directories (Docker's MatchesOrParentMatches).
   */
  public boolean matches(String path) {
    List<String> parents = parentDirs(path);
    boolean matched = false;
    for (IgnorePattern pattern : patterns) {
      if (pattern.exclusion() != matched) {
        continue; // cannot change the outcome
      }
      boolean match = pattern.matches(path);
      for (int i = 0; i < parents.size() && !match; i++) {
        match = pattern.matches(parents.get(i));
      }
      if (match) {
        matched = !pattern.exclusion();
      }
    }
    return matched;
  }

  /** The parent directories of {@code path}, outermost first ({@code a}, {@code a/b} for a/b/c). */
  private static List<String> parentDirs(String path) {
    String parent = GoPaths.dir(path);
    if (parent.equals(".")) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    int slash = parent.indexOf('/');
    while (slash >= 0) {
      out.add(parent.substring(0, slash));
      slash = parent.indexOf('/', slash + 1);
    }
    out.add(parent);
    return out;
  }

  /**
   * The result for one path of a tree walk, and what its children need: which patterns matched the
   * path or one of its parents.
   */
  record WalkMatch(boolean matched, boolean[] patternMatched) {}

  /**
   * Matching during a walk from the root, reusing the parent directory's result (BuildKit's
   * MatchesUsingParentResults); {@code parent} is null for an entry of the root directory.
   */
  WalkMatch matchesUsingParent(String path, WalkMatch parent) {
    boolean[] info = new boolean[patterns.size()];
    boolean matched = false;
    for (int i = 0; i < patterns.size(); i++) {
      IgnorePattern pattern = patterns.get(i);
      boolean match = parent != null && parent.patternMatched()[i];
      if (!match) {
        if (pattern.exclusion() != matched) {
          continue;
        }
        match = pattern.matches(path);
      }
      info[i] = match;
      if (match) {
        matched = !pattern.exclusion();
      }
    }
    return new WalkMatch(matched, info);
  }

  /** One compiled pattern. */
  public static final class IgnorePattern {
    enum Type {
      EXACT,
      PREFIX,
      SUFFIX,
      REGEXP
    }

    private final String cleaned;
    private final boolean exclusion;
    private final Type type;
    private final String goRegex;
    private final Pattern regex;
    // PREFIX: the pattern without its trailing "**"; SUFFIX: without its leading "**"
    private final String fixed;
    // SUFFIX starting with "/": the path equal to the rest also matches ("**/a" matches "a")
    private final String whole;

    private IgnorePattern(
        String cleaned, boolean exclusion, Type type, String goRegex, Pattern regex) {
      this.cleaned = cleaned;
      this.exclusion = exclusion;
      this.type = type;
      this.goRegex = goRegex;
      this.regex = regex;
      this.fixed =
          switch (type) {
            case PREFIX -> cleaned.substring(0, cleaned.length() - 2);
            case SUFFIX -> cleaned.substring(2);
            default -> null;
          };
      this.whole = type == Type.SUFFIX && fixed.startsWith("/") ? fixed.substring(1) : null;
    }

    /** The cleaned pattern without its {@code !}. */
    public String pattern() {
      return cleaned;
    }

    /** Whether this is a {@code !} exception. */
    boolean exclusion() {
      return exclusion;
    }

    Type type() {
      return type;
    }

    /** The regular expression in Go's syntax, as Docker builds it ("" unless REGEXP). */
    String goRegex() {
      return goRegex;
    }

    @Override
    public String toString() {
      return (exclusion ? "!" : "") + cleaned;
    }

    boolean matches(String path) {
      return switch (type) {
        case EXACT -> path.equals(cleaned);
        case PREFIX -> path.startsWith(fixed);
        case SUFFIX -> path.endsWith(fixed) || path.equals(whole);
        case REGEXP -> regex.matcher(path).matches();
      };
    }

    /**
     * Docker's translation: {@code *} to {@code [^/]*}, {@code ?} to {@code [^/]}, {@code **} to an
     * optional run of directories (or anything at the end), {@code \x} kept as a regex escape,
     * brackets passed through; plain patterns, {@code dir/**} and a leading {@code **} avoid
     * regexes.
     */
    static IgnorePattern compile(String pattern, boolean exclusion) {
      StringBuilder re = new StringBuilder("^");
      Type type = Type.EXACT;
      int[] cps = pattern.codePoints().toArray();
      int pos = 0;
      for (int i = 0; pos < cps.length; i++) {
        int ch = cps[pos++];
        if (ch == '*') {
          if (pos < cps.length && cps[pos] == '*') {
            pos++;
            if (pos < cps.length && cps[pos] == '/') {
              pos++; // "**/" is treated as "**"
            }
            if (pos == cps.length) {
              if (type == Type.EXACT) {
                type = Type.PREFIX;
              } else {
                re.append(".*");
                type = Type.REGEXP;
              }
            } else {
              re.append("(.*/)?");
              type = Type.REGEXP;
            }
            if (i == 0) {
              type = Type.SUFFIX;
            }
          } else {
            re.append("[^/]*");
            type = Type.REGEXP;
          }
        } else if (ch == '?') {
          re.append("[^/]");
          type = Type.REGEXP;
        } else if (".+()|{}$".indexOf(ch) >= 0) {
          re.append('\\').appendCodePoint(ch);
        } else if (ch == '\\') {
          if (pos < cps.length) {
            re.append('\\').appendCodePoint(cps[pos++]);
            type = Type.REGEXP;
          } else {
            re.append('\\');
          }
        } else if (ch == '[' || ch == ']') {
          re.appendCodePoint(ch);
          type = Type.REGEXP;
        } else {
          re.appendCodePoint(ch);
        }
      }
      if (type != Type.REGEXP) {
        return new IgnorePattern(pattern, exclusion, type, "", null);
      }
      re.append('$');
      String goRegex = re.toString();
      Pattern compiled;
      try {
        compiled = Pattern.compile(GoRegex.toJava(goRegex));
      } catch (IllegalArgumentException e) { // includes PatternSyntaxException
        throw new SlimbuildException("syntax error in pattern \"" + pattern + "\"");
      }
      return new IgnorePattern(pattern, exclusion, type, goRegex, compiled);
    }
  }
}
