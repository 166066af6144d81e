package dev.slimbuild.core.dockerfile;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A here-document attached to RUN, COPY or ADD ({@code <<EOF}, {@code <<-EOF}, {@code <<"EOF"}).
 *
 * @param name the delimiter word, quotes removed
 * @param content the body lines exactly as written, each with its line ending
 * @param expand false when the delimiter was quoted: the body must not be expanded
 * @param chomp true for {@code <<-}: leading tabs are stripped from the body
 * @param fileDescriptor the digits before {@code <<} (0 when none)
 */
public record Heredoc(
    String name, String content, boolean expand, boolean chomp, int fileDescriptor) {
  private static final Pattern LEADING_TABS = Pattern.compile("(?md)^\t+");

  public Heredoc {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
  }

  /**
   * The heredoc that {@code word} opens when the whole word is one ({@code <<EOF}, {@code
   * <<-"EOF"}, {@code 3<<EOF}), with empty content; empty when it is not one or does not lex (as
   * BuildKit's {@code MustParseHeredoc}, which drops the error).
   */
  public static Optional<Heredoc> ofWord(String word) {
    try {
      return Optional.ofNullable(Heredocs.parse(word));
    } catch (SyntaxError e) {
      return Optional.empty();
    }
  }

  /** The body as the instruction uses it: leading tabs removed from each line if {@link #chomp}. */
  public String text() {
    return chomp ? LEADING_TABS.matcher(content).replaceAll("") : content;
  }

  Heredoc withContent(String newContent) {
    return new Heredoc(name, newContent, expand, chomp, fileDescriptor);
  }
}
