package dev.slimbuild.core.optimize;

/** The home directory of an image user, from the image's {@code /etc/passwd}. */
public final class Homes {
  private Homes() {}

  /**
   * The home of {@code user} ({@code NAME}, {@code UID}, either with {@code :GROUP}; null or empty
   * for root) by {@code passwd} (null when the image has none): its passwd entry's home, {@code
   * /root} for root without one, else null (rules using {@code ~/} then do not apply).
   */
  public static String of(String passwd, String user) {
    String u = user == null ? "" : user;
    int colon = u.indexOf(':');
    if (colon >= 0) {
      u = u.substring(0, colon);
    }
    boolean root = u.isEmpty() || u.equals("root") || u.equals("0");
    if (passwd != null) {
      for (String line : passwd.split("\n")) {
        String[] f = line.split(":", -1);
        if (f.length >= 6
            && !f[5].isEmpty()
            && (f[0].equals(u) || f[2].equals(u) || (u.isEmpty() && f[2].equals("0")))) {
          return f[5];
        }
      }
    }
    return root ? "/root" : null;
  }
}
