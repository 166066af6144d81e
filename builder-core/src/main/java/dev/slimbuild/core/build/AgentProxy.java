package dev.slimbuild.core.build;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The socket one {@code RUN --mount=type=ssh} binds: every connection to it is relayed, byte for
 * byte, to the agent's socket. As BuildKit serves a socket of its own per mount, the socket has the
 * mount's owner and mode whatever the agent's has, and the agent's own path never reaches the
 * sandbox. Open for the RUN only.
 */
final class AgentProxy implements AutoCloseable {
  private static final int BUFFER = 16 * 1024;

  private final Path socket;
  private final Path agent;
  private final ServerSocketChannel server;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private Thread acceptor;

  private AgentProxy(Path socket, Path agent, ServerSocketChannel server) {
    this.socket = socket;
    this.agent = agent;
    this.server = server;
  }

  /**
   * Listens on the new socket {@code socket} (in a directory only the builder may enter), given
   * {@code mode} and, when {@code chown}, {@code uid:gid}, relaying to {@code agent}.
   */
  static AgentProxy open(Path socket, Path agent, int mode, boolean chown, int uid, int gid)
      throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket));
      if (chown) {
        Files.setAttribute(socket, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(socket, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
      }
      // chmod(2) by path: a socket cannot be opened, so not without following links (the
      // directory is the builder's own: nothing else can put a link there)
      Files.setAttribute(socket, "unix:mode", mode & 07777);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    AgentProxy proxy = new AgentProxy(socket, agent, server);
    proxy.acceptor = daemon("slimbuild-ssh-accept", proxy::accept);
    return proxy;
  }

  /** The socket to bind into the sandbox. */
  Path socket() {
    return socket;
  }

  private void accept() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed: the RUN ended
      }
      open.add(client);
      SocketChannel upstream;
      try {
        upstream = SocketChannel.open(UnixDomainSocketAddress.of(agent));
      } catch (IOException e) {
        close(client); // the agent is gone: the client sees the connection end
        continue;
      }
      open.add(upstream);
      AtomicInteger directions = new AtomicInteger(2);
      daemon("slimbuild-ssh-relay", () -> relay(client, upstream, directions));
      daemon("slimbuild-ssh-relay", () -> relay(upstream, client, directions));
      if (!server.isOpen()) {
        closeAll(); // closed while this connection was being set up
      }
    }
  }

  /**
   * Copies {@code from} to {@code to} until {@code from} ends, then ends {@code to}'s output; the
   * last of a connection's two {@code directions} to end closes both channels.
   */
  private void relay(SocketChannel from, SocketChannel to, AtomicInteger directions) {
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    try {
      while (from.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          to.write(buf);
        }
        buf.clear();
      }
      to.shutdownOutput();
      if (directions.decrementAndGet() > 0) {
        return;
      }
    } catch (IOException e) {
      // one side went away: so does the other
    }
    close(from);
    close(to);
  }

  private void close(SocketChannel c) {
    open.remove(c);
    try {
      c.close();
    } catch (IOException e) {
      // closing: nothing more to do with it
    }
  }

  private void closeAll() {
    for (SocketChannel c : open) {
      close(c);
    }
  }

  /** Stops listening and ends every relayed connection; the socket file goes with its directory. */
  @Override
  public void close() throws IOException {
    server.close();
    closeAll();
    // the JDK closes a channel's descriptor only once its blocked accept() has returned: wait
    // for it, so that nothing can connect any more when close() returns
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
