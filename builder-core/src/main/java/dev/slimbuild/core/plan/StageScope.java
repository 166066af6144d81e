package dev.slimbuild.core.plan;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.ArgInstruction;
import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.KeyValue;
import dev.slimbuild.core.dockerfile.shell.ShellLex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The variables one stage's instructions see, as Docker scopes them: the base image's ENV, then
 * each ARG the stage declares (a {@code --build-arg} wins over the default; an ARG without either
 * takes the global ARG of that name) and each ENV, in order, the later replacing the earlier. ARGs
 * are visible to later instructions but not persisted into the image.
 */
public final class StageScope {
  /** BuildKit expands here-documents with a backslash escape, whatever the escape directive. */
  private static final ShellLex HEREDOC_LEX = new ShellLex('\\');

  private final BuildPlan plan;
  private final ShellLex lex;
  private final Map<String, String> vars = new LinkedHashMap<>();
  private final Map<String, String> args = new LinkedHashMap<>();

  /** A scope for a stage whose base image sets {@code baseEnv} ({@code KEY=VALUE} strings). */
  public StageScope(BuildPlan plan, List<String> baseEnv) {
    this.plan = plan;
    this.lex = new ShellLex(plan.dockerfile().directives().escape());
    for (String kv : baseEnv) {
      int eq = kv.indexOf('=');
      vars.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
    }
  }

  /**
   * Declares the ARGs of one instruction and returns what its history entry records: {@code
   * NAME=value} or {@code NAME} for each.
   */
  public List<String> declare(ArgInstruction instruction) {
    List<String> recorded = new ArrayList<>();
    for (ArgInstruction.Arg a : instruction.args()) {
      String value = plan.buildArgs().get(a.name());
      if (value == null && a.defaultValue().isPresent()) {
        value = word(a.defaultValue().get(), instruction);
      }
      if (value == null) {
        value = plan.globalArgs().get(a.name());
      }
      if (value != null) {
        vars.put(a.name(), value);
        args.put(a.name(), value);
        recorded.add(a.name() + "=" + value);
      } else {
        recorded.add(a.name());
      }
    }
    return recorded;
  }

  /**
   * The pairs of one ENV, keys and values expanded, every one with the variables from before the
   * instruction (as Docker and BuildKit expand: {@code ENV a=two b=$a} sets {@code b} to the
   * earlier {@code a}); nothing is set: pass each pair to {@link #env} afterwards.
   */
  public List<KeyValue> expandEnv(EnvInstruction instruction) {
    List<KeyValue> out = new ArrayList<>();
    for (KeyValue kv : instruction.pairs()) {
      out.add(
          new KeyValue(word(kv.key(), instruction), word(kv.value(), instruction), kv.legacy()));
    }
    return out;
  }

  /** Sets an ENV variable (after expanding nothing: pass the expanded value). */
  public void env(String key, String value) {
    vars.put(key, value);
  }

  /** Expands one word (quotes removed) for {@code where}; errors carry its line. */
  public String word(String word, Instruction where) {
    try {
      return lex.processWord(word, vars);
    } catch (SlimbuildException e) {
      throw where.location().error(e.getMessage());
    }
  }

  /**
   * Expands the body of a COPY/ADD here-document for {@code where} as BuildKit does: variables and
   * backslash escapes, quotes kept as they are (the caller skips a quoted {@code <<'EOF'}).
   */
  public String heredoc(String body, Instruction where) {
    try {
      return HEREDOC_LEX.processHeredoc(body, vars);
    } catch (SlimbuildException e) {
      throw where.location().error(e.getMessage());
    }
  }

  /** Expands and splits into words for {@code where}; errors carry its line. */
  public List<String> words(String word, Instruction where) {
    try {
      return lex.processWords(word, vars);
    } catch (SlimbuildException e) {
      throw where.location().error(e.getMessage());
    }
  }

  /** All variables visible now (base ENV, ARGs, ENVs), for expansion and RUN's environment. */
  /** The proxy build args BuildKit passes to every RUN without an ARG (llb.ProxyEnv). */
  private static final List<String> PROXY_ARGS =
      List.of("http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy");

  /**
   * What BuildKit adds to every RUN's environment from the proxy build args given with {@code
   * --build-arg} (declared by an ARG or not), whatever their case: {@code HTTP_PROXY=v} and {@code
   * http_proxy=v} for each, after the stage's variables. They are not the stage's variables: no
   * other instruction expands them, and neither the image's config nor its history records them.
   */
  public List<String> proxyEnv() {
    List<String> out = new ArrayList<>();
    Map<String, String> byName = new LinkedHashMap<>();
    for (String k : new TreeSet<>(plan.buildArgs().keySet())) {
      String lower = k.toLowerCase(Locale.ROOT);
      if (PROXY_ARGS.contains(lower)) {
        byName.put(lower, plan.buildArgs().get(k)); // sorted: http_proxy wins over HTTP_PROXY
      }
    }
    for (String name : PROXY_ARGS) {
      String v = byName.get(name);
      if (v != null && !v.isEmpty()) {
        out.add(name.toUpperCase(Locale.ROOT) + "=" + v);
        out.add(name + "=" + v);
      }
    }
    return out;
  }

  public Map<String, String> vars() {
    return Collections.unmodifiableMap(vars);
  }

  /**
   * The ARGs declared so far with a value, in order (RUN sees them; the image does not keep them).
   */
  public Map<String, String> args() {
    return Collections.unmodifiableMap(args);
  }
}
