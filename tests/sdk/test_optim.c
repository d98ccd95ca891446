/* Optimizers: hand-computed updates, state access, defaults, errors, convergence. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/optim.h>

/* Updates run in float, so compare with a relative tolerance. */
#define expect_near(actual, expected, rel)                                                         \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        cr_expect(fabs(a_ - e_) <= (rel)*fabs(e_) + 1e-12, "%s = %.9g, expected %.9g", #actual,    \
                  a_, e_);                                                                         \
    } while (0)

#define TOL 2e-6

static const char *const all_names[] = {"sgd",   "momentum", "nesterov", "adam",
                                        "adamw", "rmsprop",  "adagrad",  "adadelta"};
#define N_ALGOS (sizeof all_names / sizeof all_names[0])

/* Defaults of `name` with lr replaced; the caller tweaks the rest. */
static gn_optim_hparams hparams(const char *name, double lr) {
    gn_optim_hparams hp;
    gn_error err = {0};
    cr_assert_eq(gn_optim_defaults(name, &hp, &err), GN_OK, "%s", err.msg);
    hp.lr = lr;
    return hp;
}

static gn_optim *make(const char *name, int64_t n, const gn_optim_hparams *hp) {
    gn_error err = {0};
    gn_optim *o = gn_optim_new(name, n, hp, &err);
    cr_assert_not_null(o, "gn_optim_new(%s): %s", name, err.msg);
    return o;
}

static void step(gn_optim *o, float *x, const float *g) {
    gn_error err = {0};
    cr_assert_eq(gn_optim_step(o, x, g, &err), GN_OK, "%s", err.msg);
}

static void expect_state_name(const gn_optim *o, int k, const char *want) {
    const char *got = gn_optim_state_name(o, k);
    cr_assert_not_null(got, "%s state %d", gn_optim_name(o), k);
    cr_expect_str_eq(got, want);
}

/* ---- defaults ---------------------------------------------------------- */

Test(optim, defaults_follow_pytorch) {
    struct {
        const char *name;
        double lr, eps, rho, wd;
    } want[] = {
        {"sgd", 0.01, 1e-8, 0.99, 0.0},      {"momentum", 0.01, 1e-8, 0.99, 0.0},
        {"nesterov", 0.01, 1e-8, 0.99, 0.0}, {"adam", 1e-3, 1e-8, 0.99, 0.0},
        {"adamw", 1e-3, 1e-8, 0.99, 0.01},   {"rmsprop", 0.01, 1e-8, 0.99, 0.0},
        {"adagrad", 0.01, 1e-10, 0.99, 0.0}, {"adadelta", 1.0, 1e-6, 0.9, 0.0},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        gn_optim_hparams hp;
        memset(&hp, 0xab, sizeof hp);
        gn_error err = {0};
        cr_assert_eq(gn_optim_defaults(want[k].name, &hp, &err), GN_OK, "%s", err.msg);
        cr_expect_eq(hp.struct_size, sizeof hp);
        cr_expect_eq(hp.lr, want[k].lr, "%s lr %g", want[k].name, hp.lr);
        cr_expect_eq(hp.eps, want[k].eps, "%s eps %g", want[k].name, hp.eps);
        cr_expect_eq(hp.rho, want[k].rho, "%s rho %g", want[k].name, hp.rho);
        cr_expect_eq(hp.weight_decay, want[k].wd, "%s wd %g", want[k].name, hp.weight_decay);
        cr_expect_eq(hp.momentum, 0.9);
        cr_expect_eq(hp.beta1, 0.9);
        cr_expect_eq(hp.beta2, 0.999);
        cr_expect_eq(hp.initial_accumulator, 0.0);
    }
}

Test(optim, null_hparams_means_defaults) {
    gn_optim *o = make("adam", 3, NULL);
    cr_expect_eq(gn_optim_lr(o), 1e-3);
    cr_expect_str_eq(gn_optim_name(o), "adam");
    cr_expect_eq(gn_optim_steps(o), 0);
    gn_optim_free(o);
}

Test(optim, lr_and_step_count) {
    gn_optim *o = make("sgd", 1, NULL);
    gn_optim_set_lr(o, 0.5);
    cr_expect_eq(gn_optim_lr(o), 0.5);
    gn_optim_set_lr(o, -1.0); /* ignored: no error channel */
    gn_optim_set_lr(o, NAN);
    cr_expect_eq(gn_optim_lr(o), 0.5);
    float x = 1.0f, g = 1.0f;
    step(o, &x, &g);
    step(o, &x, &g);
    cr_expect_eq(gn_optim_steps(o), 2);
    expect_near(x, 0.0, TOL); /* 1 - 0.5 - 0.5 */
    gn_optim_free(o);
}

