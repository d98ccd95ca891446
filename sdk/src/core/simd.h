/* Internal: GN_SIMD_CLONES marks a hot loop function for two builds, AVX2
 * and the baseline x86-64 one (SSE2), picked once at load time by the CPU
 * (GCC's target_clones). OpenBLAS already does this for GEMMs; the SDK's
 * own elementwise loops, optimizer steps and losses are built for the
 * baseline otherwise. FMA is not enabled, and reductions keep their
 * written order, so both builds give the same bits (checked by building
 * with -DGN_NO_SIMD_CLONES and comparing runs). */
#ifndef GN_SIMD_H
#define GN_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(GN_NO_SIMD_CLONES)
#define GN_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GN_SIMD_CLONES
#endif

#endif
