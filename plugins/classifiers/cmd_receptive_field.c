/* `ganglion receptive-field LAYER...`: receptive field, jump and start of
 * each layer of a stack of convolutions and poolings. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_common.h"

#define GN_RF_MAX_LAYERS 256
#define GN_RF_MAX_PARAM 1000000LL
#define GN_RF_MAX_VALUE 1e15 /* beyond this a double no longer counts exactly */
#define GN_RF_COLS 9

static gn_status rf_run(int argc, char **argv, FILE *out, gn_error *err);

const gn_command_vtable gn_cmd_receptive_field = {
    .struct_size = sizeof(gn_command_vtable),
    .name = "receptive-field",
    .usage = "receptive-field [--input N] LAYER...",
    .doc = "Receptive field of a stack of convolution and pooling layers.\n"
           "\n"
           "LAYER is conv2d(k,s), maxpool2d(k,s) or avgpool2d(k,s), with optional padding\n"
           "and dilation: conv2d(k,s,p,d), or by name: conv2d(k=3, s=1, p=1, d=2) (also\n"
           "kernel_size=, stride=, padding=, dilation=). Defaults: p=0, d=1, stride 1 for\n"
           "conv2d and stride k for the poolings (as in PyTorch). Quote the layers, the\n"
           "shell treats parentheses specially; one argument may hold several layers.\n"
           "\n"
           "Starting from r=1, j=1, start=0.5 (the centre of the first input pixel), each\n"
           "layer with effective kernel k' = d*(k-1)+1 does\n"
           "  r     += (k' - 1) * j            receptive field, in input pixels\n"
           "  start += ((k' - 1)/2 - p) * j    centre of the first output's field\n"
           "  j     *= s                       jump: input distance between neighbours\n"
           "and the table shows the values after it. Input pixel i covers [i, i+1), so\n"
           "start is in input pixels (it may be negative with padding). The last line is\n"
           "'receptive field: R x R'. --input N adds the output size of every layer\n"
           "(floor((n - k' + 2p) / s) + 1) and rejects layers that do not fit.\n"
           "\n"
           "example:\n"
           "  ganglion receptive-field 'conv2d(3,1) maxpool2d(2,2) conv2d(3,1)'   -> 8 x 8",
    .run = rf_run,
};

typedef struct gn_rf_layer {
    const char *type;   /* "conv2d", "maxpool2d", "avgpool2d" */
    long long v[4];     /* k, s, p, d */
    double r, j, start; /* after the layer */
    long long size;     /* output size, with --input */
} gn_rf_layer;

static const char *const gn_rf_types[] = {"conv2d", "maxpool2d", "avgpool2d"};
static const char *const gn_rf_what[4] = {"k (kernel size)", "s (stride)", "p (padding)",
                                          "d (dilation)"};

/* Index of the parameter a key names, or -1. */
static int rf_key(const char *key) {
    static const char *const names[4][3] = {{"k", "kernel", "kernel_size"},
                                            {"s", "stride", NULL},
                                            {"p", "padding", NULL},
                                            {"d", "dilation", NULL}};
    for (int i = 0; i < 4; i++)
        for (int a = 0; a < 3; a++)
            if (names[i][a] && !strcmp(key, names[i][a])) return i;
    return -1;
}

