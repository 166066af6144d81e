package dev.slimbuild.core.run;

import dev.slimbuild.core.oci.Platform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What to run and how.
 *
 * @param rootfs the materialised root filesystem (a host directory)
 * @param argv the command; {@code argv[0]} is looked up in {@code PATH} of {@code env}
 * @param env exactly the environment the command sees ({@code K=V}); the caller adds the default
 *     {@code PATH}
 * @param workdir an absolute directory inside the rootfs, created when missing
 * @param uid numeric user id, resolved by the caller
 * @param gid numeric group id, resolved by the caller
 * @param network the host's network or none
 * @param mounts extra bind and tmpfs mounts, applied in order
 * @param platform the platform the rootfs is for; a foreign one runs through binfmt_misc or qemu
 * @param timeout how long the command may run; {@link Duration#ZERO} for no limit
 * @param wrapper a command prefix the sandbox's command runs under (it execs its arguments), or
 *     empty: for a root filesystem that exists only in the wrapper's mount namespace
 * @param prepareRoot where the sandbox makes its mount points from the host (the rootfs itself,
 *     unless the rootfs is only mounted inside the wrapper: then a directory below it)
 * @param groups the supplementary group ids (runc's additionalGids): the process's group list,
 *     beside {@code gid}
 */
public record RunSpec(
    Path rootfs,
    List<String> argv,
    List<String> env,
    String workdir,
    int uid,
    int gid,
    Network network,
    List<Mount> mounts,
    Platform platform,
    Duration timeout,
    List<String> wrapper,
    Path prepareRoot,
    List<Integer> groups) {

  /** A spec without supplementary groups. */
  public RunSpec(
      Path rootfs,
      List<String> argv,
      List<String> env,
      String workdir,
      int uid,
      int gid,
      Network network,
      List<Mount> mounts,
      Platform platform,
      Duration timeout,
      List<String> wrapper,
      Path prepareRoot) {
    this(
        rootfs,
        argv,
        env,
        workdir,
        uid,
        gid,
        network,
        mounts,
        platform,
        timeout,
        wrapper,
        prepareRoot,
        List.of());
  }

  public RunSpec {
    rootfs = rootfs.toAbsolutePath().normalize();
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("RUN needs a command");
    }
    env = List.copyOf(env);
    for (String e : env) {
      if (e.indexOf('=') <= 0) {
        throw new IllegalArgumentException("environment entry is not K=V: " + e);
      }
      if (e.indexOf('\0') >= 0) { // never shown: the value may be a secret
        throw new IllegalArgumentException(
            "environment entry " + e.substring(0, e.indexOf('=')) + " holds a NUL byte");
      }
    }
    workdir = RootPaths.checkAbsolute(workdir, "working directory");
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("uid and gid must not be negative");
    }
    mounts = List.copyOf(mounts);
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("negative timeout");
    }
    wrapper = List.copyOf(wrapper);
    prepareRoot = prepareRoot.toAbsolutePath().normalize();
    groups = List.copyOf(groups);
    for (int g : groups) {
      if (g < 0) {
        throw new IllegalArgumentException("group ids must not be negative");
      }
    }
  }

  /** {@code sandboxCommand} under this spec's wrapper. */
  public List<String> command(List<String> sandboxCommand) {
    if (wrapper.isEmpty()) {
      return sandboxCommand;
    }
    List<String> all = new ArrayList<>(wrapper);
    all.addAll(sandboxCommand);
    return all;
  }

  /** {@code argv} as root in {@code /} with no environment, host network, no limit. */
  public static RunSpec of(Path rootfs, List<String> argv, Platform platform) {
    return new RunSpec(
        rootfs,
        argv,
        List.of(),
        "/",
        0,
        0,
        Network.HOST,
        List.of(),
        platform,
        Duration.ZERO,
        List.of(),
        rootfs);
  }

  RunSpec withEnv(List<String> newEnv) {
    return new RunSpec(
        rootfs,
        argv,
        newEnv,
        workdir,
        uid,
        gid,
        network,
        mounts,
        platform,
        timeout,
        wrapper,
        prepareRoot,
        groups);
  }

  RunSpec withWorkdir(String dir) {
    return new RunSpec(
        rootfs,
        argv,
        env,
        dir,
        uid,
        gid,
        network,
        mounts,
        platform,
        timeout,
        wrapper,
        prepareRoot,
        groups);
  }

  RunSpec withUser(int newUid, int newGid) {
    return new RunSpec(
        rootfs,
        argv,
        env,
        workdir,
        newUid,
        newGid,
        network,
        mounts,
        platform,
        timeout,
        wrapper,
        prepareRoot,
        groups);
  }

  public RunSpec withNetwork(Network net) {
    return new RunSpec(
        rootfs,
        argv,
        env,
        workdir,
        uid,
        gid,
        net,
        mounts,
        platform,
        timeout,
        wrapper,
        prepareRoot,
        groups);
  }

  RunSpec withMounts(List<Mount> newMounts) {
    return new RunSpec(
        rootfs,
        argv,
        env,
        workdir,
        uid,
        gid,
        network,
        newMounts,
        platform,
        timeout,
        wrapper,
        prepareRoot,
        groups);
  }

  RunSpec withTimeout(Duration limit) {
    return new RunSpec(
        rootfs,
        argv,
        env,
        workdir,
        uid,
        gid,
        network,
        mounts,
        platform,
        limit,
        wrapper,
        prepareRoot,
        groups);
  }

  /** The user as {@code uid:gid}. */
  public String user() {
    return uid + ":" + gid;
  }
}
