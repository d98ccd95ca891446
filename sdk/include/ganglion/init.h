/* Ganglion SDK: weight initializers. fan_in/fan_out as Keras and PyTorch
 * define them (dense: in, out; conv: in_ch*kh*kw, out_ch*kh*kw). */
#ifndef GANGLION_INIT_H
#define GANGLION_INIT_H

#include <stdint.h>
#include <ganglion/error.h>
#include <ganglion/rng.h>

typedef enum gn_init_kind {
    GN_INIT_ZEROS = 0,
    GN_INIT_ONES,
    GN_INIT_GLOROT_UNIFORM, /* U(-a, a), a = sqrt(6 / (in + out)) */
    GN_INIT_GLOROT_NORMAL,  /* N(0, 2 / (in + out)) */
    GN_INIT_HE_UNIFORM,     /* U(-a, a), a = sqrt(6 / in) */
    GN_INIT_HE_NORMAL,      /* N(0, 2 / in) */
    GN_INIT_LECUN_UNIFORM,  /* U(-a, a), a = sqrt(3 / in) */
    GN_INIT_LECUN_NORMAL,   /* N(0, 1 / in) */
    GN_INIT_DCGAN_NORMAL,   /* N(0, 0.02^2), Radford et al.'s DCGAN weights (ABI 1.2) */
    GN_INIT_COUNT
} gn_init_kind;

/* The '|'-separated names, in enum order, for schemas. */
#define GN_INIT_CHOICES                                                                            \
    "zeros|ones|glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_uniform|lecun_normal|"     \
    "dcgan_normal"

GN_EXPORT gn_status gn_init_parse(const char *name, gn_init_kind *out, gn_error *err);
GN_EXPORT const char *gn_init_name(gn_init_kind k);
GN_EXPORT gn_status gn_init_fill(float *w, int64_t n, gn_init_kind k, int64_t fan_in,
                                 int64_t fan_out, gn_rng *rng, gn_error *err);

#endif
