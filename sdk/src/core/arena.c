/* Growable arena: a chain of blocks; big requests get a block of their own. */
#include <stdlib.h>
#include <string.h>
#include <ganglion/arena.h>

#define GN_ARENA_ALIGN 64

typedef struct gn_block {
    struct gn_block *next;
    size_t size, used;
    unsigned char *mem;
} gn_block;

struct gn_arena {
    gn_block *head; /* current block first */
    size_t block_size, total_used;
};

gn_arena *gn_arena_new(size_t block_size) {
    gn_arena *a = calloc(1, sizeof *a);
    /* aligned_alloc wants sizes that are multiples of the alignment. */
    if (block_size == 0) block_size = (size_t)1 << 20;
    if (a) a->block_size = (block_size + GN_ARENA_ALIGN - 1) & ~(size_t)(GN_ARENA_ALIGN - 1);
    return a;
}

static void free_blocks(gn_block *b) {
    while (b) {
        gn_block *next = b->next;
        free(b->mem);
        free(b);
        b = next;
    }
}

void gn_arena_free(gn_arena *a) {
    if (!a) return;
    free_blocks(a->head);
    free(a);
}

static gn_block *block_new(size_t size) {
    gn_block *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->mem = aligned_alloc(GN_ARENA_ALIGN, size);
    if (!b->mem) {
        free(b);
        return NULL;
    }
    b->size = size;
    return b;
}

void *gn_arena_alloc(gn_arena *a, size_t bytes, gn_error *err) {
    size_t need = (bytes + GN_ARENA_ALIGN - 1) & ~(size_t)(GN_ARENA_ALIGN - 1);
    if (need < bytes) {
        gn_error_set(err, GN_ERR_NOMEM, "arena: request of %zu bytes overflows", bytes);
        return NULL;
    }
    if (need == 0) need = GN_ARENA_ALIGN;
    gn_block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t size = need > a->block_size ? need : a->block_size;
        b = block_new(size);
        if (!b) {
            gn_error_set(err, GN_ERR_NOMEM, "arena: out of memory allocating %zu bytes", size);
            return NULL;
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = b->mem + b->used;
    b->used += need;
    a->total_used += need;
    memset(p, 0, need);
    return p;
}

void gn_arena_reset(gn_arena *a) {
    if (!a || !a->head) return;
    /* Keep the largest block so a steady-state step allocates nothing. */
    gn_block *keep = a->head, *prev = NULL, *keep_prev = NULL;
    for (gn_block *b = a->head; b; prev = b, b = b->next)
        if (b->size > keep->size) {
            keep = b;
            keep_prev = prev;
        }
    if (keep_prev)
        keep_prev->next = keep->next;
    else
        a->head = keep->next;
    keep->next = NULL;
    free_blocks(a->head);
    a->head = keep;
    keep->used = 0;
    a->total_used = 0;
}

size_t gn_arena_used(const gn_arena *a) {
    return a ? a->total_used : 0;
}
