package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket a RUN's ssh mount binds: the mount's mode, every byte relayed both ways. */
class AgentProxyTest {
  @TempDir Path dir;

  @Test
  void relaysEachConnectionToTheAgentUntilClosed() throws Exception {
    Path agentSocket = dir.resolve("agent");
    try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      agent.bind(UnixDomainSocketAddress.of(agentSocket));
      AgentProxy proxy = AgentProxy.open(dir.resolve("proxy"), agentSocket, 0640, false, 0, 0);
      try {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(proxy.socket())))
            .isEqualTo("rw-r-----");
        for (int i = 0; i < 2; i++) { // one connection after another
          try (SocketChannel client =
                  SocketChannel.open(UnixDomainSocketAddress.of(proxy.socket()));
              SocketChannel served = agent.accept()) {
            client.write(ByteBuffer.wrap(("request " + i).getBytes(StandardCharsets.UTF_8)));
            client.shutdownOutput();
            assertThat(readAll(served)).isEqualTo("request " + i);
            served.write(ByteBuffer.wrap(("answer " + i).getBytes(StandardCharsets.UTF_8)));
            served.shutdownOutput();
            assertThat(readAll(client)).isEqualTo("answer " + i);
          }
        }
      } finally {
        proxy.close();
      }
      // closed: nothing listens any more
      assertThat(Files.exists(proxy.socket())).isTrue(); // the file goes with its directory
      try (SocketChannel late = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        assertThat(tryConnect(late, proxy.socket())).isFalse();
      }
    }
  }

  private static String readAll(SocketChannel c) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(1024);
    while (c.read(buf) >= 0) {
      if (!buf.hasRemaining()) {
        break;
      }
    }
    buf.flip();
    return StandardCharsets.UTF_8.decode(buf).toString();
  }

  private static boolean tryConnect(SocketChannel c, Path socket) {
    try {
      return c.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }
}
