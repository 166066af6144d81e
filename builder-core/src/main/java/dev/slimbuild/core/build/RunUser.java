package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.util.ArrayList;
import java.util.List;

/**
 * The user a RUN runs as, resolved from {@code USER} against the image's {@code /etc/passwd} and
 * {@code /etc/group} (text, or null when absent) as runc resolves it: a name must exist; a number
 * is taken as it is and takes its primary group from passwd when listed there (else group 0); an
 * explicit group (name or number) wins. {@code home} is the passwd entry's home directory, else
 * {@code /root} for uid 0 and {@code /} for anyone else. {@code groups}, the supplementary groups,
 * are those of the group file that list the passwd entry's name as a member, in the file's order,
 * when no group is given (runc's GetExecUser, which BuildKit uses): none for a number not in passwd
 * or a user with an explicit group.
 */
record RunUser(int uid, int gid, String home, List<Integer> groups) {
  static final RunUser ROOT = new RunUser(0, 0, "/root");

  RunUser {
    groups = List.copyOf(groups);
  }

  /** A user without supplementary groups. */
  RunUser(int uid, int gid, String home) {
    this(uid, gid, home, List.of());
  }

  /**
   * The process's group list as BuildKit gives it (containerd's ensureAdditionalGids): the primary
   * group first unless a supplementary group is already it, then the supplementary groups.
   */
  List<Integer> additionalGids() {
    List<Integer> out = new ArrayList<>();
    if (!groups.contains(gid)) {
      out.add(gid);
    }
    out.addAll(groups);
    return out;
  }

  static RunUser resolve(String user, String passwd, String group) {
    if (user == null || user.isEmpty()) {
      user = "root";
    }
    int colon = user.indexOf(':');
    String name = colon < 0 ? user : user.substring(0, colon);
    String grp = colon < 0 ? null : user.substring(colon + 1);
    Integer numeric = number(name);
    String[] entry = null;
    for (String[] f : entries(passwd)) {
      if (f.length >= 4
          && (numeric == null ? f[0].equals(name) : f[2].trim().equals(numeric.toString()))) {
        entry = f;
        break;
      }
    }
    int uid;
    int gid = 0;
    if (numeric != null) {
      uid = numeric;
    } else if (entry == null) {
      if (name.equals("root")) {
        return grp == null ? ROOT : new RunUser(0, group(grp, group, user), "/root");
      }
      throw new SlimbuildException(
          "unable to find user "
              + name
              + ": no matching entries in passwd file"
              + (passwd == null ? " (the image has no /etc/passwd)" : ""));
    } else {
      uid = id(entry[2], user);
    }
    if (entry != null) {
      gid = id(entry[3], user);
    }
    if (grp != null) {
      gid = group(grp, group, user);
    }
    String home =
        entry != null && entry.length >= 6 && !entry[5].isEmpty()
            ? entry[5]
            : uid == 0 ? "/root" : "/";
    List<Integer> groups = new ArrayList<>();
    if (entry != null && grp == null) {
      for (String[] f : entries(group)) {
        if (f.length >= 4 && List.of(f[3].split(",")).contains(entry[0])) {
          groups.add(id(f[2], user));
        }
      }
    }
    return new RunUser(uid, gid, home, groups);
  }

  private static int group(String grp, String group, String user) {
    Integer n = number(grp);
    if (n != null) {
      return n;
    }
    for (String[] f : entries(group)) {
      if (f.length >= 3 && f[0].equals(grp)) {
        return id(f[2], user);
      }
    }
    throw new SlimbuildException(
        "unable to find group "
            + grp
            + ": no matching entries in group file"
            + (group == null ? " (the image has no /etc/group)" : ""));
  }

  private static List<String[]> entries(String db) {
    List<String[]> out = new ArrayList<>();
    if (db != null) {
      for (String line : db.split("\n", -1)) {
        if (!line.isEmpty() && !line.startsWith("#")) {
          out.add(line.split(":", -1));
        }
      }
    }
    return out;
  }

  private static Integer number(String s) {
    if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new SlimbuildException("invalid user id " + s + ": too large");
    }
  }

  private static int id(String s, String user) {
    Integer n = number(s.trim());
    if (n == null) {
      throw new SlimbuildException("unable to resolve USER " + user + ": malformed id '" + s + "'");
    }
    return n;
  }
}