static char *rf_trim(char *s) {
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One argument "k", "s=2" of layer text `text` (at most 4 positional). */
static gn_status rf_param(gn_rf_layer *l, const char *text, char *a, int *npos, int set[4],
                          gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_receptive_field;
    char *eq = strchr(a, '=');
    int idx;
    if (eq) {
        *eq = '\0';
        char *key = rf_trim(a);
        a = rf_trim(eq + 1);
        if ((idx = rf_key(key)) < 0)
            return gn_cmd_error(c, err, "%s: unknown parameter '%s' (use k, s, p, d)", text, key);
    } else {
        a = rf_trim(a);
        if (*npos == 4)
            return gn_cmd_error(c, err, "%s: too many arguments (at most k, s, p, d)", text);
        for (int i = 0; i < 4; i++)
            if (set[i] > 1)
                return gn_cmd_error(c, err, "%s: positional argument after a named one", text);
        idx = (*npos)++;
    }
    if (set[idx]) return gn_cmd_error(c, err, "%s: %s is given twice", text, gn_rf_what[idx]);
    set[idx] = eq ? 2 : 1;
    char what[160];
    snprintf(what, sizeof what, "%s: %s", text, gn_rf_what[idx]);
    return gn_cmd_parse_int(c, what, a, idx == 2 ? 0 : 1, GN_RF_MAX_PARAM, &l->v[idx], err);
}

/* A layer "conv2d(3, 1, p=1)" (text is modified). */
static gn_status rf_layer(char *text, gn_rf_layer *l, gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_receptive_field;
    char shown[128];
    snprintf(shown, sizeof shown, "%s", text);
    char *open = strchr(text, '('), *close = strrchr(text, ')');
    if (!open || !close || close < open || close[1] != '\0' || strchr(open + 1, '(') ||
        strchr(open, ')') != close)
        return gn_cmd_error(c, err, "'%s' is not a layer: write conv2d(k,s) or maxpool2d(k,s)",
                            shown);
    *open = *close = '\0';
    l->type = NULL;
    for (size_t t = 0; t < sizeof gn_rf_types / sizeof *gn_rf_types; t++)
        if (!strcmp(rf_trim(text), gn_rf_types[t])) l->type = gn_rf_types[t];
    if (!l->type)
        return gn_cmd_error(c, err, "%s: unknown layer '%s' (use conv2d, maxpool2d, avgpool2d)",
                            shown, text);
    int set[4] = {0}, npos = 0;
    char *a = open + 1;
    if (*rf_trim(a))
        for (char *next; a; a = next) {
            next = strchr(a, ',');
            if (next) *next++ = '\0';
            if (!*rf_trim(a)) return gn_cmd_error(c, err, "%s: empty argument", shown);
            if (rf_param(l, shown, a, &npos, set, err)) return err->status;
        }
    if (!set[0]) return gn_cmd_error(c, err, "%s: the kernel size k is missing", shown);
    if (!set[1]) l->v[1] = strcmp(l->type, "conv2d") ? l->v[0] : 1;
    if (!set[2]) l->v[2] = 0;
    if (!set[3]) l->v[3] = 1;
    return GN_OK;
}

/* Splits arg into layers at whitespace or commas outside parentheses. */
static gn_status rf_split(char *arg, gn_rf_layer *layers, int *n, gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_receptive_field;
    char *p = arg;
    while (*p) {
        while (*p && (isspace((unsigned char)*p) || *p == ','))
            p++;
        if (!*p) break;
        char *start = p;
        int depth = 0;
        for (; *p && (depth || !(isspace((unsigned char)*p) || *p == ',')); p++)
            if (*p == '(' || *p == ')') depth += *p == '(' ? 1 : -1;
        char saved = *p;
        *p = '\0';
        if (*n == GN_RF_MAX_LAYERS)
            return gn_cmd_error(c, err, "more than %d layers", GN_RF_MAX_LAYERS);
        if (rf_layer(start, &layers[*n], err)) return err->status;
        ++*n;
        if (saved) p++;
    }
    return GN_OK;
}

/* r, j, start (and the size) after every layer. */
static gn_status rf_compute(gn_rf_layer *layers, int n, long long size, gn_error *err) {
    double r = 1, j = 1, start = 0.5;
    for (int i = 0; i < n; i++) {
        gn_rf_layer *l = &layers[i];
        long long k = l->v[0], s = l->v[1], p = l->v[2], d = l->v[3], keff = d * (k - 1) + 1;
        if (size > 0) {
            if (keff > size + 2 * p)
                return gn_cmd_error(&gn_cmd_receptive_field, err,
                                    "layer %d (%s): the %skernel %lld is larger than its padded "
                                    "input %lld + 2*%lld = %lld",
                                    i + 1, l->type, d > 1 ? "effective " : "", keff, size, p,
                                    size + 2 * p);
            size = (size + 2 * p - keff) / s + 1;
        }
        r += (double)(keff - 1) * j;
        start += ((double)(keff - 1) / 2 - (double)p) * j;
        j *= (double)s;
        if (r > GN_RF_MAX_VALUE || j > GN_RF_MAX_VALUE || start > GN_RF_MAX_VALUE ||
            start < -GN_RF_MAX_VALUE)
            return gn_cmd_error(&gn_cmd_receptive_field, err,
                                "layer %d: the receptive field grows beyond %.0e pixels", i + 1,
                                GN_RF_MAX_VALUE);
        l->r = r, l->j = j, l->start = start, l->size = size;
    }
    return GN_OK;
}

/* Cell (row, col) of the table; row 0 is the header, row 1 the input. */
static void rf_cell(const gn_rf_layer *layers, int row, int col, long long size, char *buf,
                    size_t n) {
    static const char *const head[GN_RF_COLS] = {
        "layer", "k", "s", "p", "d", "output", "receptive field", "jump", "start"};
    buf[0] = '\0';
    if (row == 0)
        snprintf(buf, n, "%s", head[col]);
    else if (row == 1) {
        static const char *const in[GN_RF_COLS] = {"input", "", "", "", "", "", "1", "1", "0.5"};
        if (col == 5)
            snprintf(buf, n, "%lld", size);
        else
            snprintf(buf, n, "%s", in[col]);
    } else {
        const gn_rf_layer *l = &layers[row - 2];
        if (col == 0)
            snprintf(buf, n, "%s", l->type);
        else if (col <= 4)
            snprintf(buf, n, "%lld", l->v[col - 1]);
        else if (col == 5)
            snprintf(buf, n, "%lld", l->size);
        else if (col == 6)
            snprintf(buf, n, "%.0f", l->r);
        else if (col == 7)
            snprintf(buf, n, "%.0f", l->j);
        else
            snprintf(buf, n, "%.1f", l->start);
    }
}

static void rf_print(const gn_rf_layer *layers, int n, long long size, FILE *out) {
    int width[GN_RF_COLS] = {0};
    char buf[64];
    for (int row = 0; row < n + 2; row++)
        for (int col = 0; col < GN_RF_COLS; col++) {
            rf_cell(layers, row, col, size, buf, sizeof buf);
            int w = (int)strlen(buf);
            if (w > width[col]) width[col] = w;
        }
    for (int row = 0; row < n + 2; row++) {
        for (int col = 0; col < GN_RF_COLS; col++) {
            if (col == 5 && size <= 0) continue;
            rf_cell(layers, row, col, size, buf, sizeof buf);
            if (col == 0)
                fprintf(out, "%-*s", width[col], buf);
            else
                fprintf(out, "  %*s", width[col], buf);
        }
        fputc('\n', out);
    }
    double r = n ? layers[n - 1].r : 1;
    fprintf(out, "receptive field: %.0f x %.0f\n", r, r);
}

static gn_status rf_run(int argc, char **argv, FILE *out, gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_receptive_field;
    gn_rf_layer layers[GN_RF_MAX_LAYERS];
    int n = 0;
    long long size = 0;
    for (int i = 1; i < argc; i++) {
        const char *val;
        int o = gn_cmd_option(c, argc, argv, &i, "input", &val, err);
        if (o < 0) return err->status;
        if (o) {
            if (gn_cmd_parse_int(c, "--input N", val, 1, 1000000000LL, &size, err))
                return err->status;
        } else if (gn_cmd_is_help(argv[i])) {
            gn_cmd_print_help(c, out);
            return GN_OK;
        } else if (gn_cmd_is_option(argv[i])) {
            return gn_cmd_usage_error(c, err, "unknown option '%s'", argv[i]);
        } else {
            char *text = strdup(argv[i]); /* split in place */
            if (!text) return gn_error_set(err, GN_ERR_NOMEM, "receptive-field: out of memory");
            gn_status st = rf_split(text, layers, &n, err);
            free(text);
            if (st) return st;
        }
    }
    if (!n) return gn_cmd_usage_error(c, err, "no layers given");
    if (rf_compute(layers, n, size, err)) return err->status;
    rf_print(layers, n, size, out);
    return GN_OK;
}
