/* Ganglion SDK: checkpoints. A model's parameters and buffers, saved and
 * loaded by name in the safetensors format (https://huggingface.co/docs/safetensors),
 * so PyTorch's safetensors.torch.load_file() opens them:
 *
 *   8 bytes   little-endian u64 N, the header length
 *   N bytes   JSON header, padded with spaces to a multiple of 8:
 *             {"__metadata__": {"epoch": "3", ...},
 *              "dense_1.bias": {"dtype": "F32", "shape": [200], "data_offsets": [0, 800]}, ...}
 *   the rest  raw little-endian float32 data; data_offsets are [begin, end)
 *             byte offsets into this section, tensors sorted by name, no holes.
 *
 * Only dtype F32 is written and read. Added in 1.0. */
#ifndef GANGLION_CHECKPOINT_H
#define GANGLION_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>
#include <ganglion/model.h>

/* String key/values stored in the header's "__metadata__" (safetensors only
 * allows strings there: write numbers as text, e.g. "epoch" = "3").
 * keys and values are borrowed for the duration of the call. */
typedef struct gn_checkpoint_meta {
    uint32_t struct_size; /* sizeof(gn_checkpoint_meta) */
    int n;                /* number of pairs */
    const char *const *keys;
    const char *const *values;
} gn_checkpoint_meta;

/* Largest header accepted on load (the safetensors reference limit). */
#define GN_CHECKPOINT_MAX_HEADER 100000000u

/* Writes every parameter tensor and buffer of m to path. meta may be NULL.
 * Atomic: the file is written to "PATH.tmp.PID", flushed to disk (fsync)
 * and renamed over path, so path holds either its old content or the
 * complete new checkpoint, never a mix. GN_ERR_INVALID for bad metadata
 * (NULL, non-UTF-8, duplicate or "__metadata__"-clashing keys), GN_ERR_IO on
 * a write failure (the temporary file is removed). */
GN_EXPORT gn_status gn_checkpoint_save(gn_model *m, const char *path,
                                       const gn_checkpoint_meta *meta, gn_error *err);

/* Reads path into m's parameter tensors and buffers, matched by name only
 * (order in the file does not matter). The whole file is validated first
 * and nothing in m changes unless everything passes:
 *   GN_ERR_IO        the file cannot be opened or read;
 *   GN_ERR_FORMAT    not a valid safetensors file: too short, header length
 *                    beyond the file or above GN_CHECKPOINT_MAX_HEADER,
 *                    invalid JSON, not an object, a dtype other than F32,
 *                    bad shape or data_offsets (out of range, overlapping,
 *                    holes, not shape*4 bytes), or a truncated data section;
 *   GN_ERR_NOT_FOUND strict and a model tensor is absent from the file;
 *   GN_ERR_INVALID   strict and the file has a tensor the model lacks, or a
 *                    tensor's shape differs from the model's (always).
 * With strict == 0, tensors missing from the file keep their values and
 * extra tensors in the file are ignored (fine-tuning from a checkpoint). */
GN_EXPORT gn_status gn_checkpoint_load(gn_model *m, const char *path, int strict, gn_error *err);

/* Copies the "__metadata__" value of key in the checkpoint at path into
 * value (n bytes, NUL-terminated). GN_ERR_NOT_FOUND if the file has no such
 * key, GN_ERR_INVALID if the value does not fit in n bytes, and the load
 * errors above for a malformed header. Only the header is read. */
GN_EXPORT gn_status gn_checkpoint_read_meta(const char *path, const char *key, char *value,
                                            size_t n, gn_error *err);

#endif
