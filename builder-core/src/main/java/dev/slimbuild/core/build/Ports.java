package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * EXPOSE port specs as Docker reads them: {@code PORT[/PROTO]} or {@code START-END[/PROTO]}; the
 * protocol defaults to tcp. An optional {@code [ip:][hostPort:]} prefix is accepted and dropped, as
 * a Dockerfile cannot publish ports.
 */
final class Ports {
  private static final int MAX_RANGE = 65535;

  private Ports() {}

  /** Expands one spec into {@code port/proto} keys, e.g. {@code 80-81/udp} → 80/udp, 81/udp. */
  static List<String> parse(String spec) {
    String rest = spec;
    String proto = "tcp";
    int slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      proto = rest.substring(slash + 1).toLowerCase(Locale.ROOT);
      rest = rest.substring(0, slash);
      if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
        throw new SlimbuildException("invalid proto '" + proto + "' in port spec '" + spec + "'");
      }
    }
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      rest = rest.substring(colon + 1);
    }
    int dash = rest.indexOf('-');
    int start = port(dash < 0 ? rest : rest.substring(0, dash), spec);
    int end = dash < 0 ? start : port(rest.substring(dash + 1), spec);
    if (end < start) {
      throw new SlimbuildException("invalid port range '" + spec + "': end before start");
    }
    List<String> out = new ArrayList<>(end - start + 1);
    for (int p = start; p <= end; p++) {
      out.add(p + "/" + proto);
    }
    return out;
  }

  private static int port(String s, String spec) {
    try {
      int p = Integer.parseInt(s);
      if (p < 0 || p > MAX_RANGE) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new SlimbuildException("invalid port '" + s + "' in port spec '" + spec + "'");
    }
  }
}
