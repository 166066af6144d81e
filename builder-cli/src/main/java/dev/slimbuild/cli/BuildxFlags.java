package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.build.RunOptions;
import dev.slimbuild.core.optimize.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * buildx's flags that have no daemon behind them here: checked as buildx checks them, then mapped
 * to what they mean for slimbuild (or accepted, with what they mean stated in the help and the
 * docs/coming-from-buildx-kaniko.md).
 */
final class BuildxFlags {
  private BuildxFlags() {}

  /** {@code --annotation} values by where they go. */
  record Annotations(
      Map<String, String> manifest, Map<String, String> index, Map<String, String> descriptor) {
    boolean needsIndex() {
      return !index.isEmpty() || !descriptor.isEmpty();
    }
  }

  /** Parses {@code [index:|manifest:|manifest-descriptor:]KEY=VALUE} values. */
  static Annotations annotations(List<String> values) {
    Map<String, String> manifest = new LinkedHashMap<>();
    Map<String, String> index = new LinkedHashMap<>();
    Map<String, String> descriptor = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new SlimbuildException("invalid --annotation '" + v + "': expected [TYPE:]KEY=VALUE");
      }
      String key = v.substring(0, eq);
      String value = v.substring(eq + 1);
      Map<String, String> into = manifest;
      int colon = key.indexOf(':');
      if (colon >= 0) {
        String type = key.substring(0, colon);
        if (type.contains("[")) {
          throw new SlimbuildException(
              "invalid --annotation '"
                  + v
                  + "': per-platform annotations (TYPE[PLATFORM]:) are not supported");
        }
        into =
            switch (type) {
              case "manifest" -> manifest;
              case "index" -> index;
              case "manifest-descriptor" -> descriptor;
              default ->
                  throw new SlimbuildException(
                      "invalid --annotation '"
                          + v
                          + "': unknown type '"
                          + type
                          + "' (expected index, manifest or manifest-descriptor)");
            };
        key = key.substring(colon + 1);
        if (key.isEmpty()) {
          throw new SlimbuildException("invalid --annotation '" + v + "': empty key");
        }
      }
      into.put(key, value);
    }
    return new Annotations(manifest, index, descriptor);
  }

  /** {@code --network}: the network of RUNs without their own. */
  static String network(String n) {
    if (!RunOptions.NETWORK_MODES.contains(n)) {
      throw new SlimbuildException("invalid --network '" + n + "': expected default, none or host");
    }
    return n;
  }

  /** {@code --add-host HOST:IP} (or {@code HOST=IP}): checked, as {@code HOST:IP}. */
  static List<String> addHosts(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      int sep = v.indexOf('=');
      if (sep < 0) {
        sep = v.indexOf(':');
      }
      String host = sep < 0 ? "" : v.substring(0, sep);
      String ip = sep < 0 ? "" : v.substring(sep + 1);
      if (ip.startsWith("[") && ip.endsWith("]")) {
        ip = ip.substring(1, ip.length() - 1);
      }
      if (host.isEmpty() || !host.matches("[A-Za-z0-9._-]+")) {
        throw new SlimbuildException("invalid --add-host '" + v + "': expected HOST:IP");
      }
      if (ip.equals("host-gateway")) {
        throw new SlimbuildException(
            "invalid --add-host '"
                + v
                + "': host-gateway needs a daemon's gateway; give the address");
      }
      if (!isIpLiteral(ip)) {
        throw new SlimbuildException(
            "invalid --add-host '" + v + "': '" + ip + "' is not an IP address");
      }
      out.add(host + ":" + ip);
    }
    return out;
  }

  private static boolean isIpLiteral(String ip) {
    if (ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String part : ip.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    return ip.contains(":") && ip.matches("[0-9A-Fa-f:.]+");
  }

  private static final Set<String> ULIMITS =
      Set.of(
          "core",
          "cpu",
          "data",
          "fsize",
          "locks",
          "memlock",
          "msgqueue",
          "nice",
          "nofile",
          "nproc",
          "rss",
          "rtprio",
          "rttime",
          "sigpending",
          "stack");

  /** Checks {@code --shm-size}, {@code --ulimit} and {@code --allow}, which change nothing. */
  static void checkAccepted(String shmSize, List<String> ulimits, List<String> allow) {
    if (shmSize != null) {
      try {
        Sizes.parse(shmSize);
      } catch (RuntimeException e) {
        throw new SlimbuildException("invalid --shm-size '" + shmSize + "': expected a size");
      }
    }
    for (String u : ulimits) {
      if (!u.matches("[a-z]+=-?\\d+(:-?\\d+)?")
          || !ULIMITS.contains(u.substring(0, u.indexOf('=')))) {
        throw new SlimbuildException(
            "invalid --ulimit '"
                + u
                + "': expected NAME=SOFT[:HARD]"
                + " with NAME one of "
                + new TreeSet<>(ULIMITS));
      }
    }
    for (String a : allow) {
      if (!a.equals("network.host") && !a.equals("security.insecure")) {
        throw new SlimbuildException(
            "invalid --allow '" + a + "': expected network.host or security.insecure");
      }
    }
  }
}
