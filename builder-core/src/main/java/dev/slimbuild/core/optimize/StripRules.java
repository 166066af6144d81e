package dev.slimbuild.core.optimize;

import dev.slimbuild.core.SlimbuildException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cache-stripping rules in force for a build: the default table (minus rules named by {@code
 * --keep}), plus {@code --strip} patterns, minus paths matched by {@code --keep} patterns.
 */
public final class StripRules {
  /** The default table, in the order docs/optimisation.md documents it. */
  static final List<StripRule> DEFAULTS =
      List.of(
          new StripRule("apk", List.of("/var/cache/apk/*"), false, "Alpine package cache"),
          new StripRule(
              "apt",
              List.of(
                  "/var/lib/apt/lists/*", "/var/cache/apt/*.bin", "/var/cache/apt/archives/*.deb"),
              false,
              "APT package lists, pkgcache/srcpkgcache, downloaded .deb files"),
          new StripRule(
              "debconf",
              List.of("/var/cache/debconf/*-old"),
              false,
              "debconf's backup copies of its databases"),
          new StripRule("pip", List.of("~/.cache/pip"), false, "pip's wheel and HTTP cache"),
          new StripRule("npm", List.of("~/.npm/_cacache"), false, "npm's content cache"),
          new StripRule(
              "yarn",
              List.of("~/.cache/yarn", "/usr/local/share/.cache/yarn"),
              false,
              "Yarn's package cache (per user, and the global one of the official images)"),
          new StripRule("go-build", List.of("~/.cache/go-build"), false, "Go's build cache"),
          new StripRule(
              "pycache",
              List.of("/**/__pycache__"),
              false,
              "Python bytecode caches (regenerated on import)"),
          new StripRule(
              "node-modules-cache",
              List.of("/**/node_modules/.cache"),
              false,
              "caches of build tools (babel, webpack, eslint) inside node_modules"),
          new StripRule(
              "tmp",
              List.of("/tmp/*", "/var/tmp/*"),
              true,
              "temporary files, in layers made by RUN only"));

  private final List<StripRule> rules;
  private final List<String> keep;

  private StripRules(List<StripRule> rules, List<String> keep) {
    this.rules = List.copyOf(rules);
    this.keep = List.copyOf(keep);
  }

  /** No rules at all ({@code --no-strip}). */
  public static StripRules none() {
    return new StripRules(List.of(), List.of());
  }

  /**
   * The defaults, with {@code keep} entries that name a rule removing that rule and the others kept
   * as path patterns, and each {@code strip} pattern added as a rule named after itself.
   */
  public static StripRules of(List<String> keep, List<String> strip) {
    List<StripRule> rules = new ArrayList<>();
    List<String> keepPatterns = new ArrayList<>();
    for (String k : keep) {
      if (!k.startsWith("/") && !k.startsWith("~/")) {
        if (DEFAULTS.stream().noneMatch(r -> r.name().equals(k))) {
          throw new SlimbuildException(
              "--keep '"
                  + k
                  + "': expected a rule name ("
                  + String.join(", ", DEFAULTS.stream().map(StripRule::name).toList())
                  + ") or a pattern starting with / or ~/");
        }
      } else {
        keepPatterns.add(k);
      }
    }
    for (StripRule r : DEFAULTS) {
      if (!keep.contains(r.name())) {
        rules.add(r);
      }
    }
    for (String s : strip) {
      if (!s.startsWith("/") && !s.startsWith("~/")) {
        throw new SlimbuildException("--strip '" + s + "': a pattern starts with / or ~/");
      }
      rules.add(new StripRule(s, List.of(s), false, "--strip"));
    }
    return new StripRules(rules, keepPatterns);
  }

  /** The rules in force. */
  public List<StripRule> rules() {
    return rules;
  }

  /** What these rules strip, as a string that is equal for equal rules (for cache keys). */
  public String signature() {
    return rules + " keep " + keep;
  }

  /** Whether no rule is in force. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * The rules compiled for one layer: {@code home} resolves {@code ~/} (rules using it are skipped
   * when null); {@code runLayer} enables the RUN-only rules.
   */
  Matcher matcher(String home, boolean runLayer) {
    List<StripRule> names = new ArrayList<>();
    List<PathGlob> globs = new ArrayList<>();
    for (StripRule r : rules) {
      if (r.runOnly() && !runLayer) {
        continue;
      }
      for (String p : r.patterns()) {
        Optional<String> abs = resolve(p, home);
        if (abs.isPresent()) {
          names.add(r);
          globs.add(PathGlob.of(abs.get()));
        }
      }
    }
    List<PathGlob> keeps = new ArrayList<>();
    for (String k : keep) {
      resolve(k, home).ifPresent(a -> keeps.add(PathGlob.of(a)));
    }
    return new Matcher(names, globs, keeps);
  }

  private static Optional<String> resolve(String pattern, String home) {
    if (pattern.startsWith("~/")) {
      if (home == null) {
        return Optional.empty();
      }
      String h = home.endsWith("/") ? home.substring(0, home.length() - 1) : home;
      return Optional.of(h + pattern.substring(1));
    }
    return Optional.of(pattern);
  }

  /** The rules of one layer. */
  static final class Matcher {
    private final List<StripRule> rules;
    private final List<PathGlob> globs;
    private final List<PathGlob> keeps;

    private Matcher(List<StripRule> rules, List<PathGlob> globs, List<PathGlob> keeps) {
      this.rules = rules;
      this.globs = globs;
      this.keeps = keeps;
    }

    /** The rule that strips the layer path {@code path}, if any (none when a keep matches). */
    Optional<StripRule> match(String path) {
      for (int i = 0; i < globs.size(); i++) {
        if (globs.get(i).matchesOrUnder(path)) {
          for (PathGlob k : keeps) {
            if (k.matchesOrUnder(path)) {
              return Optional.empty();
            }
          }
          return Optional.of(rules.get(i));
        }
      }
      return Optional.empty();
    }
  }
}
