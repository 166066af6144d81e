package dev.slimbuild.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which registry hosts may fall back to plain http without --insecure-registry. */
class LoopbackTest {
  @Test
  void onlyLocalhostAndLoopbackAddressesAreLoopback() {
    assertThat(Transport.isLoopback("localhost:5000")).isTrue();
    assertThat(Transport.isLoopback("localhost")).isTrue();
    assertThat(Transport.isLoopback("127.0.0.1:39211")).isTrue();
    assertThat(Transport.isLoopback("127.1.2.3")).isTrue();
    assertThat(Transport.isLoopback("[::1]:5000")).isTrue();
    assertThat(Transport.isLoopback("127.0.0.1.example.com:5000")).isFalse();
    assertThat(Transport.isLoopback("localhost.example.com")).isFalse();
    assertThat(Transport.isLoopback("10.0.0.1:5000")).isFalse();
    assertThat(Transport.isLoopback("registry.example.com")).isFalse();
  }
}
