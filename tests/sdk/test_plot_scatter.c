/* Scatter plots coloured by class: points, legend, escaping, bad input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/plot.h>

static int count(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

Test(plot_scatter, points_per_class_and_a_legend_of_names) {
    const double x[5] = {0, 1, 2, NAN, -1}, y[5] = {0, 1, 0.5, 2, 3};
    const int32_t c[5] = {0, 1, 1, 2, 2};
    const char *const names[3] = {"T-shirt/top", "Trouser", NULL};
    char *svg = NULL;
    size_t len = 0;
    gn_error err = {0};
    cr_assert_eq(
        gn_plot_scatter_svg("Latent <codes>", "z1", "z2", x, y, c, 5, 3, names, &svg, &len, &err),
        GN_OK, "%s", err.msg);
    cr_assert_eq(strlen(svg), len);
    cr_expect(!strncmp(svg, "<svg ", 5));
    cr_expect(strstr(svg, "</svg>\n"));
    /* 4 finite points + 3 legend markers */
    cr_expect_eq(count(svg, "<circle"), 4 + 3, "%s", svg);
    cr_expect(strstr(svg, ">T-shirt/top</text>"), "%s", svg);
    cr_expect(strstr(svg, ">Trouser</text>"));
    cr_expect(strstr(svg, ">class 2</text>"), "NULL name falls back to 'class k'");
    cr_expect(strstr(svg, "Latent &lt;codes&gt;"), "title escaped");
    cr_expect(strstr(svg, ">z1</text>") && strstr(svg, ">z2</text>"));
    cr_expect_eq(count(svg, "<g class=\"class\""), 3);
    free(svg);
}

Test(plot_scatter, same_input_same_bytes) {
    const double x[3] = {0.5, -0.25, 3}, y[3] = {1, 2, 3};
    const int32_t c[3] = {0, 0, 1};
    char *a = NULL, *b = NULL;
    size_t la, lb;
    gn_error err = {0};
    cr_assert_eq(gn_plot_scatter_svg("t", NULL, NULL, x, y, c, 3, 2, NULL, &a, &la, &err), GN_OK);
    cr_assert_eq(gn_plot_scatter_svg("t", NULL, NULL, x, y, c, 3, 2, NULL, &b, &lb, &err), GN_OK);
    cr_assert_eq(la, lb);
    cr_expect(!memcmp(a, b, la));
    free(a), free(b);
}

Test(plot_scatter, bad_input_is_an_error) {
    const double x[2] = {0, 1}, y[2] = {0, 1}, nan2[2] = {NAN, INFINITY};
    const int32_t c[2] = {0, 3}, ok[2] = {0, 0};
    char *svg = (char *)1;
    gn_error err = {0};
    cr_expect_eq(gn_plot_scatter_svg("t", "", "", x, y, c, 2, 2, NULL, &svg, NULL, &err),
                 GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "class 3"), "%s", err.msg);
    cr_expect_null(svg);
    cr_expect_eq(gn_plot_scatter_svg("t", "", "", NULL, y, ok, 2, 1, NULL, &svg, NULL, &err),
                 GN_ERR_INVALID);
    cr_expect_eq(gn_plot_scatter_svg("t", "", "", x, y, ok, 0, 1, NULL, &svg, NULL, &err),
                 GN_ERR_INVALID);
    cr_expect_eq(gn_plot_scatter_svg("t", "", "", x, y, ok, 2, 0, NULL, &svg, NULL, &err),
                 GN_ERR_INVALID);
    cr_expect_eq(gn_plot_scatter_svg("t", "", "", nan2, y, ok, 2, 1, NULL, &svg, NULL, &err),
                 GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "no finite point"), "%s", err.msg);
    cr_expect_eq(gn_plot_scatter_svg("t", "", "", x, y, ok, 2, 1, NULL, NULL, NULL, &err),
                 GN_ERR_INVALID);
}
