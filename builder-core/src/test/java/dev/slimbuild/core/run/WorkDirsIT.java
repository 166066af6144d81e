package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What killed builds left is swept; what live builds own is not. */
class WorkDirsIT {
  @TempDir Path tmp;

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void sweepsDirectoriesOfDeadOwnersWithTheirMountsAndKeepsLiveOnes() throws Exception {
    long dead = deadPid();
    // a killed build's RUN directory: its lock is free, a tmpfs (as an overlay would be) below it
    Path killed = Files.createDirectories(tmp.resolve("slimbuild-run-" + dead + "-1"));
    Files.createFile(killed.resolve(WorkDirs.LOCK));
    Path merged = Files.createDirectories(killed.resolve("merged-1"));
    Host.mustRun(List.of("mount", "-t", "tmpfs", "tmpfs", merged.toString()));
    Files.writeString(merged.resolve("f"), "x");
    // a killed build's overlay probe: no lock, a dead process id
    Path probe = Files.createDirectories(tmp.resolve("slimbuild-overlay-probe-" + dead + "-2"));
    // a live build in another process (this test's sleep stands for it): no lock yet, alive
    Process live = new ProcessBuilder("sleep", "600").start();
    try {
      Path alive = Files.createDirectories(tmp.resolve("slimbuild-run-" + live.pid() + "-3"));
      // a live build of this JVM: locked
      try (WorkDirs.Owned mine = WorkDirs.create(tmp, "slimbuild-run-")) {
        Path other = Files.createDirectories(tmp.resolve("unrelated"));
        List<Path> removed = WorkDirs.sweep(tmp);
        assertThat(removed).containsExactlyInAnyOrder(killed, probe);
        assertThat(killed).doesNotExist();
        assertThat(probe).doesNotExist();
        assertThat(alive).isDirectory();
        assertThat(mine.dir()).isDirectory();
        assertThat(other).isDirectory();
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")))
            .noneMatch(l -> l.contains(killed.toString()));
      }
    } finally {
      live.destroyForcibly();
      live.waitFor();
    }
  }

  @Test
  void aLockHeldElsewhereKeepsTheDirectory() throws Exception {
    long dead = deadPid();
    Path dir = Files.createDirectories(tmp.resolve("slimbuild-run-" + dead + "-1"));
    // held by this JVM through another channel: tryLock refuses it like a lock of a live process
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve(WorkDirs.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.lock();
      assertThat(WorkDirs.sweep(tmp)).isEmpty();
      assertThat(dir).isDirectory();
    }
    assertThat(WorkDirs.sweep(tmp)).containsExactly(dir);
  }
}
