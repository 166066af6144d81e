package dev.slimbuild.core.build;

import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageConfig.ContainerConfig;
import dev.slimbuild.core.oci.ImageConfig.Healthcheck;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/** The image config one stage is building up, instruction by instruction. */
final class ConfigState {
  String author;
  String user;
  final Set<String> exposedPorts = new LinkedHashSet<>();
  final List<String> env = new ArrayList<>();
  List<String> entrypoint = List.of();
  List<String> cmd = List.of();
  boolean cmdSetInStage;
  boolean argsEscaped;
  final Set<String> volumes = new LinkedHashSet<>();
  String workingDir;
  final TreeMap<String, String> labels = new TreeMap<>();
  String stopSignal;
  Healthcheck healthcheck;
  final List<String> onBuild = new ArrayList<>();
  List<String> shell = List.of();

  static ConfigState of(ImageConfig base) {
    ConfigState s = new ConfigState();
    ContainerConfig c = base.config();
    s.author = base.author();
    s.user = c.user();
    s.exposedPorts.addAll(c.exposedPorts());
    s.env.addAll(c.env());
    s.entrypoint = c.entrypoint();
    s.cmd = c.cmd();
    s.argsEscaped = c.argsEscaped();
    s.volumes.addAll(c.volumes());
    s.workingDir = c.workingDir();
    s.labels.putAll(c.labels());
    s.stopSignal = c.stopSignal();
    s.healthcheck = c.healthcheck();
    s.shell = c.shell();
    return s;
  }

  /** A copy that later instructions of the stage do not change (for a step that runs later). */
  ConfigState copy() {
    ConfigState s = new ConfigState();
    s.author = author;
    s.user = user;
    s.exposedPorts.addAll(exposedPorts);
    s.env.addAll(env);
    s.entrypoint = entrypoint;
    s.cmd = cmd;
    s.cmdSetInStage = cmdSetInStage;
    s.argsEscaped = argsEscaped;
    s.volumes.addAll(volumes);
    s.workingDir = workingDir;
    s.labels.putAll(labels);
    s.stopSignal = stopSignal;
    s.healthcheck = healthcheck;
    s.onBuild.addAll(onBuild);
    s.shell = shell;
    return s;
  }

  /** Sets {@code key} in Env, replacing an earlier value in place, as Docker does. */
  void setEnv(String key, String value) {
    String kv = key + "=" + value;
    for (int i = 0; i < env.size(); i++) {
      if (env.get(i).startsWith(key + "=")) {
        env.set(i, kv);
        return;
      }
    }
    env.add(kv);
  }

  String workdirOrRoot() {
    return workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
  }

  ContainerConfig toContainerConfig() {
    return ContainerConfig.builder()
        .user(user)
        .exposedPorts(List.copyOf(exposedPorts))
        .env(env)
        .entrypoint(entrypoint)
        .cmd(cmd)
        .volumes(List.copyOf(volumes))
        .workingDir(workingDir)
        .labels(labels)
        .stopSignal(stopSignal)
        .argsEscaped(argsEscaped)
        .healthcheck(healthcheck)
        .onBuild(onBuild)
        .shell(shell)
        .build();
  }
}
