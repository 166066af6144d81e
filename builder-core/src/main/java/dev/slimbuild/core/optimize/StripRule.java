package dev.slimbuild.core.optimize;

import java.util.List;
import java.util.Objects;

/**
 * A named cache-stripping rule: paths a layer the build creates should not carry.
 *
 * @param name how reports and {@code --keep NAME} refer to the rule
 * @param patterns absolute patterns; a leading {@code ~/} is the stage user's home directory
 * @param runOnly whether the rule applies only to layers made by RUN
 * @param why one line for the documentation table
 */
record StripRule(String name, List<String> patterns, boolean runOnly, String why) {
  public StripRule {
    Objects.requireNonNull(name, "name");
    patterns = List.copyOf(patterns);
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("rule " + name + " has no pattern");
    }
    for (String p : patterns) {
      if (!p.startsWith("/") && !p.startsWith("~/")) {
        throw new IllegalArgumentException("strip pattern '" + p + "' must start with / or ~/");
      }
    }
    Objects.requireNonNull(why, "why");
  }
}
