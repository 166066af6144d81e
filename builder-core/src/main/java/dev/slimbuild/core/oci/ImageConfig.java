package dev.slimbuild.core.oci;

import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An image configuration (config.md), with Docker's extensions (Healthcheck, OnBuild, Shell,
 * ArgsEscaped). Written as BuildKit writes it: top-level members sorted by name, the container
 * config in the order of Docker's Go struct, empty optional members omitted, {@code created}
 * omitted when null (a reproducible build passes a fixed instant instead).
 */
public record ImageConfig(
    Instant created,
    String author,
    String architecture,
    String os,
    String osVersion,
    List<String> osFeatures,
    String variant,
    ContainerConfig config,
    List<Digest> diffIds,
    List<History> history)
    implements OciDocument {

  private static final Pattern ENV = Pattern.compile("[^=]+=.*", Pattern.DOTALL);

  public ImageConfig {
    if (architecture == null || architecture.isEmpty()) {
      throw new IllegalArgumentException("config needs an architecture");
    }
    if (os == null || os.isEmpty()) {
      throw new IllegalArgumentException("config needs an os");
    }
    author = Canonical.blankToNull(author);
    osVersion = Canonical.blankToNull(osVersion);
    osFeatures = Canonical.list(osFeatures);
    variant = Canonical.blankToNull(variant);
    config = config == null ? ContainerConfig.EMPTY : config;
    diffIds = Canonical.list(diffIds);
    history = Canonical.list(history);
  }

  /** A minimal config for {@code platform} with the given layers' diff_ids. */
  public static ImageConfig of(Platform platform, ContainerConfig config, List<Digest> diffIds) {
    return builder(platform).config(config).diffIds(diffIds).build();
  }

  /** A config for {@code platform}, every other member empty until set. */
  public static Builder builder(Platform platform) {
    return new Builder().platform(platform);
  }

  /** A builder holding this config's members, to change some by name. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.created = created;
    b.author = author;
    b.architecture = architecture;
    b.os = os;
    b.osVersion = osVersion;
    b.osFeatures = osFeatures;
    b.variant = variant;
    b.config = config;
    b.diffIds = diffIds;
    b.history = history;
    return b;
  }

  /** The platform this config describes. */
  public Platform platform() {
    return new Platform(os, architecture, variant, osVersion, osFeatures);
  }

  /** This config with {@code created} set (null to omit it). */
  public ImageConfig withCreated(Instant t) {
    return toBuilder().created(t).build();
  }

  /** This config with {@code history} replacing its own. */
  public ImageConfig withHistory(List<History> h) {
    return toBuilder().history(h).build();
  }

  /** This config with {@code c} as its container config. */
  public ImageConfig withConfig(ContainerConfig c) {
    return toBuilder().config(c).build();
  }

  /**
   * Builds an {@link ImageConfig} member by member; {@link #build} canonicalises and checks as the
   * record's constructor does. Unset members are absent (null or empty).
   */
  public static final class Builder {
    private Instant created;
    private String author;
    private String architecture;
    private String os;
    private String osVersion;
    private List<String> osFeatures;
    private String variant;
    private ContainerConfig config;
    private List<Digest> diffIds;
    private List<History> history;

    private Builder() {}

    /** {@code created}; null omits it. */
    public Builder created(Instant created) {
      this.created = created;
      return this;
    }

    public Builder author(String author) {
      this.author = author;
      return this;
    }

    /** os, architecture, variant, os.version and os.features, all from {@code platform}. */
    public Builder platform(Platform platform) {
      this.os = platform.os();
      this.architecture = platform.architecture();
      this.variant = platform.variant();
      this.osVersion = platform.osVersion();
      this.osFeatures = platform.osFeatures();
      return this;
    }

    public Builder config(ContainerConfig config) {
      this.config = config;
      return this;
    }

    public Builder diffIds(List<Digest> diffIds) {
      this.diffIds = diffIds;
      return this;
    }

    public Builder history(List<History> history) {
      this.history = history;
      return this;
    }

    public ImageConfig build() {
      return new ImageConfig(
          created,
          author,
          architecture,
          os,
          osVersion,
          osFeatures,
          variant,
          config,
          diffIds,
          history);
    }
  }

  @Override
  public JsonObject toJson() {
    // Sorted member names, as BuildKit writes the config through a map.
    JsonObject.Builder b = JsonObject.builder().put("architecture", architecture);
    b.putIfPresent("author", author);
    b.put("config", config.toJson());
    if (created != null) {
      b.put("created", Canonical.formatTime(created));
    }
    if (!history.isEmpty()) {
      List<JsonValue> hs = new ArrayList<>();
      for (History h : history) {
        hs.add(h.toJson());
      }
      b.put("history", new JsonArray(hs));
    }
    b.put("os", os);
    b.putIfPresent("os.features", osFeatures);
    b.putIfPresent("os.version", osVersion);
    List<String> ids = new ArrayList<>();
    for (Digest d : diffIds) {
      ids.add(d.toString());
    }
    b.put(
        "rootfs",
        JsonObject.builder()
            .put("type", "layers")
            .put("diff_ids", JsonArray.ofStrings(ids))
            .build());
    b.putIfPresent("variant", variant);
    return b.build();
  }

  /**
   * Parses a config (OCI or Docker); unknown members are ignored, null members count as absent.
   * Throws {@link OciFormatException} naming the member at fault.
   */
  public static ImageConfig parse(byte[] json) {
    Fields f = Fields.parse(json, "image config");
    Instant created = f.optTime("created");
    String author = f.optString("author");
    String architecture = f.reqString("architecture");
    String os = f.reqString("os");
    String osVersion = f.optString("os.version");
    List<String> osFeatures = f.optStringList("os.features");
    String variant = f.optString("variant");
    Fields c = f.optObject("config");
    ContainerConfig config = c == null ? ContainerConfig.EMPTY : ContainerConfig.read(c);
    Fields rootfs = f.reqObject("rootfs");
    String type = rootfs.reqString("type");
    if (!type.equals("layers")) {
      throw rootfs.error("type", "must be \"layers\", got \"" + type + "\"");
    }
    if (!rootfs.has("diff_ids")) {
      throw rootfs.error("diff_ids", "required field is missing");
    }
    List<Digest> diffIds = new ArrayList<>();
    List<String> raw = rootfs.optStringList("diff_ids");
    for (int i = 0; i < raw.size(); i++) {
      String s = raw.get(i);
      try {
        diffIds.add(Digest.parse(s));
      } catch (IllegalArgumentException e) {
        throw rootfs.error("diff_ids[" + i + "]", e.getMessage());
      }
    }
    List<History> history = f.objectList("history", false, History::read);
    return f.build(
        () ->
            new ImageConfig(
                created,
                author,
                architecture,
                os,
                osVersion,
                osFeatures,
                variant,
                config,
                diffIds,
                history));
  }

  /**
   * The runtime defaults of a container ({@code config} in the image config). Lists are empty and
   * strings null when absent; Labels are sorted, ExposedPorts and Volumes sorted sets.
   */
  public record ContainerConfig(
      String user,
      List<String> exposedPorts,
      List<String> env,
      List<String> entrypoint,
      List<String> cmd,
      List<String> volumes,
      String workingDir,
      Map<String, String> labels,
      String stopSignal,
      boolean argsEscaped,
      Healthcheck healthcheck,
      List<String> onBuild,
      List<String> shell) {

    /** No settings at all. */
    public static final ContainerConfig EMPTY = builder().build();

    public ContainerConfig {
      user = Canonical.blankToNull(user);
      exposedPorts = Canonical.sortedSet(exposedPorts);
      env = Canonical.list(env);
      for (String e : env) {
        if (!ENV.matcher(e).matches()) {
          throw new IllegalArgumentException("Env entry is not NAME=value: \"" + e + "\"");
        }
      }
      entrypoint = Canonical.list(entrypoint);
      cmd = Canonical.list(cmd);
      volumes = Canonical.sortedSet(volumes);
      workingDir = Canonical.blankToNull(workingDir);
      labels = Canonical.sortedMap(labels);
      stopSignal = Canonical.blankToNull(stopSignal);
      onBuild = Canonical.list(onBuild);
      shell = Canonical.list(shell);
    }

    /** A builder with no settings: set those wanted by name. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding these settings, to change some by name. */
    public Builder toBuilder() {
      return new Builder()
          .user(user)
          .exposedPorts(exposedPorts)
          .env(env)
          .entrypoint(entrypoint)
          .cmd(cmd)
          .volumes(volumes)
          .workingDir(workingDir)
          .labels(labels)
          .stopSignal(stopSignal)
          .argsEscaped(argsEscaped)
          .healthcheck(healthcheck)
          .onBuild(onBuild)
          .shell(shell);
    }

    /** Fields in the order of Docker's image config struct; empty ones omitted. */
    public JsonObject toJson() {
      JsonObject.Builder b = JsonObject.builder();
      b.putIfPresent("User", user);
      b.putEmptyObjects("ExposedPorts", exposedPorts);
      b.putIfPresent("Env", env);
      b.putIfPresent("Entrypoint", entrypoint);
      b.putIfPresent("Cmd", cmd);
      b.putEmptyObjects("Volumes", volumes);
      b.putIfPresent("WorkingDir", workingDir);
      b.putIfPresent("Labels", labels);
      b.putIfPresent("StopSignal", stopSignal);
      if (argsEscaped) {
        b.put("ArgsEscaped", true);
      }
      if (healthcheck != null) {
        b.put("Healthcheck", healthcheck.toJson());
      }
      b.putIfPresent("OnBuild", onBuild);
      b.putIfPresent("Shell", shell);
      return b.build();
    }

    static ContainerConfig read(Fields f) {
      String user = f.optString("User");
      List<String> ports = f.optKeySet("ExposedPorts");
      List<String> env = f.optStringList("Env");
      List<String> entrypoint = f.optStringList("Entrypoint");
      List<String> cmd = f.optStringList("Cmd");
      List<String> volumes = f.optKeySet("Volumes");
      String workingDir = f.optString("WorkingDir");
      Map<String, String> labels = f.optStringMap("Labels");
      String stopSignal = f.optString("StopSignal");
      boolean argsEscaped = f.optBoolean("ArgsEscaped");
      Fields h = f.optObject("Healthcheck");
      Healthcheck healthcheck = h == null ? null : Healthcheck.read(h);
      List<String> onBuild = f.optStringList("OnBuild");
      List<String> shell = f.optStringList("Shell");
      return f.build(
          () ->
              new ContainerConfig(
                  user,
                  ports,
                  env,
                  entrypoint,
                  cmd,
                  volumes,
                  workingDir,
                  labels,
                  stopSignal,
                  argsEscaped,
                  healthcheck,
                  onBuild,
                  shell));
    }

    /**
     * Builds a {@link ContainerConfig} setting by setting; {@link #build} canonicalises and checks
     * as the record's constructor does. Unset settings are absent (null or empty).
     */
    public static final class Builder {
      private String user;
      private List<String> exposedPorts;
      private List<String> env;
      private List<String> entrypoint;
      private List<String> cmd;
      private List<String> volumes;
      private String workingDir;
      private Map<String, String> labels;
      private String stopSignal;
      private boolean argsEscaped;
      private Healthcheck healthcheck;
      private List<String> onBuild;
      private List<String> shell;

      private Builder() {}

      public Builder user(String user) {
        this.user = user;
        return this;
      }

      /** {@code port/proto} entries; kept sorted and de-duplicated. */
      public Builder exposedPorts(List<String> exposedPorts) {
        this.exposedPorts = exposedPorts;
        return this;
      }

      /** {@code NAME=value} entries, in order. */
      public Builder env(List<String> env) {
        this.env = env;
        return this;
      }

      public Builder entrypoint(List<String> entrypoint) {
        this.entrypoint = entrypoint;
        return this;
      }

      public Builder cmd(List<String> cmd) {
        this.cmd = cmd;
        return this;
      }

      /** Paths; kept sorted and de-duplicated. */
      public Builder volumes(List<String> volumes) {
        this.volumes = volumes;
        return this;
      }

      public Builder workingDir(String workingDir) {
        this.workingDir = workingDir;
        return this;
      }

      public Builder labels(Map<String, String> labels) {
        this.labels = labels;
        return this;
      }

      public Builder stopSignal(String stopSignal) {
        this.stopSignal = stopSignal;
        return this;
      }

      public Builder argsEscaped(boolean argsEscaped) {
        this.argsEscaped = argsEscaped;
        return this;
      }

      public Builder healthcheck(Healthcheck healthcheck) {
        this.healthcheck = healthcheck;
        return this;
      }

      public Builder onBuild(List<String> onBuild) {
        this.onBuild = onBuild;
        return this;
      }

      public Builder shell(List<String> shell) {
        this.shell = shell;
        return this;
      }

      public ContainerConfig build() {
        return new ContainerConfig(
            user,
            exposedPorts,
            env,
            entrypoint,
            cmd,
            volumes,
            workingDir,
            labels,
            stopSignal,
            argsEscaped,
            healthcheck,
            onBuild,
            shell);
      }
    }
  }

  /**
   * A HEALTHCHECK: the test command and Go durations in nanoseconds, as Docker writes them; zero
   * means "inherit/default" and is omitted.
   */
  public record Healthcheck(
      List<String> test,
      long intervalNanos,
      long timeoutNanos,
      long startPeriodNanos,
      long startIntervalNanos,
      int retries) {

    public Healthcheck {
      test = Canonical.list(test);
      if (intervalNanos < 0 || timeoutNanos < 0 || startPeriodNanos < 0 || startIntervalNanos < 0) {
        throw new IllegalArgumentException("healthcheck durations must not be negative");
      }
      if (retries < 0) {
        throw new IllegalArgumentException("healthcheck retries must not be negative");
      }
    }

    public JsonObject toJson() {
      JsonObject.Builder b = JsonObject.builder();
      b.putIfPresent("Test", test);
      putNonZero(b, "Interval", intervalNanos);
      putNonZero(b, "Timeout", timeoutNanos);
      putNonZero(b, "StartPeriod", startPeriodNanos);
      putNonZero(b, "StartInterval", startIntervalNanos);
      putNonZero(b, "Retries", retries);
      return b.build();
    }

    private static void putNonZero(JsonObject.Builder b, String key, long v) {
      if (v != 0) {
        b.put(key, v);
      }
    }

    static Healthcheck read(Fields f) {
      List<String> test = f.optStringList("Test");
      long interval = orZero(f.optLong("Interval"));
      long timeout = orZero(f.optLong("Timeout"));
      long startPeriod = orZero(f.optLong("StartPeriod"));
      long startInterval = orZero(f.optLong("StartInterval"));
      long retries = orZero(f.optLong("Retries"));
      if (retries > Integer.MAX_VALUE) {
        throw f.error("Retries", "too large");
      }
      return f.build(
          () ->
              new Healthcheck(test, interval, timeout, startPeriod, startInterval, (int) retries));
    }

    private static long orZero(Long v) {
      return v == null ? 0 : v;
    }
  }

  /** One history entry; {@code created} null is omitted. */
  public record History(
      Instant created, String createdBy, String author, String comment, boolean emptyLayer) {

    public History {
      createdBy = Canonical.blankToNull(createdBy);
      author = Canonical.blankToNull(author);
      comment = Canonical.blankToNull(comment);
    }

    /**
     * Fields in the order of the OCI Go struct: created, created_by, author, comment, empty_layer.
     */
    public JsonObject toJson() {
      JsonObject.Builder b = JsonObject.builder();
      if (created != null) {
        b.put("created", Canonical.formatTime(created));
      }
      b.putIfPresent("created_by", createdBy);
      b.putIfPresent("author", author);
      b.putIfPresent("comment", comment);
      if (emptyLayer) {
        b.put("empty_layer", true);
      }
      return b.build();
    }

    static History read(Fields f) {
      Instant created = f.optTime("created");
      String createdBy = f.optString("created_by");
      String author = f.optString("author");
      String comment = f.optString("comment");
      boolean empty = f.optBoolean("empty_layer");
      return new History(created, createdBy, author, comment, empty);
    }
  }
}
