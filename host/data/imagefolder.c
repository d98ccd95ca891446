/* Image folders inside an archive: ROOT/CLASS/.../NAME.png|.jpg|.jpeg.
 * Each member is decoded once (data/image_decode.h), resized
 * (data/resize.h) and stored channel-major. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/formats.h"
#include "data/image_decode.h"
#include "data/read.h"
#include "data/resize.h"
#include "data/search.h"

/* Members larger than this (as stored) are refused. */
#define GN_IMAGEFOLDER_MAX_MEMBER ((size_t)64 << 20)

typedef struct sample {
    char *path;    /* member */
    int cls;       /* index into st->classes */
    size_t offset; /* of its pixels in st->pixels */
} sample;

typedef struct walk_state {
    gn_dataset *ds;
    const gn_manifest *m;
    const char *archive; /* path, for messages */
    const char **roots;  /* roots whose class folders are collected */
    int n_roots;
    const char *load_root; /* root whose images are loaded in this pass, or NULL */
    int fixed;             /* classes are the manifest's class_names */
    char **classes;
    int n_classes, cap_classes, last_class;
    sample *samples;
    int64_t n_samples, cap_samples;
    uint8_t *pixels;
    size_t sample_size;
    int64_t not_image, not_regular, outside, hidden; /* members skipped */
    char not_image_eg[256];
} walk_state;

/* The part of member under root ("" = the top), or NULL. */
static const char *under(const char *member, const char *root) {
    size_t n = strlen(root);
    if (!n) return member;
    return strncmp(member, root, n) == 0 && member[n] == '/' ? member + n + 1 : NULL;
}

