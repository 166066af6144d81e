package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.util.OptionalInt;

/**
 * Resolves {@code --chown=USER[:GROUP]} against an image's {@code /etc/passwd} and {@code
 * /etc/group} (passed as text, or null when the image has none). Numbers are taken as they are; a
 * numeric user alone also sets the group to the same number, and a user name alone takes its
 * primary group, as BuildKit does. The name {@code root} is uid/gid 0 also when the image's files
 * do not list it (an image without {@code /etc/passwd}: {@code USER root} then {@code WORKDIR});
 * BuildKit takes 0 for any name it cannot find, slimbuild refuses other unknown names.
 */
final class UserDb {
  /** A resolved owner. */
  record Owner(int uid, int gid) {}

  private final String passwd;
  private final String group;

  UserDb(String passwd, String group) {
    this.passwd = passwd;
    this.group = group;
  }

  Owner resolve(String chown) {
    int colon = chown.indexOf(':');
    String user = colon < 0 ? chown : chown.substring(0, colon);
    String grp = colon < 0 ? null : chown.substring(colon + 1);
    if (user.isEmpty()) {
      throw new SlimbuildException("invalid --chown '" + chown + "': empty user");
    }
    int uid;
    int gid;
    OptionalInt numericUser = number(user);
    if (numericUser.isPresent()) {
      uid = numericUser.getAsInt();
      gid = uid;
    } else {
      String[] entry = lookup(passwd, user);
      if (entry == null && user.equals("root")) {
        uid = 0;
        gid = 0;
      } else {
        entry = find(passwd, user, "passwd", chown);
        uid = field(entry, 2, chown);
        gid = field(entry, 3, chown);
      }
    }
    if (grp != null) {
      if (grp.isEmpty()) {
        throw new SlimbuildException("invalid --chown '" + chown + "': empty group");
      }
      OptionalInt numericGroup = number(grp);
      if (numericGroup.isPresent()) {
        gid = numericGroup.getAsInt();
      } else if (lookup(group, grp) == null && grp.equals("root")) {
        gid = 0;
      } else {
        gid = field(find(group, grp, "group", chown), 2, chown);
      }
    }
    return new Owner(uid, gid);
  }

  private static OptionalInt number(String s) {
    if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(s));
    } catch (NumberFormatException e) {
      throw new SlimbuildException("invalid --chown: id " + s + " is too large");
    }
  }

  /** The entry of {@code name} in {@code db}, or null. */
  private static String[] lookup(String db, String name) {
    if (db != null) {
      for (String line : db.split("\n", -1)) {
        String[] f = line.split(":", -1);
        if (f.length >= 3 && f[0].equals(name)) {
          return f;
        }
      }
    }
    return null;
  }

  private static String[] find(String db, String name, String file, String chown) {
    String[] entry = lookup(db, name);
    if (entry != null) {
      return entry;
    }
    throw new SlimbuildException(
        "unable to resolve --chown="
            + chown
            + ": no "
            + (file.equals("passwd") ? "user" : "group")
            + " '"
            + name
            + "' in the image's /etc/"
            + file
            + (db == null ? " (the image has no /etc/" + file + ")" : ""));
  }

  private static int field(String[] entry, int i, String chown) {
    if (entry.length <= i) {
      throw new SlimbuildException("unable to resolve --chown=" + chown + ": malformed entry");
    }
    OptionalInt n = number(entry[i].trim());
    if (n.isEmpty()) {
      throw new SlimbuildException(
          "unable to resolve --chown=" + chown + ": malformed id '" + entry[i] + "'");
    }
    return n.getAsInt();
  }
}
