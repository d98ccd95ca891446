/* Plugin loader: the accept rule and its refusals, with real .so files. */
#include <criterion/criterion.h>
#include <string.h>
#include <ganglion/ganglion.h>
#include "loader/loader.h"

static gn_registry *reg;
static gn_loader *ld;

static void setup(void) {
    gn_error err = {0};
    reg = gn_registry_new(&err);
    cr_assert_not_null(reg, "%s", err.msg);
    ld = gn_loader_new(reg, GN_TEST_BROKEN_DIR ":" GN_TEST_PLUGIN_DIR, &err);
    cr_assert_not_null(ld, "%s", err.msg);
}

static void teardown(void) {
    gn_loader_free(ld);
    gn_registry_free(reg);
}

TestSuite(loader, .init = setup, .fini = teardown);

static void expect_refusal(const char *stem, gn_status status, const char *needle) {
    gn_error err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.so", GN_TEST_BROKEN_DIR, stem);
    gn_status st = gn_loader_load_file(ld, path, &err);
    cr_assert_eq(st, status, "%s: status %d (%s)", stem, st, err.msg);
    cr_assert(strstr(err.msg, needle), "%s: message '%s' lacks '%s'", stem, err.msg, needle);
    cr_assert(strstr(err.msg, path), "message names the file: %s", err.msg);
}

Test(loader, refuses_other_abi_major) {
    char want[64];
    snprintf(want, sizeof want, "built for ABI %d.%d, host is %d.%d", GN_ABI_MAJOR + 1,
             GN_ABI_MINOR, GN_ABI_MAJOR, GN_ABI_MINOR);
    expect_refusal("abi_major", GN_ERR_ABI, want);
}

Test(loader, refuses_newer_minor) {
    char want[64];
    snprintf(want, sizeof want, "built for ABI %d.%d, host is %d.%d", GN_ABI_MAJOR,
             GN_ABI_MINOR + 1, GN_ABI_MAJOR, GN_ABI_MINOR);
    expect_refusal("abi_minor", GN_ERR_ABI, want);
}

Test(loader, refuses_missing_entry) {
    expect_refusal("no_entry", GN_ERR_ABI, "no entry symbol");
}

Test(loader, reports_failing_init) {
    expect_refusal("init_fails", GN_ERR_IO, "init failed: cannot open /nonexistent/weights.bin");
}

Test(loader, refuses_duplicate_plugin_name) {
    gn_error err = {0};
    cr_assert_eq(gn_loader_load(ld, "classifiers", &err), GN_OK, "%s", err.msg);
    char path[1024];
    snprintf(path, sizeof path, "%s/dup_name.so", GN_TEST_BROKEN_DIR);
    cr_assert_neq(gn_loader_load_file(ld, path, &err), GN_OK);
    cr_assert(strstr(err.msg, "'classifiers' is already taken"), "%s", err.msg);
    cr_assert(strstr(err.msg, "dup_name.so") && strstr(err.msg, "/classifiers.so"),
              "names both plugins: %s", err.msg);
}

Test(loader, refuses_duplicate_item) {
    expect_refusal("dup_item", GN_ERR_INVALID, "duplicate layer 'dup_item.identity'");
}

Test(loader, loads_good_plugin_and_registers) {
    gn_error err = {0};
    cr_assert_eq(gn_loader_load(ld, "example", &err), GN_OK, "%s", err.msg);
    cr_assert_not_null(gn_registry_find(reg, GN_KIND_LAYER, "example.scale", &err));
    cr_assert_not_null(gn_registry_find(reg, GN_KIND_COMMAND, "hello", &err));
    cr_assert_eq(gn_loader_count(ld), 1);
    cr_assert_str_eq(gn_loader_desc(ld, 0)->version, "1.0.0");
    cr_assert_eq(gn_loader_load(ld, "example", &err), GN_OK, "loading twice is a no-op");
    cr_assert_eq(gn_loader_count(ld), 1);
}

Test(loader, missing_plugin_lists_search_path) {
    gn_error err = {0};
    cr_assert_eq(gn_loader_load(ld, "nosuchplugin", &err), GN_ERR_NOT_FOUND);
    cr_assert(strstr(err.msg, "nosuchplugin.so") && strstr(err.msg, GN_TEST_BROKEN_DIR), "%s",
              err.msg);
}

static void count_refusal(const gn_error *e, void *ud) {
    (void)e;
    ++*(int *)ud;
}

Test(loader, load_all_keeps_going_past_refusals) {
    int seen = 0;
    int refused = gn_loader_load_all(ld, count_refusal, &seen);
    /* abi_major, abi_minor, no_entry, init_fails, dup_item refused; dup_name
     * loads (as "classifiers") before the real one, which is then refused. */
    cr_assert_eq(refused, seen);
    cr_assert_geq(refused, 5, "refused %d", refused);
    gn_error err = {0};
    cr_assert_not_null(gn_registry_find(reg, GN_KIND_COMMAND, "hello", &err), "%s", err.msg);
}

Test(loader, ambiguous_bare_name_names_both_plugins) {
    gn_error err = {0};
    static const gn_op_vtable fake = {.struct_size = sizeof(gn_op_vtable), .name = "relu"};
    cr_assert_eq(gn_registry_add(reg, GN_KIND_OP, "other", "relu", &fake, &err), GN_OK);
    cr_assert_null(gn_registry_find(reg, GN_KIND_OP, "relu", &err));
    cr_assert(strstr(err.msg, "'core'") && strstr(err.msg, "'other'"), "%s", err.msg);
    cr_assert_eq(gn_registry_find(reg, GN_KIND_OP, "other.relu", &err), &fake);
}
