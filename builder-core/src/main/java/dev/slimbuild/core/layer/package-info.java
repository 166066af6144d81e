/**
 * The layer engine: the {@link dev.slimbuild.core.layer.Layer} type (a layer blob, and the stages
 * before it is written), the {@link dev.slimbuild.core.layer.LayerEntry} file model, the one tar
 * entry order ({@link dev.slimbuild.core.layer.LayerPaths#TAR_ORDER}), a deterministic tar writer,
 * the one-pass layer pipeline (tar → diff_id → compress → digest), a layer reader, a merged
 * metadata-only {@link dev.slimbuild.core.layer.FileTree}, and safe archive extraction for ADD.
 */
package dev.slimbuild.core.layer;
