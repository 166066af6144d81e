package dev.slimbuild.core.build;

import dev.slimbuild.core.Csv;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.dockerfile.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One {@code RUN --mount=...} flag, parsed as BuildKit reads it: comma-separated {@code key=value}
 * fields (a field may be double-quoted), {@code type} bind by default, {@code target} (or {@code
 * dst}, {@code destination}) required but for secrets and ssh. Bind mounts are read-only unless
 * {@code rw}; cache mounts are writable unless {@code ro}.
 *
 * <p>A secret's id is its {@code source} if given, else its {@code id}, else the base name of its
 * target; its target defaults to {@code /run/secrets/ID} unless {@code env=NAME} asks for the value
 * as an environment variable only (with a target, as both); mode 0400. An ssh mount's id defaults
 * to {@code default}, its target (null here) to {@code /run/buildkit/ssh_agent.N} for the N-th ssh
 * mount of the RUN ({@link #withSshTargets}); mode 0600. Both are skipped when the build was not
 * given them, unless {@code required}.
 */
record RunMountSpec(
    Type type,
    String target,
    String source,
    Optional<String> from,
    boolean readOnly,
    String id,
    Sharing sharing,
    int uid,
    int gid,
    int mode,
    boolean required,
    Optional<String> env) {

  /** The mount types. */
  enum Type {
    BIND,
    CACHE,
    TMPFS,
    SECRET,
    SSH
  }

  /** How concurrent builds share one cache directory. */
  enum Sharing {
    SHARED,
    PRIVATE,
    LOCKED
  }

  /** The keys a mount accepts, for "did you mean". */
  private static final List<String> KEYS =
      List.of(
          "type",
          "target",
          "dst",
          "destination",
          "source",
          "src",
          "from",
          "ro",
          "readonly",
          "rw",
          "readwrite",
          "id",
          "sharing",
          "uid",
          "gid",
          "mode",
          "required",
          "size",
          "env");

  /** Parses one flag value; {@code expand} expands each field's value with the stage's vars. */
  static RunMountSpec parse(String raw, UnaryOperator<String> expand) {
    Type type = Type.BIND;
    String target = null;
    String source = null;
    String from = null;
    Boolean readOnly = null;
    String id = null;
    Sharing sharing = Sharing.SHARED;
    int uid = 0;
    int gid = 0;
    Integer mode = null;
    boolean required = false;
    String env = null;
    for (String field : fields(raw)) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? null : expand.apply(field.substring(eq + 1));
      switch (key) {
        case "type" -> type = type(need(key, value));
        case "target", "dst", "destination" -> target = need(key, value);
        case "source", "src" -> source = need(key, value);
        case "from" -> from = need(key, value);
        case "ro", "readonly" -> readOnly = value == null || bool(key, value);
        case "rw", "readwrite" -> readOnly = !(value == null || bool(key, value));
        case "id" -> id = need(key, value);
        case "sharing" -> sharing = sharing(need(key, value));
        case "uid" -> uid = number(key, need(key, value), 10);
        case "gid" -> gid = number(key, need(key, value), 10);
        case "mode" -> mode = number(key, need(key, value), 8);
        case "required" -> required = value == null || bool(key, value);
        case "env" -> env = need(key, value);
        case "size" -> {
          // accepted: a tmpfs's size is not enforced
        }
        default -> {
          String match = Text.suggest(key, KEYS);
          throw new SlimbuildException(
              "unexpected key '"
                  + key
                  + "' in '"
                  + raw
                  + "'"
                  + (match == null ? "" : " (did you mean " + match + "?)"));
        }
      }
    }
    if (type == Type.SECRET) {
      // BuildKit's dispatchSecret: the source names the secret, else the id, else the target
      if (source != null && !source.isEmpty()) {
        id = source;
      }
      if (id == null || id.isEmpty()) {
        if (target == null || target.isEmpty()) {
          throw new SlimbuildException("RUN --mount=" + raw + ": a secret needs an id or a target");
        }
        id = target.substring(target.lastIndexOf('/') + 1);
      }
      if ((target == null || target.isEmpty()) && env == null) {
        target = "/run/secrets/" + id.substring(id.lastIndexOf('/') + 1);
      }
      return new RunMountSpec(
          type,
          target == null || target.isEmpty() ? null : target,
          null,
          Optional.empty(),
          true,
          id,
          sharing,
          uid,
          gid,
          mode == null ? 0400 : mode,
          required,
          Optional.ofNullable(env));
    }
    if (type == Type.SSH) {
      if (source != null) {
        throw new SlimbuildException("RUN --mount=" + raw + ": an ssh mount takes no source");
      }
      return new RunMountSpec(
          type,
          target == null || target.isEmpty() ? null : target,
          null,
          Optional.empty(),
          false,
          id == null || id.isEmpty() ? "default" : id,
          sharing,
          uid,
          gid,
          mode == null ? 0600 : mode,
          required,
          Optional.empty());
    }
    if (target == null || target.isEmpty()) {
      throw new SlimbuildException("RUN --mount=" + raw + ": target is required");
    }
    boolean ro = readOnly != null ? readOnly : type == Type.BIND;
    return new RunMountSpec(
        type,
        target,
        source,
        Optional.ofNullable(from),
        ro,
        id,
        sharing,
        uid,
        gid,
        mode == null ? 0755 : mode,
        required,
        Optional.empty());
  }

  /**
   * {@code mounts} with each ssh mount that has no target given BuildKit's default, {@code
   * /run/buildkit/ssh_agent.N}, N counting the RUN's ssh mounts from 0.
   */
  static List<RunMountSpec> withSshTargets(List<RunMountSpec> mounts) {
    List<RunMountSpec> out = new ArrayList<>(mounts.size());
    int ssh = 0;
    for (RunMountSpec m : mounts) {
      if (m.type() == Type.SSH) {
        if (m.target() == null) {
          m =
              new RunMountSpec(
                  m.type(),
                  "/run/buildkit/ssh_agent." + ssh,
                  null,
                  m.from(),
                  m.readOnly(),
                  m.id(),
                  m.sharing(),
                  m.uid(),
                  m.gid(),
                  m.mode(),
                  m.required(),
                  m.env());
        }
        ssh++;
      }
      out.add(m);
    }
    return out;
  }

  /** The {@code type=...} name of this mount's type. */
  String typeName() {
    return type.name().toLowerCase(Locale.ROOT);
  }

  private static Type type(String v) {
    try {
      return Type.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      String match =
          Text.suggest(
              v.toLowerCase(Locale.ROOT), List.of("bind", "cache", "tmpfs", "secret", "ssh"));
      throw new SlimbuildException(
          "unsupported mount type \""
              + v
              + "\" ("
              + (match == null
                  ? "choose bind, cache, tmpfs, secret or ssh"
                  : "did you mean " + match + "?")
              + ")");
    }
  }

  private static Sharing sharing(String v) {
    try {
      return Sharing.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException(
          "unsupported sharing value \"" + v + "\" (choose shared, private or locked)");
    }
  }

  private static String need(String key, String value) {
    if (value == null) {
      throw new SlimbuildException("mount option " + key + " needs a value");
    }
    return value;
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new SlimbuildException("invalid value for " + key + ": " + value);
    };
  }

  private static int number(String key, String value, int radix) {
    try {
      int n = Integer.parseInt(value, radix);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new SlimbuildException("invalid value for " + key + ": " + value);
    }
  }

  /** The non-empty CSV fields of a mount, as BuildKit reads them. */
  static List<String> fields(String raw) {
    List<String> out;
    try {
      out = new ArrayList<>(Csv.fields(raw));
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException("RUN --mount=" + raw + ": " + e.getMessage());
    }
    out.removeIf(String::isEmpty);
    return out;
  }
}
