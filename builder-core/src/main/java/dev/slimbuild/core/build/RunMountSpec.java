package dev.slimbuild.core.build;

import dev.slimbuild.core.Csv;
import dev.slimbuild.core.SlimbuildException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One {@code RUN --mount=...} flag, parsed as BuildKit reads it: comma-separated {@code key=value}
 * fields (a field may be double-quoted), {@code type} bind by default, {@code target} (or {@code
 * dst}, {@code destination}) required. Bind mounts are read-only unless {@code rw}; cache mounts
 * are writable unless {@code ro}.
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
    int mode) {

  /** The mount types; only bind, cache and tmpfs are supported. */
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
  private static final List<String> KEYS = List.of("type", "target", "dst", "destination",
      "source", "src", "from", "ro", "readonly", "rw", "readwrite", "id", "sharing", "uid", "gid",
      "mode", "required", "size", "env");

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
    int mode = 0755;
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
        case "required", "size", "env" -> {
          // accepted: required only matters for secrets and ssh, size is not enforced
        }
        default -> {
          String match = dev.slimbuild.core.dockerfile.Text.suggest(key, KEYS);
          throw new SlimbuildException("unexpected key '" + key + "' in '" + raw + "'"
              + (match == null ? "" : " (did you mean " + match + "?)"));
        }
      }
    }
    if (type == Type.SECRET || type == Type.SSH) {
      throw new SlimbuildException(
          "RUN --mount=type=" + type.name().toLowerCase(Locale.ROOT) + " is not supported yet");
    }
    if (target == null || target.isEmpty()) {
      throw new SlimbuildException("RUN --mount=" + raw + ": target is required");
    }
    boolean ro = readOnly != null ? readOnly : type == Type.BIND;
    return new RunMountSpec(
        type, target, source, Optional.ofNullable(from), ro, id, sharing, uid, gid, mode);
  }

  private static Type type(String v) {
    try {
      return Type.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      String match = dev.slimbuild.core.dockerfile.Text.suggest(
          v.toLowerCase(Locale.ROOT), List.of("bind", "cache", "tmpfs", "secret", "ssh"));
      throw new SlimbuildException("unsupported mount type \"" + v + "\" ("
          + (match == null ? "choose bind, cache or tmpfs" : "did you mean " + match + "?") + ")");
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
