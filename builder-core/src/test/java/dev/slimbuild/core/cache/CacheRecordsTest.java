package dev.slimbuild.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.layer.Count;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerSavings;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache keys, records on disk and in a cache artifact, and the --cache-from/--cache-to forms. */
class CacheRecordsTest {
  @TempDir Path dir;

  @Test
  void keysSeparateTheirFields() {
    assertThat(CacheKey.of("RUN").add("ab").add("c").digest())
        .isNotEqualTo(CacheKey.of("RUN").add("a").add("bc").digest());
    assertThat(CacheKey.of("RUN").add("x").digest())
        .isNotEqualTo(CacheKey.of("COPY").add("x").digest())
        .isEqualTo(CacheKey.of("RUN").add("x").digest());
    assertThat(CacheKey.of("K").addAll(Map.of("a", "1", "b", "2")).digest())
        .isEqualTo(CacheKey.of("K").addAll(Map.of("b", "2", "a", "1")).digest());
  }

  private Layer layer(BlobStore store, String text) throws Exception {
    return Layer.written(
        store.putBytes(text.getBytes(StandardCharsets.UTF_8), MediaType.OCI_LAYER_TAR_ZSTD),
        Digest.sha256Of(text + "-tar"),
        1024);
  }

  @Test
  void localRecordsRoundTripAndAreMissesWhenTheirBlobIsGoneOrTheFileIsDamaged() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("store"));
    LocalCache cache = new LocalCache(store);
    Layer l = layer(store, "layer one");
    Digest k1 = CacheKey.of("t").add(1).digest();
    Digest k2 = CacheKey.of("t").add(2).digest();
    LayerSavings savings =
        new LayerSavings(
            Map.of("apt", new Count(3, 300)), new Count(1, 10), Count.ZERO, Count.ZERO);
    cache.putStep(k1, new StepRecord(Optional.of(l), "/root"));
    cache.putStage(
        k2,
        new StageRecord(
            List.of(new StageRecord.Written(2, l, 7, savings)),
            List.of(new StageRecord.Omitted(3, savings)),
            0));
    List<String> warnings = new ArrayList<>();
    assertThat(cache.step(k1, warnings::add)).contains(new StepRecord(Optional.of(l), "/root"));
    StageRecord stage = cache.stage(k2, warnings::add).orElseThrow();
    assertThat(stage.layers().get(0).savings()).isEqualTo(savings);
    assertThat(stage.omitted()).containsExactly(new StageRecord.Omitted(3, savings));
    assertThat(warnings).isEmpty();

    Files.writeString(cache.dir().resolve("steps").resolve(k1.hex() + ".json"), "{\"layer\":");
    assertThat(cache.step(k1, warnings::add)).isEmpty();
    assertThat(warnings).singleElement().asString().contains("is damaged");
    Files.delete(store.path(l.descriptor().digest()));
    assertThat(cache.stage(k2, warnings::add)).as("its blob is gone").isEmpty();
    assertThat(cache.list()).hasSize(2);
  }

  @Test
  void anArtifactRoundTripsItsRecordsAndNamesEveryLayerOnce() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("store"));
    Layer a = layer(store, "a");
    Layer b = layer(store, "b");
    Digest k1 = CacheKey.of("t").add(1).digest();
    Digest k2 = CacheKey.of("t").add(2).digest();
    byte[] statement =
        "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor sd = store.putBytes(statement, "application/vnd.in-toto+json");
    Layer st = Layer.written(sd, sd.digest(), sd.size());
    CacheContents c =
        new CacheContents(
            Map.of(
                k1,
                new StepRecord(Optional.of(a), null),
                k2,
                new StepRecord(Optional.empty(), null)),
            Map.of(
                k2,
                new StageRecord(
                    List.of(
                        new StageRecord.Written(0, a, 1, LayerSavings.NONE),
                        new StageRecord.Written(1, b, 1, LayerSavings.NONE)),
                    List.of(),
                    2)),
            Map.of(k1, st));
    assertThat(c.layers())
        .extracting(l -> l.descriptor().digest())
        .containsExactlyInAnyOrder(a.descriptor().digest(), b.descriptor().digest(), sd.digest());
    Path layout = dir.resolve("layout");
    CacheTransfer.writeLayout(
        layout,
        c,
        store,
        l -> {
          throw new AssertionError("every blob is local");
        });
    CacheContents back = CacheTransfer.readLayout(layout);
    assertThat(back.steps().keySet()).containsExactlyInAnyOrder(k1, k2);
    assertThat(back.stages().get(k2).squashed()).isEqualTo(2);
    assertThat(back.statements().get(k1).descriptor()).isEqualTo(sd);
    // a cache without statements keeps the bytes it had before they existed
    assertThat(
            new String(new CacheContents(c.steps(), c.stages()).config(), StandardCharsets.UTF_8))
        .doesNotContain("attest");
    assertThat(back.steps().get(k1).layer().orElseThrow().sourceRepository().orElseThrow())
        .startsWith("oci-layout://");
    assertThat(
            new String(
                c.manifest(
                    Descriptor.of(
                        CacheContents.CONFIG_TYPE, Digest.sha256Of(c.config()), c.config().length)),
                StandardCharsets.UTF_8))
        .contains("\"artifactType\":\"" + CacheContents.ARTIFACT_TYPE + "\"");
    assertThat(CacheTransfer.readLayout(dir.resolve("none"))).isEqualTo(CacheContents.EMPTY);
  }

  @Test
  void aMinExportHoldsOnlyRecordsWhoseLayersTheImageHolds() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("store"));
    Layer inImage = layer(store, "in the image");
    Layer builder = layer(store, "a builder stage's");
    BuildCache cache =
        BuildCache.local(
            store,
            true,
            w -> {
              throw new AssertionError(w);
            });
    Digest s1 = CacheKey.of("t").add(1).digest();
    Digest s2 = CacheKey.of("t").add(2).digest();
    cache.putStep(s1, new StepRecord(Optional.of(inImage), null));
    cache.putStep(s2, new StepRecord(Optional.of(builder), null));
    cache.putStage(
        s1,
        new StageRecord(
            List.of(new StageRecord.Written(0, inImage, 1, LayerSavings.NONE)), List.of(), 0));
    cache.putStage(
        s2,
        new StageRecord(
            List.of(new StageRecord.Written(0, builder, 1, LayerSavings.NONE)), List.of(), 0));
    Set<Digest> image = Set.of(inImage.descriptor().digest());
    CacheContents min = cache.export(false, image);
    assertThat(min.steps().keySet()).containsExactly(s1);
    assertThat(min.stages().keySet()).containsExactly(s1);
    assertThat(min.layers()).containsExactly(inImage);
    CacheContents max = cache.export(true, image);
    assertThat(max.steps().keySet()).containsExactlyInAnyOrder(s1, s2);
    assertThat(max.stages().keySet()).containsExactlyInAnyOrder(s1, s2);
  }

  @Test
  void cacheFlagsReadAsBuildxWritesThem() {
    CacheSpec to =
        CacheSpec.parse(
            "type=registry,ref=reg.example.com/app/cache:main,mode=max,"
                + "ignore-error=true,image-manifest=true",
            true);
    assertThat(to.type()).isEqualTo(CacheSpec.Type.REGISTRY);
    assertThat(to.max()).isTrue();
    assertThat(to.describe()).isEqualTo("reg.example.com/app/cache:main");
    assertThat(CacheSpec.parse("reg.example.com/app/cache:main", false).ref()).isPresent();
    assertThat(CacheSpec.parse("type=local,src=/tmp/c", false).dir()).contains(Path.of("/tmp/c"));
    assertThat(CacheSpec.parse("type=local,dest=/tmp/c", true).max()).isFalse();
    assertThatThrownBy(() -> CacheSpec.parse("type=gha", true))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("type must be registry or local");
    assertThatThrownBy(() -> CacheSpec.parse("type=registry,ref=a/b:c,mode=all", true))
        .hasMessageContaining("mode must be min or max");
    assertThatThrownBy(() -> CacheSpec.parse("type=local,dest=/x", false))
        .hasMessageContaining("unknown key 'dest'");
    assertThatThrownBy(() -> CacheSpec.parse("type=registry", false))
        .hasMessageContaining("needs ref=REPO:TAG");
  }
}
