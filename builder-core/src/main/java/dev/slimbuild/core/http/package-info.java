/**
 * A small blocking HTTP/1.1 client for registries and {@code ADD <URL>}: keep-alive connections
 * reused across requests, bodies streamed both ways, TLS through a given {@link
 * javax.net.ssl.SSLContext}, proxies from the environment. It starts no thread of its own, so a
 * process that used it exits at once (the JDK's client keeps a selector thread blocked in native
 * code, which holds every exit of a JDK 17 VM for about 0.3 s).
 */
package dev.slimbuild.core.http;
