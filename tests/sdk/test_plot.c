/* SVG charts (ganglion/plot.h): document structure, one drawn path per
 * series, escaping, log-scale and empty-plot errors, contours, determinism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/plot.h>

static const double xs[5] = {0, 1, 2, 3, 4}, ys[5] = {1, 3, 2, 5, 4};

/* Renders p (which must succeed) into a malloc'ed string. */
static char *render(const gn_plot *p) {
    gn_error err = {0};
    char *svg = NULL;
    size_t len = 0;
    cr_assert_eq(gn_plot_svg(p, &svg, &len, &err), GN_OK, "%s", err.msg);
    cr_assert_not_null(svg);
    cr_assert_eq(strlen(svg), len);
    return svg;
}

static int count(const char *s, const char *needle) {
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(plot, document_has_a_drawn_path_per_series) {
    gn_error err = {0};
    gn_plot *p = gn_plot_new("Loss", "epoch", "loss");
    cr_assert_not_null(p);
    cr_assert_eq(gn_plot_line(p, "train", xs, ys, 5, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_plot_line(p, "val", xs, ys, 5, &err), GN_OK);
    cr_assert_eq(gn_plot_path(p, "adam", xs, ys, 5, &err), GN_OK);
    cr_assert_eq(gn_plot_n_series(p), 3);
    char *svg = render(p);
    const char *head = "<svg xmlns=\"http://www.w3.org/2000/svg\"";
    cr_assert(!strncmp(svg, head, strlen(head)), "%.80s", svg);
    size_t n = strlen(svg);
    cr_assert(n > 7 && !strcmp(svg + n - 7, "</svg>\n"), "%s", svg + n - 20);
    cr_assert_eq(count(svg, "<g class=\"series\">"), 3, "one group per series");
    /* lines: one stroked path; the optimizer path: a halo and the line */
    cr_assert_eq(count(svg, "stroke-linejoin=\"round\" stroke-linecap=\"round\" d=\"M"), 4, "%s",
                 svg);
    cr_assert(strstr(svg, ">train</text>") && strstr(svg, ">val</text>") &&
                  strstr(svg, ">adam</text>"),
              "legend labels");
    cr_assert(strstr(svg, "<circle"), "a path has dots and start/end markers");
    cr_assert_eq(count(svg, "<svg"), 1);
    cr_assert_eq(count(svg, "<g"), count(svg, "</g>"), "balanced groups");
    cr_assert(strstr(svg, ">Loss</text>") && strstr(svg, ">epoch</text>"));
    free(svg);
    gn_plot_free(p);
}

Test(plot, labels_are_escaped) {
    gn_error err = {0};
    gn_plot *p = gn_plot_new("a < b & \"c\"", "x", "y");
    cr_assert_eq(gn_plot_line(p, "lr<0.1 & m>0.9", xs, ys, 5, &err), GN_OK);
    char *svg = render(p);
    cr_assert(strstr(svg, "lr&lt;0.1 &amp; m&gt;0.9"), "%s", svg);
    cr_assert(strstr(svg, "a &lt; b &amp; &quot;c&quot;"));
    cr_assert_null(strstr(svg, "lr<0.1"));
    cr_assert_null(strstr(svg, "& m"));
    free(svg);
    gn_plot_free(p);
}

Test(plot, nan_breaks_a_line) {
    gn_error err = {0};
    double y[5] = {1, 2, NAN, 4, 5};
    gn_plot *p = gn_plot_new("t", "x", "y");
    cr_assert_eq(gn_plot_line(p, "broken", xs, y, 5, &err), GN_OK);
    char *svg = render(p);
    const char *d = strstr(svg, "stroke-linecap=\"round\" d=\"");
    cr_assert_not_null(d);
    d += strlen("stroke-linecap=\"round\" d=\"");
    int moves = 0;
    for (; *d != '"'; d++)
        moves += *d == 'M';
    cr_assert_eq(moves, 2, "two pieces around the NaN");
    free(svg);
    gn_plot_free(p);
}

Test(plot, log_scale_rejects_non_positive_values) {
    gn_error err = {0};
    double y[3] = {1, 0, 3}, neg[3] = {1, -2, 3}, pos[3] = {0.001, 10, 1000};
    gn_plot *p = gn_plot_new("t", "x", "y");
    cr_assert_eq(gn_plot_line(p, "zero", xs, y, 3, &err), GN_OK);
    cr_assert_eq(gn_plot_set_log_y(p, 1, &err), GN_ERR_INVALID);
    cr_assert(strstr(err.msg, "zero") && strstr(err.msg, "> 0"), "%s", err.msg);
    gn_plot_free(p);

    p = gn_plot_new("t", "x", "y");
    cr_assert_eq(gn_plot_set_log_y(p, 1, &err), GN_OK);
    cr_assert_eq(gn_plot_line(p, "neg", xs, neg, 3, &err), GN_ERR_INVALID);
    cr_assert(strstr(err.msg, "-2"), "%s", err.msg);
    cr_assert_eq(gn_plot_set_yrange(p, 0, 10, &err), GN_ERR_INVALID);
    cr_assert_eq(gn_plot_line(p, "pos", xs, pos, 3, &err), GN_OK, "%s", err.msg);
    char *svg = render(p);
    cr_assert(strstr(svg, "10<tspan"), "decades as powers of ten: %s", svg);
    free(svg);
    gn_plot_free(p);
}

Test(plot, empty_plot_is_an_error) {
    gn_error err = {0};
    gn_plot *p = gn_plot_new("nothing", "x", "y");
    char *svg = (char *)1;
    size_t len = 1;
    cr_assert_eq(gn_plot_svg(p, &svg, &len, &err), GN_ERR_INVALID);
    cr_assert_null(svg);
    cr_assert_eq(len, 0);
    cr_assert(strstr(err.msg, "nothing to draw"), "%s", err.msg);
    double nan2[2] = {NAN, NAN};
    cr_assert_eq(gn_plot_line(p, "all nan", nan2, nan2, 2, &err), GN_OK);
    cr_assert_eq(gn_plot_svg(p, &svg, &len, &err), GN_ERR_INVALID);
    gn_plot_free(p);
}

Test(plot, bad_arguments_are_errors) {
    gn_error err = {0};
    gn_plot *p = gn_plot_new(NULL, NULL, NULL);
    cr_assert_eq(gn_plot_set_color(p, 0xff0000, &err), GN_ERR_INVALID, "no series yet");
    cr_assert_eq(gn_plot_line(p, "x", NULL, ys, 5, &err), GN_ERR_INVALID);
    cr_assert_eq(gn_plot_set_xrange(p, 1, 1, &err), GN_ERR_INVALID);
    cr_assert_eq(gn_plot_set_xrange(p, 0, INFINITY, &err), GN_ERR_INVALID);
    cr_assert_eq(gn_plot_set_size(p, 10, 10, &err), GN_ERR_INVALID);
    double v[4] = {0, 1, 2, 3};
    cr_assert_eq(gn_plot_contour(p, v, 1, 4, 0, 1, 0, 1, 10, GN_PLOT_CONTOUR_LINEAR, &err),
                 GN_ERR_INVALID);
    cr_assert_eq(gn_plot_contour(p, v, 2, 2, 0, 1, 0, 1, 10, 7, &err), GN_ERR_INVALID);
    gn_plot_free(p);
    gn_plot_free(NULL);
}

Test(plot, contour_background_with_levels_and_colour_bar) {
    gn_error err = {0};
    enum { W = 41, H = 31 };
    double v[W * H];
    for (int j = 0; j < H; j++)
        for (int i = 0; i < W; i++) {
            double x = -2 + 4.0 * i / (W - 1), y = -1 + 2.0 * j / (H - 1);
            v[j * W + i] = x * x + 4 * y * y; /* 0 .. 8 */
        }
    gn_plot *p = gn_plot_new("bowl", "x", "y");
    cr_assert_eq(gn_plot_contour(p, v, W, H, -2, 2, -1, 1, 8, GN_PLOT_CONTOUR_LINEAR, &err), GN_OK,
                 "%s", err.msg);
    double px[3] = {-1.5, -0.5, 0}, py[3] = {0.8, 0.2, 0};
    cr_assert_eq(gn_plot_path(p, "sgd", px, py, 3, &err), GN_OK);
    char *svg = render(p);
    /* levels 1..7 between min 0 and max 8: 8 filled bands, one isoline path */
    int bands = count(svg, "stroke-width=\"0.6\" d=\"M");
    cr_assert_eq(bands, 8, "%d bands", bands);
    cr_assert(strstr(svg, "stroke-opacity=\"0.3\""), "isolines");
    for (int k = 1; k <= 7; k++) {
        char label[32];
        snprintf(label, sizeof label, ">%d</text>", k);
        cr_assert(strstr(svg, label), "colour bar label %d", k);
    }
    cr_assert(strstr(svg, "clip-path=\"url(#gn"), "series are clipped to the plot area");
    free(svg);
    gn_plot_free(p);
}

Test(plot, same_calls_give_the_same_bytes) {
    gn_error err = {0};
    char *a = NULL;
    for (int k = 0; k < 2; k++) {
        gn_plot *p = gn_plot_new("same", "x", "y");
        cr_assert_eq(gn_plot_path(p, "a", xs, ys, 5, &err), GN_OK);
        cr_assert_eq(gn_plot_set_color(p, 0x123456, &err), GN_OK);
        char *svg = render(p);
        cr_assert(strstr(svg, "#123456"));
        if (k == 0)
            a = svg;
        else {
            cr_assert_str_eq(svg, a);
            free(svg);
        }
        gn_plot_free(p);
    }
    free(a);
}
