package dev.slimbuild.cli;

import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.image.DebianBase;
import dev.slimbuild.core.registry.Registries;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryOptions;
import dev.slimbuild.core.registry.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real docker-registry (plain HTTP on loopback) a CLI IT builds from and pushes to, holding the
 * base image the class names. Registered as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");
 * }</pre>
 *
 * <p>Before the class's own {@code @BeforeAll} methods it checks the peer tools ({@link
 * BuildToolsIT#tools()} and the ones named, installing what is missing) and pushes the base if the
 * registry lacks it. By default the registry is one for the whole test JVM, started by the first
 * class that asks and stopped (its own process, by PID) when the run ends: classes that share it
 * push to repositories of their own and must not count on what it does not hold. {@link
 * #isolated()} gives a class a registry of its own, stopped after the class: for a class that
 * tampers with the registry's storage or counts the blobs a push found there already.
 */
final class RegistryExtension implements BeforeAllCallback, AfterAllCallback {
  /** A base image the registry can hold. */
  enum Base {
    /** The two-platform busybox base (amd64, arm64) made from Debian's busybox-static. */
    BUSYBOX("base/busybox", "1"),
    /** A debootstrapped Debian 12 with a working apt-get, amd64. */
    DEBIAN("base/debian", "12");

    final String repository;
    final String tag;

    Base(String repository, String tag) {
      this.repository = repository;
      this.tag = tag;
    }

    void push(Registry r) throws IOException {
      if (this == DEBIAN) {
        BusyboxBase.requireTool("debootstrap", "debootstrap");
        DebianBase.push(r, repository, tag);
      } else {
        BusyboxBase.push(r, repository, tag);
      }
    }
  }

  /** The Debian package of a tool whose name is not its package's. */
  private static final Map<String, String> PACKAGES =
      Map.of(
          "bwrap", "bubblewrap",
          "qemu-aarch64-static", "qemu-user-static",
          "setpriv", "util-linux",
          "ssh-agent", "openssh-client");

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RegistryExtension.class);

  private final Base base;
  private final boolean isolated;
  private final List<String> tools;
  private RegistryServer server;

  private RegistryExtension(Base base, boolean isolated, List<String> tools) {
    this.base = base;
    this.isolated = isolated;
    this.tools = tools;
  }

  /** A registry holding {@code base/busybox:1}. */
  static RegistryExtension busybox() {
    return new RegistryExtension(Base.BUSYBOX, false, List.of());
  }

  /** A registry holding {@code base/debian:12} (needs debootstrap, installed if missing). */
  static RegistryExtension debian() {
    return new RegistryExtension(Base.DEBIAN, false, List.of());
  }

  /** The same with a registry of the class's own, started before it and stopped after it. */
  RegistryExtension isolated() {
    return new RegistryExtension(base, true, tools);
  }

  /** The same, also requiring these tools on PATH (their Debian packages installed if missing). */
  RegistryExtension tools(String... names) {
    List<String> all = new ArrayList<>(tools);
    all.addAll(List.of(names));
    return new RegistryExtension(base, isolated, List.copyOf(all));
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    BuildToolsIT.tools();
    for (String tool : tools) {
      BusyboxBase.requireTool(tool, PACKAGES.getOrDefault(tool, tool));
    }
    if (isolated) {
      server = RegistryServer.plain();
      try {
        pushInto(server.host(), base);
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    } else {
      Shared shared =
          context
              .getRoot()
              .getStore(NAMESPACE)
              .getOrComputeIfAbsent(Shared.class, k -> Shared.start(), Shared.class);
      shared.ensure(base);
      server = shared.server;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (isolated) {
      close();
    }
  }

  private void close() throws IOException {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  private RegistryServer server() {
    if (server == null) {
      throw new IllegalStateException(
          "the registry is started before the class's @BeforeAll"
              + " methods: register the extension on a static field");
    }
    return server;
  }

  /** Where it listens: {@code 127.0.0.1:PORT}, plain HTTP. */
  String host() {
    return server().host();
  }

  /** The base image's name, e.g. {@code HOST/base/busybox:1}. */
  String base() {
    return host() + "/" + base.repository + ":" + base.tag;
  }

  /** The registry's storage directory, for a class with a registry of its own to tamper with. */
  Path storage() {
    if (!isolated) {
      throw new IllegalStateException(
          "the storage of the registry the classes share is not"
              + " for one class to change: use RegistryExtension.isolated()");
    }
    return server().storage();
  }

  /** A client for this registry; the caller closes it. */
  Registry client() throws IOException {
    return client(host());
  }

  /** A client for {@code host}, which may use plain HTTP; the caller closes it. */
  static Registry client(String host) throws IOException {
    return Registries.open(host, new RegistryOptions(Set.of(host), Set.of(), Map.of()));
  }

  private static void pushInto(String host, Base base) throws IOException {
    try (Registry r = client(host)) {
      base.push(r);
    }
  }

  /** The registry of the whole run; JUnit closes it (stopping its process) when the run ends. */
  private static final class Shared implements AutoCloseable {
    private final RegistryServer server;
    private final Set<Base> pushed = EnumSet.noneOf(Base.class);

    private Shared(RegistryServer server) {
      this.server = server;
    }

    static Shared start() {
      try {
        return new Shared(RegistryServer.plain());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    synchronized void ensure(Base base) throws IOException {
      if (!pushed.contains(base)) {
        pushInto(server.host(), base);
        pushed.add(base);
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
