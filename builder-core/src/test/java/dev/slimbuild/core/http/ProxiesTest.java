package dev.slimbuild.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Proxy choice from the environment, as Go programs (docker, buildah) make it. */
class ProxiesTest {
  private static Optional<String> via(Map<String, String> env, String uri) {
    return Proxies.fromEnv(env).proxyFor(URI.create(uri)).map(Proxies.Proxy::toString);
  }

  @Test
  void schemesPickTheirVariableUpperCaseFirst() {
    Map<String, String> env =
        Map.of(
            "HTTPS_PROXY",
            "http://secure.proxy:3128",
            "https_proxy",
            "http://ignored:1",
            "http_proxy",
            "plain.proxy:8080");
    assertThat(via(env, "https://registry.example.com/v2/")).contains("secure.proxy:3128");
    assertThat(via(env, "http://registry.example.com:5000/v2/")).contains("plain.proxy:8080");
    assertThat(via(Map.of("HTTP_PROXY", "p:1"), "https://registry.example.com/")).isEmpty();
    assertThat(via(Map.of(), "https://registry.example.com/")).isEmpty();
  }

  @Test
  void loopbackAndNoProxyHostsGoDirect() {
    Map<String, String> env =
        Map.of(
            "HTTPS_PROXY",
            "proxy:3128",
            "NO_PROXY",
            "internal.example, .corp.example ,10.0.0.0/8,192.168.1.5,mirror.example:8443,[::2]");
    assertThat(via(env, "https://localhost:5000/")).isEmpty();
    assertThat(via(env, "https://127.0.0.1:5000/")).isEmpty();
    assertThat(via(env, "https://[::1]:5000/")).isEmpty();
    assertThat(via(env, "https://internal.example/")).isEmpty();
    assertThat(via(env, "https://r.internal.example/")).isEmpty();
    assertThat(via(env, "https://notinternal.example/")).contains("proxy:3128");
    assertThat(via(env, "https://a.corp.example/")).isEmpty();
    assertThat(via(env, "https://10.1.2.3/")).isEmpty();
    assertThat(via(env, "https://11.1.2.3/")).contains("proxy:3128");
    assertThat(via(env, "https://192.168.1.5/")).isEmpty();
    assertThat(via(env, "https://mirror.example:8443/")).isEmpty();
    assertThat(via(env, "https://mirror.example/")).contains("proxy:3128");
    assertThat(via(env, "https://[::2]/")).isEmpty();
    assertThat(via(Map.of("HTTPS_PROXY", "proxy:3128", "no_proxy", "*"), "https://x.example/"))
        .isEmpty();
    // a caller's fixed proxy carries loopback too
    Proxies.Proxy p = new Proxies.Proxy("127.0.0.1", 9, null);
    assertThat(Proxies.always(p).proxyFor(URI.create("https://127.0.0.1:5000/"))).contains(p);
  }

  @Test
  void credentialsBecomeABasicHeaderAndNeverAMessage() {
    Proxies.Proxy p =
        Proxies.fromEnv(Map.of("HTTPS_PROXY", "http://bob:s%40cret@proxy:3128"))
            .proxyFor(URI.create("https://r.example/"))
            .orElseThrow();
    assertThat(p.authorization()).isEqualTo("Basic Ym9iOnNAY3JldA=="); // bob:s@cret
    assertThat(p.toString()).isEqualTo("proxy:3128");
    Proxies socks = Proxies.fromEnv(Map.of("HTTPS_PROXY", "socks5://u:pw@proxy:1080"));
    assertThatThrownBy(() -> socks.proxyFor(URI.create("https://r.example/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HTTPS_PROXY: only http:// proxies")
        .hasMessageNotContaining("pw");
    // unusable only for what would go through it
    assertThat(socks.proxyFor(URI.create("https://127.0.0.1:5000/"))).isEmpty();
    assertThat(socks.proxyFor(URI.create("http://r.example/"))).isEmpty();
  }
}