/* ---- one algorithm at a time -------------------------------------------- */

Test(optim, sgd_step) {
    /* x = {1, -2}, g = {0.5, 0.25}, lr 0.1: x = {1 - 0.05, -2 - 0.025} */
    gn_optim_hparams hp = hparams("sgd", 0.1);
    gn_optim *o = make("sgd", 2, &hp);
    float x[2] = {1.0f, -2.0f}, g[2] = {0.5f, 0.25f};
    step(o, x, g);
    expect_near(x[0], 0.95, TOL);
    expect_near(x[1], -2.025, TOL);
    cr_expect_eq(gn_optim_n_states(o), 0);
    cr_expect_null(gn_optim_state_name(o, 0));
    cr_expect(isnan(gn_optim_state(o, 0, 0)));
    gn_optim_free(o);
}

Test(optim, sgd_weight_decay) {
    /* wd 0.1 adds 0.1*x: g' = {0.5 + 0.1, 0.25 - 0.2} = {0.6, 0.05};
     * x = {1 - 0.06, -2 - 0.005} */
    gn_optim_hparams hp = hparams("sgd", 0.1);
    hp.weight_decay = 0.1;
    gn_optim *o = make("sgd", 2, &hp);
    float x[2] = {1.0f, -2.0f}, g[2] = {0.5f, 0.25f};
    step(o, x, g);
    expect_near(x[0], 0.94, TOL);
    expect_near(x[1], -2.005, TOL);
    gn_optim_free(o);
}

Test(optim, momentum_two_steps) {
    /* lr 0.1, mu 0.9, x = 1, g = 1 twice:
     * v = 1,             x = 1 - 0.1*1     = 0.9
     * v = 0.9*1 + 1=1.9, x = 0.9 - 0.1*1.9 = 0.71 */
    gn_optim_hparams hp = hparams("momentum", 0.1);
    gn_optim *o = make("momentum", 1, &hp);
    float x = 1.0f, g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.9, TOL);
    expect_near(gn_optim_state(o, 0, 0), 1.0, TOL);
    step(o, &x, &g);
    expect_near(x, 0.71, TOL);
    cr_expect_eq(gn_optim_n_states(o), 1);
    expect_state_name(o, 0, "velocity");
    expect_near(gn_optim_state(o, 0, 0), 1.9, TOL);
    gn_optim_free(o);
}

Test(optim, nesterov_two_steps) {
    /* lr 0.1, mu 0.9, x = 1, g = 1 twice:
     * v = 1,   x = 1   - 0.1*(1 + 0.9*1)   = 0.81
     * v = 1.9, x = 0.81 - 0.1*(1 + 0.9*1.9) = 0.81 - 0.271 = 0.539 */
    gn_optim_hparams hp = hparams("nesterov", 0.1);
    gn_optim *o = make("nesterov", 1, &hp);
    float x = 1.0f, g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.81, TOL);
    step(o, &x, &g);
    expect_near(x, 0.539, TOL);
    expect_state_name(o, 0, "velocity");
    expect_near(gn_optim_state(o, 0, 0), 1.9, TOL);
    gn_optim_free(o);
}

Test(optim, momentum_weight_decay) {
    /* lr 0.1, mu 0.9, wd 0.5, x = 2, g = 1: g' = 1 + 0.5*2 = 2, v = 2, x = 2 - 0.2 */
    gn_optim_hparams hp = hparams("momentum", 0.1);
    hp.weight_decay = 0.5;
    gn_optim *o = make("momentum", 1, &hp);
    float x = 2.0f, g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 1.8, TOL);
    expect_near(gn_optim_state(o, 0, 0), 2.0, TOL);
    gn_optim_free(o);
}