static int is_image_name(const char *path) {
    const char *dot = strrchr(path, '.');
    return dot &&
           (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

/* Hidden components (".DS_Store", "._x.png") and macOS zip metadata. */
static int is_hidden(const char *rest) {
    for (const char *p = rest; p; p = strchr(p, '/'), p = p ? p + 1 : NULL)
        if (p[0] == '.' || strncmp(p, "__MACOSX/", 9) == 0) return 1;
    return 0;
}

/* The class index of folder name (len bytes), added when new and classes
 * are not fixed; -1 when unknown (fixed) or out of memory (-2). */
static int class_of(walk_state *st, const char *name, size_t len) {
    int k = st->last_class;
    if (k >= 0 && k < st->n_classes && strlen(st->classes[k]) == len &&
        memcmp(st->classes[k], name, len) == 0)
        return k;
    for (k = 0; k < st->n_classes; k++)
        if (strlen(st->classes[k]) == len && memcmp(st->classes[k], name, len) == 0)
            return st->last_class = k;
    if (st->fixed) return -1;
    if (st->n_classes == st->cap_classes) {
        int cap = st->cap_classes ? 2 * st->cap_classes : 16;
        char **c = realloc(st->classes, (size_t)cap * sizeof *c);
        if (!c) return -2;
        st->classes = c;
        st->cap_classes = cap;
    }
    if (!(st->classes[st->n_classes] = strndup(name, len))) return -2;
    return st->last_class = st->n_classes++;
}

static int want(const char *member, gn_member_kind kind, void *user) {
    walk_state *st = user;
    if (kind == GN_MEMBER_DIR) return GN_WALK_SKIP;
    for (int r = 0; !st->fixed && kind == GN_MEMBER_FILE && r < st->n_roots; r++) {
        const char *rest = under(member, st->roots[r]);
        const char *slash = rest ? strchr(rest, '/') : NULL;
        if (slash && is_image_name(rest) && !is_hidden(rest))
            class_of(st, rest, (size_t)(slash - rest)); /* out of memory: found again at load */
    }
    const char *rest = st->load_root ? under(member, st->load_root) : NULL;
    if (!rest) return GN_WALK_SKIP;
    if (is_hidden(rest)) {
        st->hidden++;
        return GN_WALK_SKIP;
    }
    if (!strchr(rest, '/')) {
        st->outside++; /* a file beside the class folders */
        return GN_WALK_SKIP;
    }
    if (!is_image_name(rest)) {
        if (!st->not_image++) snprintf(st->not_image_eg, sizeof st->not_image_eg, "%s", member);
        return GN_WALK_SKIP;
    }
    if (kind != GN_MEMBER_FILE) {
        st->not_regular++;
        return GN_WALK_SKIP;
    }
    return GN_WALK_READ;
}

static gn_status visit(const char *member, uint8_t *data, size_t n, void *user, gn_error *err) {
    walk_state *st = user;
    const gn_manifest *m = st->m;
    char what[4400];
    snprintf(what, sizeof what, "%s:%s", st->archive, member);
    const char *rest = under(member, st->load_root);
    int cls = class_of(st, rest, (size_t)(strchr(rest, '/') - rest));
    if (cls == -2) {
        free(data);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    if (cls < 0) {
        free(data);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': folder '%.*s' is not one of the class_names of manifest '%s'",
                            what, (int)(strchr(rest, '/') - rest), rest, m->path);
    }
    if (st->n_samples == st->cap_samples) {
        int64_t cap = st->cap_samples ? 2 * st->cap_samples : 64;
        if ((uint64_t)cap * st->sample_size > GN_DATA_MAX_BYTES) cap = st->n_samples + 1;
        if ((uint64_t)cap * st->sample_size > GN_DATA_MAX_BYTES) {
            free(data);
            return gn_error_set(err, GN_ERR_INVALID, "'%s': more images than %zu bytes hold",
                                st->archive, GN_DATA_MAX_BYTES);
        }
        sample *s = realloc(st->samples, (size_t)cap * sizeof *s);
        if (s) st->samples = s;
        uint8_t *p = s ? realloc(st->pixels, (size_t)cap * st->sample_size) : NULL;
        if (!p) {
            free(data);
            return gn_error_set(err, GN_ERR_NOMEM, "out of memory for %lld images", (long long)cap);
        }
        st->pixels = p;
        st->cap_samples = cap;
    }
    gn_image im;
    gn_status s = gn_image_decode(data, n, m->channels, what, &im, err);
    free(data);
    if (s != GN_OK) return s;
    size_t offset = (size_t)st->n_samples * st->sample_size;
    s = gn_resize_hwc_to_chw(im.data, im.height, im.width, im.channels, st->pixels + offset,
                             m->height, m->width, err);
    free(im.data);
    if (s != GN_OK) return gn_error_prefix(err, "%s", what);
    sample *sm = &st->samples[st->n_samples];
    if (!(sm->path = strdup(member))) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    sm->cls = cls;
    sm->offset = offset;
    st->n_samples++;
    return GN_OK;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_sample(const void *a, const void *b) {
    const sample *x = a, *y = b;
    return x->cls != y->cls ? (x->cls > y->cls) - (x->cls < y->cls) : strcmp(x->path, y->path);
}

static const gn_manifest_file *archive_of(const gn_manifest *m, const gn_manifest_split *s) {
    return s->archive.file ? &s->archive : &m->archive;
}

/* Sorts the classes (unless fixed), then the samples by class and path,
 * and stores them interleaved round-robin over the classes. */
static gn_status finish(walk_state *st, gn_error *err) {
    gn_dataset *ds = st->ds;
    int nc = st->n_classes;
    int *remap = malloc((size_t)(nc ? nc : 1) * sizeof *remap);
    int64_t *start = calloc((size_t)nc + 1, sizeof *start);
    int64_t *order = malloc((size_t)(st->n_samples ? st->n_samples : 1) * sizeof *order);
    ds->pixels = malloc((size_t)st->n_samples * st->sample_size);
    ds->labels = malloc((size_t)st->n_samples * sizeof *ds->labels);
    char **sorted = malloc((size_t)(nc ? nc : 1) * sizeof *sorted);
    gn_status s = GN_OK;
    if (!remap || !start || !order || !ds->pixels || !ds->labels || !sorted) {
        s = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(sorted, st->classes, (size_t)nc * sizeof *sorted);
    if (!st->fixed) qsort(sorted, (size_t)nc, sizeof *sorted, cmp_str);
    for (int i = 0; i < nc; i++)
        for (int j = 0; j < nc; j++)
            if (st->classes[i] == sorted[j]) remap[i] = j;
    for (int64_t i = 0; i < st->n_samples; i++)
        st->samples[i].cls = remap[st->samples[i].cls];
    qsort(st->samples, (size_t)st->n_samples, sizeof *st->samples, cmp_sample);
    for (int64_t i = 0; i < st->n_samples; i++)
        start[st->samples[i].cls + 1]++;
    for (int c = 0; c < nc; c++)
        start[c + 1] += start[c];
    int64_t k = 0;
    for (int64_t round = 0; k < st->n_samples; round++)
        for (int c = 0; c < nc; c++)
            if (start[c] + round < start[c + 1]) order[k++] = start[c] + round;
    for (int64_t i = 0; i < st->n_samples; i++) {
        const sample *sm = &st->samples[order[i]];
        memcpy(ds->pixels + (size_t)i * st->sample_size, st->pixels + sm->offset, st->sample_size);
        ds->labels[i] = sm->cls;
    }
    s = gn_dataset_set_classes(ds, nc, sorted, err);
done:
    free(remap);
    free(start);
    free(order);
    free(sorted);
    return s;
}

static void notes(walk_state *st, const char *root) {
    gn_dataset *ds = st->ds;
    const char *r = root[0] ? root : "the top";
    if (st->not_image)
        gn_dataset_note(ds,
                        "%s: skipped %lld member(s) of '%s' under %s that are not .png, .jpg "
                        "or .jpeg (e.g. '%s')",
                        ds->name, (long long)st->not_image, st->archive, r, st->not_image_eg);
    if (st->outside)
        gn_dataset_note(ds,
                        "%s: skipped %lld file(s) of '%s' directly in %s, outside the class "
                        "folders",
                        ds->name, (long long)st->outside, st->archive, r);
    if (st->hidden)
        gn_dataset_note(ds, "%s: skipped %lld hidden member(s) of '%s' (.* or __MACOSX/)", ds->name,
                        (long long)st->hidden, st->archive);
    if (st->not_regular)
        gn_dataset_note(ds, "%s: skipped %lld image member(s) of '%s' that are links, not files",
                        ds->name, (long long)st->not_regular, st->archive);
}

gn_status gn_imagefolder_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                              gn_error *err) {
    walk_state st = {.ds = ds, .m = m, .last_class = -1};
    st.sample_size = (size_t)m->channels * (size_t)m->height * (size_t)m->width;
    const char **roots = calloc((size_t)m->n_splits, sizeof *roots);
    gn_status status = roots ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (status == GN_OK && m->class_names) { /* fixed classes, in the manifest's order */
        for (int i = 0; i < m->classes; i++)
            if (class_of(&st, m->class_names[i], strlen(m->class_names[i])) == -2) {
                status = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
                break;
            }
        st.fixed = 1;
    }
    /* Passes: the loaded split's archive (loading it, and collecting class
     * folders of every split in it), then each other archive of the
     * manifest, only to collect its splits' class folders. */
    char path[4096];
    const gn_manifest_file *done_archives[GN_MANIFEST_MAX_SPLITS];
    int n_done = 0;
    for (int pass = -1; status == GN_OK && pass < m->n_splits; pass++) {
        const gn_manifest_file *a = archive_of(m, pass < 0 ? s : &m->splits[pass]);
        int seen = 0;
        for (int i = 0; i < n_done; i++)
            seen |= strcmp(done_archives[i]->file, a->file) == 0;
        if (seen || (pass >= 0 && st.fixed)) continue;
        done_archives[n_done++] = a;
        st.n_roots = 0;
        for (int i = 0; i < m->n_splits; i++)
            if (strcmp(archive_of(m, &m->splits[i])->file, a->file) == 0)
                roots[st.n_roots++] = m->splits[i].root;
        st.roots = roots;
        st.load_root = pass < 0 ? s->root : NULL;
        if (pass < 0)
            status = gn_data_archive_find(ds, m, a, path, sizeof path, err);
        else
            status = gn_data_find(a->file, m->subdir, path, sizeof path, err);
        st.archive = path;
        if (status == GN_OK)
            status = gn_archive_walk(path, GN_IMAGEFOLDER_MAX_MEMBER, want, visit, &st, err);
        if (pass < 0 && status == GN_OK) {
            notes(&st, s->root);
            if (st.n_samples == 0)
                status = gn_error_set(err, GN_ERR_FORMAT,
                                      "'%s': no .png, .jpg or .jpeg images in class folders "
                                      "under %s%s%s (split '%s')",
                                      path, s->root[0] ? "'" : "", s->root[0] ? s->root : "the top",
                                      s->root[0] ? "/'" : "", s->name);
        }
    }
    if (status == GN_OK && !st.fixed && m->classes && st.n_classes != m->classes)
        status = gn_error_set(err, GN_ERR_FORMAT,
                              "manifest '%s' says classes = %d but the archive(s) hold %d class "
                              "folders",
                              m->path, m->classes, st.n_classes);
    if (status == GN_OK && st.n_classes > GN_MANIFEST_MAX_CLASSES)
        status = gn_error_set(err, GN_ERR_FORMAT, "%s: %d class folders (at most %d)", ds->name,
                              st.n_classes, GN_MANIFEST_MAX_CLASSES);
    if (status == GN_OK) status = finish(&st, err);
    if (status == GN_OK) {
        ds->n = st.n_samples;
        ds->ndim = 3;
        ds->dims[0] = m->channels;
        ds->dims[1] = m->height;
        ds->dims[2] = m->width;
        ds->sample_size = (int64_t)st.sample_size;
    }
    for (int i = 0; i < st.n_classes; i++)
        free(st.classes[i]);
    free(st.classes);
    for (int64_t i = 0; i < st.n_samples; i++)
        free(st.samples[i].path);
    free(st.samples);
    free(st.pixels);
    free(roots);
    return status;
}
