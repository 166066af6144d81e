package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ssh agents a build may forward to its RUNs ({@code --ssh}, buildx's syntax), by id: an
 * agent's socket, or private key files that an ssh-agent started for the build holds ({@link
 * SshAgents}).
 */
public final class SshSources {
  private static final SshSources NONE = new SshSources(Map.of());
  private static final int SOCKET = 0140000;
  private static final int TYPE = 0170000;

  /**
   * One {@code --ssh} source.
   *
   * @param id what {@code RUN --mount=type=ssh,id=} names
   * @param socket an agent's socket, or empty for {@code keys}
   * @param keys private key files, when there is no socket
   */
  public record Source(String id, Optional<Path> socket, List<Path> keys) {
    public Source {
      keys = List.copyOf(keys);
    }
  }

  private final Map<String, Source> byId;

  private SshSources(Map<String, Source> byId) {
    this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
  }

  /** No ssh agent. */
  public static SshSources none() {
    return NONE;
  }

  /**
   * Parses {@code --ssh} values as buildx and BuildKit's ssh provider read them: {@code
   * ID[=PATH[,PATH...]]}, where one path to a socket is an agent and otherwise each path is a
   * private key file; no path (e.g. {@code default}) is {@code $SSH_AUTH_SOCK} of {@code env}.
   * Errors name the flag value and come before any work: a duplicate id, an unset {@code
   * SSH_AUTH_SOCK}, a missing path, a socket among key files.
   */
  public static SshSources parse(List<String> values, Map<String, String> env) {
    Map<String, Source> byId = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      String id = eq < 0 ? v : v.substring(0, eq);
      if (id.isEmpty() || id.contains(",")) {
        throw bad(v, "expected default or ID[=SOCKET|KEY[,KEY...]]");
      }
      if (byId.containsKey(id)) {
        throw bad(v, "a second source for id " + id);
      }
      List<Path> paths = new ArrayList<>();
      if (eq >= 0) {
        for (String p : v.substring(eq + 1).split(",", -1)) {
          if (p.isEmpty()) {
            throw bad(v, "an empty path");
          }
          paths.add(Path.of(p));
        }
      }
      if (paths.isEmpty()) {
        String sock = env.get("SSH_AUTH_SOCK");
        if (sock == null || sock.isEmpty()) {
          throw bad(
              v,
              "SSH_AUTH_SOCK is not set (start an ssh-agent, or give "
                  + id
                  + "=SOCKET or "
                  + id
                  + "=KEYFILE)");
        }
        paths.add(Path.of(sock));
      }
      byId.put(id, source(v, id, paths));
    }
    return new SshSources(byId);
  }

  private static Source source(String flag, String id, List<Path> paths) {
    List<Path> keys = new ArrayList<>();
    for (Path p : paths) {
      int type;
      try {
        type = (Integer) Files.getAttribute(p, "unix:mode") & TYPE;
      } catch (IOException e) {
        throw bad(flag, p + " does not exist");
      }
      if (type == SOCKET) {
        if (paths.size() > 1) {
          throw bad(flag, p + " is a socket: give one agent socket or key files");
        }
        return new Source(id, Optional.of(p.toAbsolutePath()), List.of());
      }
      if (!Files.isRegularFile(p)) {
        throw bad(flag, p + " is neither an agent's socket nor a key file");
      }
      if (!Files.isReadable(p)) {
        throw bad(flag, p + " cannot be read");
      }
      keys.add(p.toAbsolutePath());
    }
    return new Source(id, Optional.empty(), keys);
  }

  private static SlimbuildException bad(String flag, String why) {
    return new SlimbuildException("invalid --ssh '" + flag + "': " + why);
  }

  /** The source {@code id}. */
  public Optional<Source> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The ids the build has. */
  public Set<String> ids() {
    return byId.keySet();
  }

  /** Every source, in the order given. */
  public List<Source> all() {
    return List.copyOf(byId.values());
  }

  @Override
  public String toString() {
    return "SshSources" + byId.keySet();
  }
}