Test(optim, adam_two_steps) {
    /* lr 0.1, b1 0.9, b2 0.999, eps 1e-8, x = 1, g = 2 then 1.
     * t=1: m = 0.1*2 = 0.2, v = 0.001*4 = 0.004, m_hat = 0.2/0.1 = 2,
     *      v_hat = 0.004/0.001 = 4, x = 1 - 0.1*2/(2 + 1e-8) = 0.9000000005
     * t=2: m = 0.9*0.2 + 0.1*1 = 0.28, v = 0.999*0.004 + 0.001*1 = 0.004996,
     *      m_hat = 0.28/(1 - 0.81) = 1.4736842105, v_hat = 0.004996/0.001999 = 2.4992496248,
     *      x = 0.9 - 0.1*1.4736842105/(1.5809015228 + 1e-8) = 0.8067820372 */
    gn_optim_hparams hp = hparams("adam", 0.1);
    gn_optim *o = make("adam", 1, &hp);
    cr_expect_eq(gn_optim_state(o, 2, 0), 0.0); /* m_hat before any step */
    float x = 1.0f, g = 2.0f;
    step(o, &x, &g);
    expect_near(x, 0.9000000005, TOL);
    expect_near(gn_optim_state(o, 0, 0), 0.2, TOL);
    expect_near(gn_optim_state(o, 1, 0), 0.004, TOL);
    expect_near(gn_optim_state(o, 2, 0), 2.0, TOL);
    expect_near(gn_optim_state(o, 3, 0), 4.0, TOL);
    g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.8067820372, TOL);
    cr_expect_eq(gn_optim_n_states(o), 4);
    expect_state_name(o, 0, "m");
    expect_state_name(o, 1, "v");
    expect_state_name(o, 2, "m_hat");
    expect_state_name(o, 3, "v_hat");
    cr_expect_null(gn_optim_state_name(o, 4));
    expect_near(gn_optim_state(o, 0, 0), 0.28, TOL);
    expect_near(gn_optim_state(o, 1, 0), 0.004996, TOL);
    expect_near(gn_optim_state(o, 2, 0), 1.4736842105, TOL);
    expect_near(gn_optim_state(o, 3, 0), 2.4992496248, TOL);
    gn_optim_free(o);
}

Test(optim, adam_l2_weight_decay) {
    /* Adam adds wd*x to g. lr 0.1, wd 0.1, x = 1, g = 2 then 1.
     * t=1: g' = 2 + 0.1*1 = 2.1; first Adam step is lr*sign: x = 0.9000000005
     * t=2: g' = 1 + 0.1*0.9 = 1.09, m = 0.9*0.21 + 0.1*1.09 = 0.298,
     *      v = 0.999*0.00441 + 0.001*1.1881 = 0.00559369,
     *      m_hat = 0.298/0.19 = 1.5684210527, v_hat = 0.00559369/0.001999 = 2.7982441221,
     *      x = 0.9 - 0.1*1.5684210527/1.6727953019 = 0.8062395122 */
    gn_optim_hparams hp = hparams("adam", 0.1);
    hp.weight_decay = 0.1;
    gn_optim *o = make("adam", 1, &hp);
    float x = 1.0f, g = 2.0f;
    step(o, &x, &g);
    expect_near(x, 0.9, TOL);
    expect_near(gn_optim_state(o, 0, 0), 0.21, TOL);
    g = 1.0f;
    step(o, &x, &g);
    expect_near(gn_optim_state(o, 1, 0), 0.00559369, TOL);
    expect_near(x, 0.8062395122, TOL);
    gn_optim_free(o);
}

Test(optim, adamw_two_steps) {
    /* AdamW decays x first and keeps g: lr 0.1, wd 0.1, x = 1, g = 2 then 1.
     * t=1: x = 1*(1 - 0.01) = 0.99, then the Adam step 0.1 -> 0.8900000005
     * t=2: x = 0.89*0.99 = 0.8811, minus the same Adam step as adam_two_steps
     *      (0.0932179639) -> 0.7878820372; m, v as in adam_two_steps */
    gn_optim_hparams hp = hparams("adamw", 0.1);
    hp.weight_decay = 0.1;
    gn_optim *o = make("adamw", 1, &hp);
    float x = 1.0f, g = 2.0f;
    step(o, &x, &g);
    expect_near(x, 0.8900000005, TOL);
    g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.7878820372, TOL);
    expect_near(gn_optim_state(o, 0, 0), 0.28, TOL);
    expect_near(gn_optim_state(o, 1, 0), 0.004996, TOL);
    expect_near(gn_optim_state(o, 2, 0), 1.4736842105, TOL);
    expect_near(gn_optim_state(o, 3, 0), 2.4992496248, TOL);
    expect_state_name(o, 3, "v_hat");
    gn_optim_free(o);
}

