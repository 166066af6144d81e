package dev.slimbuild.core.run;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A user namespace that maps every id onto itself ({@code 0 0 4294967295}), held open by a small
 * process ({@code unshare --user cat}, reading a pipe from this JVM: it ends when the pipe closes,
 * with this JVM at the latest). Root in a RUN that enters it (bwrap {@code --userns}) keeps the
 * real owners of the files it writes and may chown to any id, but its capabilities are over
 * namespaces this user namespace owns, none over the host. Only root can write such a mapping.
 */
final class UserNamespace implements Closeable {
  static final String IDENTITY = "0 0 4294967295\n";
  private static final int WAIT_ROUNDS = 2000;

  private final Process holder;

  private UserNamespace(Process holder) {
    this.holder = holder;
  }

  /** The namespace file a command opens to enter it. */
  Path file() {
    return Path.of("/proc", Long.toString(holder.pid()), "ns", "user");
  }

  /** A new identity-mapped user namespace (this process must be root). */
  static UserNamespace identity() throws IOException {
    return mapped(IDENTITY, IDENTITY);
  }

  /**
   * A new user namespace with these {@code uid_map} and {@code gid_map} lines (this process must be
   * root; each map is written at once, as the kernel requires).
   */
  static UserNamespace mapped(String uidMap, String gidMap) throws IOException {
    Path unshare = Host.which("unshare").orElseThrow(() -> new IOException("no unshare(1)"));
    Path cat = Host.which("cat").orElseThrow(() -> new IOException("no cat(1)"));
    Process p =
        new ProcessBuilder(unshare.toString(), "--user", "--", cat.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    UserNamespace ns = new UserNamespace(p);
    boolean ok = false;
    try {
      Path proc = Path.of("/proc", Long.toString(p.pid()));
      Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
      // unshare(2) happens after exec: wait (bounded) until the holder is in its own namespace
      for (int i = 0; ; i++) {
        if (!p.isAlive()) {
          throw new IOException("unshare --user exited with " + p.exitValue());
        }
        if (!Files.readSymbolicLink(proc.resolve("ns/user")).equals(mine)) {
          break;
        }
        if (i >= WAIT_ROUNDS) {
          throw new IOException("unshare --user did not create a user namespace");
        }
        Thread.sleep(5);
      }
      Files.writeString(proc.resolve("uid_map"), uidMap);
      Files.writeString(proc.resolve("gid_map"), gidMap);
      ok = true;
      return ns;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted creating a user namespace");
    } finally {
      if (!ok) {
        ns.close();
      }
    }
  }

  /** Ends the holder (the namespace lives on while a RUN is inside it). */
  @Override
  public void close() {
    try {
      holder.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    holder.destroyForcibly();
    try {
      holder.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
