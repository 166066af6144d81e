/**
 * The blocking HTTP client of registries and {@code ADD <URL>}, over Apache HttpClient 5's classic
 * API: keep-alive connections pooled and reused, bodies streamed both ways, TLS through a given
 * {@link javax.net.ssl.SSLContext}, proxies from the environment, and one {@link
 * dev.slimbuild.core.http.RetryPolicy} for both callers. It starts no thread of its own but a
 * daemon watchdog for stalled writes, so a process that used it exits at once (the JDK's client
 * keeps a selector thread blocked in native code, which holds every exit of a JDK 17 VM for about
 * 0.3 s).
 */
package dev.slimbuild.core.http;