Test(optim, rmsprop_two_steps) {
    /* lr 0.01, rho 0.99, eps 1e-8, x = 1, g = 2 then 1.
     * sq = 0.01*4 = 0.04,                x = 1 - 0.01*2/(0.2 + 1e-8)      = 0.900000005
     * sq = 0.99*0.04 + 0.01*1 = 0.0496,  x = 0.9 - 0.01*1/0.2227105745 = 0.8550986815 */
    gn_optim_hparams hp = hparams("rmsprop", 0.01);
    gn_optim *o = make("rmsprop", 1, &hp);
    float x = 1.0f, g = 2.0f;
    step(o, &x, &g);
    expect_near(x, 0.900000005, TOL);
    expect_near(gn_optim_state(o, 0, 0), 0.04, TOL);
    g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.8550986815, TOL);
    cr_expect_eq(gn_optim_n_states(o), 1);
    expect_state_name(o, 0, "square_avg");
    expect_near(gn_optim_state(o, 0, 0), 0.0496, TOL);
    gn_optim_free(o);
}

Test(optim, adagrad_two_steps) {
    /* lr 0.1, eps 1e-10, initial_accumulator 0.1, x = 1, g = 2 then 1.
     * sum = 0.1 + 4 = 4.1, x = 1 - 0.1*2/2.0248456731   = 0.9012270403
     * sum = 4.1 + 1 = 5.1, x = 0.9012270403 - 0.1/2.2583179581 = 0.8569462961 */
    gn_optim_hparams hp = hparams("adagrad", 0.1);
    hp.initial_accumulator = 0.1;
    gn_optim *o = make("adagrad", 1, &hp);
    expect_near(gn_optim_state(o, 0, 0), 0.1, TOL);
    float x = 1.0f, g = 2.0f;
    step(o, &x, &g);
    expect_near(x, 0.9012270403, TOL);
    g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.8569462961, TOL);
    expect_state_name(o, 0, "sum");
    expect_near(gn_optim_state(o, 0, 0), 5.1, TOL);
    gn_optim_free(o);
}

Test(optim, adadelta_two_steps) {
    /* lr 1, rho 0.9, eps 1e-6, x = 1, g = 2 then 1.
     * t=1: sq = 0.1*4 = 0.4, d = sqrt(0 + 1e-6)/sqrt(0.4 + 1e-6)*2 = 0.0031622737,
     *      acc = 0.1*d^2 = 9.999975e-7, x = 1 - d = 0.9968377263
     * t=2: sq = 0.9*0.4 + 0.1*1 = 0.46, d = sqrt(acc + 1e-6)/sqrt(0.46 + 1e-6)*1 = 0.0020851406,
     *      acc = 0.9*9.999975e-7 + 0.1*d^2 = 1.3347789e-6, x = 0.9947525857 */
    gn_optim_hparams hp = hparams("adadelta", 1.0);
    gn_optim *o = make("adadelta", 1, &hp);
    float x = 1.0f, g = 2.0f;
    step(o, &x, &g);
    expect_near(x, 0.9968377263, TOL);
    expect_near(gn_optim_state(o, 0, 0), 0.4, TOL);
    expect_near(gn_optim_state(o, 1, 0), 9.999975e-7, 1e-5);
    g = 1.0f;
    step(o, &x, &g);
    expect_near(x, 0.9947525857, TOL);
    cr_expect_eq(gn_optim_n_states(o), 2);
    expect_state_name(o, 0, "square_avg");
    expect_state_name(o, 1, "acc_delta");
    expect_near(gn_optim_state(o, 0, 0), 0.46, TOL);
    expect_near(gn_optim_state(o, 1, 0), 1.3347789e-6, 1e-5);
    gn_optim_free(o);
}

Test(optim, coordinates_are_independent) {
    /* Each coordinate follows its own 1-element run (here: Adam, x = 1, g = 2 -> 0.9). */
    gn_optim_hparams hp = hparams("adam", 0.1);
    gn_optim *o = make("adam", 3, &hp);
    float x[3] = {1.0f, 5.0f, -1.0f}, g[3] = {2.0f, 0.0f, -4.0f};
    step(o, x, g);
    expect_near(x[0], 0.9, TOL);
    cr_expect_eq(x[1], 5.0f); /* zero gradient: m = v = 0, update 0/(0 + eps) */
    expect_near(x[2], -0.9, TOL);
    expect_near(gn_optim_state(o, 0, 2), -0.4, TOL);
    cr_expect(isnan(gn_optim_state(o, 0, 3))); /* i out of range */
    cr_expect(isnan(gn_optim_state(o, 0, -1)));
    cr_expect(isnan(gn_optim_state(o, 4, 0))); /* k out of range */
    gn_optim_free(o);
}

