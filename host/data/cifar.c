/* CIFAR-10, binary version: data_batch_N.bin and test_batch.bin. Each file
 * is a sequence of 3073-byte records: the label (0..9), then the 32 x 32
 * red, green and blue planes, each row-major. */
#include <stdlib.h>
#include <string.h>

#include "data/formats.h"

gn_status gn_cifar_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                        gn_error *err) {
    int nf = s->n_files;
    if (nf < 1 || nf > GN_MANIFEST_MAX_FILES)
        return gn_error_set(err, GN_ERR_CONFIG, "%s: %d files (1..%d)", ds->name, nf,
                            GN_MANIFEST_MAX_FILES);
    uint8_t **bufs = calloc(GN_MANIFEST_MAX_FILES, sizeof *bufs);
    size_t *sizes = calloc(GN_MANIFEST_MAX_FILES, sizeof *sizes);
    char **shown = calloc(GN_MANIFEST_MAX_FILES, sizeof *shown);
    gn_status st =
        bufs && sizes && shown ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (st == GN_OK) st = gn_dataset_set_classes(ds, m->classes, m->class_names, err);
    if (st == GN_OK)
        st = gn_data_files_read(ds, m, s->files, nf, GN_DATA_MAX_BYTES, bufs, sizes, shown, err);
    int64_t total = 0;
    for (int i = 0; st == GN_OK && i < nf; i++) {
        if (sizes[i] == 0 || sizes[i] % GN_CIFAR_RECORD != 0)
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "'%s': %zu bytes is not a whole number of CIFAR-10 records of %d "
                              "bytes (1 label byte + 3 x 32 x 32 pixels): %s",
                              shown[i], sizes[i], GN_CIFAR_RECORD,
                              sizes[i] ? "truncated or not a CIFAR-10 batch" : "empty file");
        total += (int64_t)(sizes[i] / GN_CIFAR_RECORD);
    }
    if (st == GN_OK && (uint64_t)total * GN_CIFAR_PIXELS > GN_DATA_MAX_BYTES)
        st = gn_error_set(err, GN_ERR_INVALID, "%s: %lld CIFAR-10 records are too many", ds->name,
                          (long long)total);
    if (st == GN_OK) {
        ds->pixels = malloc((size_t)total * GN_CIFAR_PIXELS);
        ds->labels = malloc((size_t)total * sizeof *ds->labels);
        if (!ds->pixels || !ds->labels)
            st = gn_error_set(err, GN_ERR_NOMEM, "out of memory for %lld CIFAR-10 images",
                              (long long)total);
    }
    int64_t k = 0;
    for (int i = 0; st == GN_OK && i < nf; i++) {
        size_t records = sizes[i] / GN_CIFAR_RECORD;
        for (size_t r = 0; r < records; r++, k++) {
            const uint8_t *rec = bufs[i] + r * GN_CIFAR_RECORD;
            if (rec[0] >= ds->n_classes) {
                st = gn_error_set(err, GN_ERR_FORMAT,
                                  "'%s': record %zu (byte offset %zu) has label %d, not below "
                                  "classes = %d",
                                  shown[i], r, r * GN_CIFAR_RECORD, rec[0], ds->n_classes);
                break;
            }
            ds->labels[k] = rec[0];
            memcpy(ds->pixels + (size_t)k * GN_CIFAR_PIXELS, rec + 1, GN_CIFAR_PIXELS);
        }
        free(bufs[i]);
        bufs[i] = NULL;
    }
    if (st == GN_OK) {
        ds->n = total;
        ds->ndim = 3;
        ds->dims[0] = 3;
        ds->dims[1] = GN_CIFAR_SIDE;
        ds->dims[2] = GN_CIFAR_SIDE;
        ds->sample_size = GN_CIFAR_PIXELS;
    }
    for (int i = 0; i < nf; i++) {
        if (bufs) free(bufs[i]);
        if (shown) free(shown[i]);
    }
    free(bufs);
    free(sizes);
    free(shown);
    return st;
}
