package dev.slimbuild.core.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which HTTP proxy a request goes through, from the environment as Go programs (docker, buildah,
 * kaniko) read it: {@code HTTPS_PROXY} for https, {@code HTTP_PROXY} for http (upper case first,
 * then lower case), never for localhost or a loopback address, and not for hosts {@code NO_PROXY}
 * names: {@code *}, a host or domain (also its subdomains; a leading dot too), an IP address or
 * CIDR block, each optionally with {@code :PORT}. Only {@code http://} proxies are supported (a
 * bare {@code host:port} means one).
 */
public final class Proxies {
  /** A proxy: where to connect, and the Proxy-Authorization header its URL's user info gives. */
  public record Proxy(String host, int port, String authorization) {
    /** host:port, for messages (never the credentials). */
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** No proxy for anything. */
  public static final Proxies NONE = new Proxies(null, null, List.of(), false);

  /** A scheme's proxy, or why its variable cannot be used. */
  private record Choice(Proxy proxy, String unusable) {}

  private final Choice https;
  private final Choice http;
  private final List<String> noProxy;
  private final boolean loopbackToo;

  private Proxies(Choice https, Choice http, List<String> noProxy, boolean loopbackToo) {
    this.https = https;
    this.http = http;
    this.noProxy = noProxy;
    this.loopbackToo = loopbackToo;
  }

  /**
   * The proxies {@code env} names. An unusable proxy URL fails only the requests that would go
   * through it ({@link #proxyFor}), so a bad HTTP_PROXY does not stop a build that never uses it.
   */
  public static Proxies fromEnv(Map<String, String> env) {
    Choice https = choice(env, "HTTPS_PROXY");
    Choice http = choice(env, "HTTP_PROXY");
    List<String> no = new ArrayList<>();
    String raw = first(env, "NO_PROXY");
    if (raw != null) {
      for (String s : raw.split(",")) {
        if (!s.isBlank()) {
          no.add(s.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return https == null && http == null ? NONE : new Proxies(https, http, List.copyOf(no), false);
  }

  /** One proxy for every request, loopback included: for callers that choose it themselves. */
  public static Proxies always(Proxy proxy) {
    Choice c = new Choice(proxy, null);
    return new Proxies(c, c, List.of(), true);
  }

  /**
   * The proxy for {@code target}, if any; an {@link IllegalArgumentException} naming the variable
   * (never its value, which may hold a password) when the one it would use is unusable.
   */
  Optional<Proxy> proxyFor(URI target) {
    Choice c = "https".equals(target.getScheme()) ? https : http;
    if (c == null) {
      return Optional.empty();
    }
    String host =
        target.getHost() == null
            ? ""
            : HttpClient.bareHost(target.getHost().toLowerCase(Locale.ROOT));
    if (!loopbackToo && (host.equals("localhost") || isLoopback(host))) {
      return Optional.empty();
    }
    int port =
        target.getPort() >= 0 ? target.getPort() : "https".equals(target.getScheme()) ? 443 : 80;
    for (String rule : noProxy) {
      if (matches(rule, host, port)) {
        return Optional.empty();
      }
    }
    if (c.unusable() != null) {
      throw new IllegalArgumentException(c.unusable());
    }
    return Optional.of(c.proxy());
  }

  private static boolean matches(String rule, String host, int port) {
    if (rule.equals("*")) {
      return true;
    }
    String r = rule;
    int rulePort = -1;
    int colon = r.lastIndexOf(':');
    if (colon > 0 && r.indexOf(':') == colon && !r.contains("/")) { // host:port, not IPv6
      try {
        rulePort = Integer.parseInt(r.substring(colon + 1));
        r = r.substring(0, colon);
      } catch (NumberFormatException e) {
        return false;
      }
    }
    r = HttpClient.bareHost(r);
    if (rulePort >= 0 && rulePort != port) {
      return false;
    }
    if (r.contains("/")) {
      return inCidr(r, host);
    }
    if (isIpLiteral(r) || isIpLiteral(host)) {
      return isIpLiteral(r) && isIpLiteral(host) && sameAddress(r, host);
    }
    String domain = r.startsWith(".") ? r.substring(1) : r;
    if (r.startsWith("*.")) {
      domain = r.substring(2);
    }
    return host.equals(domain) || host.endsWith("." + domain);
  }

  private static boolean inCidr(String cidr, String host) {
    if (!isIpLiteral(host)) {
      return false;
    }
    int slash = cidr.indexOf('/');
    try {
      byte[] net = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
      byte[] addr = InetAddress.getByName(host).getAddress();
      int bits = Integer.parseInt(cidr.substring(slash + 1));
      if (net.length != addr.length || bits < 0 || bits > net.length * 8) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((net[i / 8] & mask) != (addr[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException | NumberFormatException e) {
      return false;
    }
  }

  private static boolean sameAddress(String a, String b) {
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** An IPv4 dotted quad or an IPv6 literal (no name is ever looked up). */
  private static boolean isIpLiteral(String s) {
    return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || s.contains(":");
  }

  private static boolean isLoopback(String host) {
    if (!isIpLiteral(host)) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String first(Map<String, String> env, String name) {
    for (String n : List.of(name, name.toLowerCase(Locale.ROOT))) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  private static Choice choice(Map<String, String> env, String name) {
    try {
      Proxy p = parse(env, name);
      return p == null ? null : new Choice(p, null);
    } catch (IllegalArgumentException e) {
      return new Choice(null, e.getMessage());
    }
  }

  private static Proxy parse(Map<String, String> env, String name) {
    String raw = first(env, name);
    if (raw == null) {
      return null;
    }
    URI u;
    try {
      u = new URI(raw.contains("://") ? raw : "http://" + raw);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(name + " is not a proxy URL");
    }
    if (!"http".equals(u.getScheme())) {
      throw new IllegalArgumentException(
          name + ": only http:// proxies are supported, not " + u.getScheme() + "://");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException(name + " names no proxy host");
    }
    String auth = u.getUserInfo() == null ? null : HttpRequest.basicAuthorization(u.getUserInfo());
    return new Proxy(HttpClient.bareHost(u.getHost()), u.getPort() >= 0 ? u.getPort() : 80, auth);
  }
}