/* ---- errors ------------------------------------------------------------ */

Test(optim, unknown_name) {
    gn_error err = {0};
    gn_optim_hparams hp;
    cr_expect_eq(gn_optim_defaults("lbfgs", &hp, &err), GN_ERR_NOT_FOUND);
    cr_expect(strstr(err.msg, "lbfgs") != NULL, "%s", err.msg);

    err = (gn_error){0};
    cr_expect_null(gn_optim_new("Adam", 4, NULL, &err)); /* names are case-sensitive */
    cr_expect_eq(err.status, GN_ERR_NOT_FOUND);
    cr_expect(strstr(err.msg, "'Adam'") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, GN_OPTIM_CHOICES) != NULL, "%s", err.msg);

    err = (gn_error){0};
    cr_expect_null(gn_optim_new(NULL, 4, NULL, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_eq(gn_optim_defaults("sgd", NULL, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_optim_defaults("nope", &hp, NULL), GN_ERR_NOT_FOUND); /* err may be NULL */
}

Test(optim, bad_size_rejected) {
    const int64_t sizes[] = {0, -1, INT64_MIN};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        gn_error err = {0};
        cr_expect_null(gn_optim_new("sgd", sizes[k], NULL, &err));
        cr_expect_eq(err.status, GN_ERR_INVALID, "n = %lld", (long long)sizes[k]);
        cr_expect(strstr(err.msg, "sgd") != NULL, "%s", err.msg);
    }
}

/* gn_optim_new(name) with the double `field` (at offset `off`) of the defaults set to v
 * must fail with INVALID and a message naming the optimizer and the field. */
static void expect_rejected(const char *name, size_t off, const char *field, double v) {
    gn_optim_hparams hp = hparams(name, 0.1);
    memcpy((char *)&hp + off, &v, sizeof v);
    gn_error err = {0};
    gn_optim *o = gn_optim_new(name, 4, &hp, &err);
    cr_expect_null(o, "%s accepted %s = %g", name, field, v);
    gn_optim_free(o);
    cr_expect_eq(err.status, GN_ERR_INVALID, "%s %s = %g: status %d", name, field, v, err.status);
    cr_expect(strstr(err.msg, field) != NULL && strstr(err.msg, name) != NULL,
              "message '%s' should name %s and %s", err.msg, name, field);
}

#define HP(f) offsetof(gn_optim_hparams, f), #f

Test(optim, bad_hparams_rejected) {
    const double bad_rate[] = {-0.1, NAN, INFINITY};
    for (size_t k = 0; k < N_ALGOS; k++) {
        for (size_t j = 0; j < sizeof bad_rate / sizeof bad_rate[0]; j++) {
            expect_rejected(all_names[k], HP(lr), bad_rate[j]);
            expect_rejected(all_names[k], HP(weight_decay), bad_rate[j]);
        }
    }
    /* coefficients must lie in [0, 1) */
    const double bad_coef[] = {-0.1, 1.0, 1.5, NAN};
    for (size_t j = 0; j < sizeof bad_coef / sizeof bad_coef[0]; j++) {
        const double c = bad_coef[j];
        expect_rejected("adam", HP(beta1), c);
        expect_rejected("adam", HP(beta2), c);
        expect_rejected("adamw", HP(beta1), c);
        expect_rejected("adamw", HP(beta2), c);
        expect_rejected("momentum", HP(momentum), c);
        expect_rejected("nesterov", HP(momentum), c);
        expect_rejected("rmsprop", HP(rho), c);
        expect_rejected("adadelta", HP(rho), c);
    }
    expect_rejected("adam", HP(eps), 0.0);
    expect_rejected("rmsprop", HP(eps), -1e-8);
    expect_rejected("adagrad", HP(eps), NAN);
    expect_rejected("adadelta", HP(eps), 0.0);
    expect_rejected("adagrad", HP(initial_accumulator), -1.0);
}

Test(optim, struct_size_checked) {
    gn_optim_hparams hp = hparams("sgd", 0.1);
    hp.struct_size = 0; /* a zeroed struct that never went through gn_optim_defaults */
    gn_error err = {0};
    cr_expect_null(gn_optim_new("sgd", 4, &hp, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "struct_size") != NULL, "%s", err.msg);
}

Test(optim, unused_fields_not_checked) {
    /* sgd reads neither betas nor rho: garbage there must not reject it */
    gn_optim_hparams hp = hparams("sgd", 0.1);
    hp.beta1 = 7.0;
    hp.rho = -3.0;
    hp.momentum = 2.0;
    gn_optim *o = make("sgd", 2, &hp);
    gn_optim_free(o);
}

Test(optim, step_null_arguments) {
    gn_optim *o = make("sgd", 1, NULL);
    float x = 1.0f, g = 1.0f;
    gn_error err = {0};
    cr_expect_eq(gn_optim_step(o, NULL, &g, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_optim_step(o, &x, NULL, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_optim_step(NULL, &x, &g, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_optim_steps(o), 0);
    cr_expect_eq(x, 1.0f);
    gn_optim_free(o);
    gn_optim_free(NULL);
}

/* ---- convergence ------------------------------------------------------- */

Test(optim, minimises_quadratic) {
    /* f(x) = (x - 3)^2, g = 2(x - 3), from both sides of the minimum. */
    struct {
        const char *name;
        double lr;
    } runs[] = {
        {"sgd", 0.1},   {"momentum", 0.1}, {"nesterov", 0.1}, {"adam", 0.1},
        {"adamw", 0.1}, {"rmsprop", 0.1},  {"adagrad", 1.0},  {"adadelta", 1.0},
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        gn_optim_hparams hp = hparams(runs[k].name, runs[k].lr);
        gn_optim *o = make(runs[k].name, 2, &hp);
        float x[2] = {0.0f, 10.0f}, g[2];
        for (int it = 0; it < 3000; it++) {
            for (int i = 0; i < 2; i++)
                g[i] = 2.0f * (x[i] - 3.0f);
            step(o, x, g);
        }
        for (int i = 0; i < 2; i++)
            cr_expect(fabsf(x[i] - 3.0f) < 1e-2f, "%s: x[%d] = %g after 3000 steps", runs[k].name,
                      i, x[i]);
        gn_optim_free(o);
    }
}

/* A trainer's section chooses and tunes the optimizer; "PREFIXkey" beats
 * "key", which beats the PyTorch default. */
Test(optim, from_section_with_prefixes) {
    gn_error err = {0};
    gn_section *s = gn_section_new("train", "t.ini");
    const char *kv[][2] = {{"optimizer", "adam"},
                           {"lr", "0.1"},
                           {"g_lr", "0.5"},
                           {"beta1", "0.5"},
                           {"d_optimizer", "sgd"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        cr_assert_eq(gn_section_set(s, kv[i][0], kv[i][1], (int)i + 1, &err), GN_OK);
    static const gn_param_schema schema[] = {
        GN_OPTIM_SCHEMA("adam"),
        GN_PARAM_FLOAT("g_lr", "", 0, 1, "generator's learning rate"),
        GN_PARAM_CHOICE("d_optimizer", "adam", GN_OPTIM_CHOICES, "discriminator's update rule"),
        GN_PARAM_END,
    };
    cr_assert_eq(gn_section_validate(s, schema, NULL, &err), GN_OK, "%s", err.msg);
    gn_optim_hparams hp;
    const char *name;
    cr_assert_eq(gn_optim_hparams_from_section(s, "g_", &hp, &name, &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(name, "adam");
    cr_expect_float_eq(hp.lr, 0.5, 1e-12);
    cr_expect_float_eq(hp.beta1, 0.5, 1e-12);
    cr_expect_float_eq(hp.beta2, 0.999, 1e-12); /* PyTorch's default */
    cr_assert_eq(gn_optim_hparams_from_section(s, "d_", &hp, &name, &err), GN_OK);
    cr_expect_str_eq(name, "sgd");
    cr_expect_float_eq(hp.lr, 0.1, 1e-12);
    gn_optim *o = gn_optim_from_section(s, NULL, 10, &err);
    cr_assert_not_null(o, "%s", err.msg);
    cr_expect_str_eq(gn_optim_name(o), "adam");
    cr_expect_float_eq(gn_optim_lr(o), 0.1, 1e-12);
    gn_optim_free(o);
    /* The schema refuses an unknown optimizer before any trainer sees it. */
    cr_assert_eq(gn_section_set(s, "optimizer", "adamx", 9, &err), GN_OK);
    cr_expect_neq(gn_section_validate(s, schema, NULL, &err), GN_OK);
    cr_expect(strstr(err.msg, "adamx"), "%s", err.msg);
    gn_section_free(s);
}
