#include "src/kernels/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "src/core/simd.h"

namespace initrepro {
namespace {

// A(i0 .. i0+mr-1, 0 .. k-1) packed k-major: panel[kk * MR + r]; rows past mr
// are zero (their results are computed and discarded).
void PackA(StridedMatrix a, int64_t i0, int64_t mr, int mr_max, int64_t k,
           double* panel) {
  for (int64_t kk = 0; kk < k; ++kk) {
    const double* column = a.data + kk * a.col_stride + i0 * a.row_stride;
    double* out = panel + kk * mr_max;
    int64_t r = 0;
    for (; r < mr; ++r) out[r] = column[r * a.row_stride];
    for (; r < mr_max; ++r) out[r] = 0.0;
  }
}

// B(0 .. k-1, j0 .. j0+nr-1) packed row by row into nr_max-wide rows.
void PackB(const double* b, int64_t ldb, int64_t j0, int64_t nr, int nr_max,
           int64_t k, double* panel) {
  for (int64_t kk = 0; kk < k; ++kk) {
    const double* row = b + kk * ldb + j0;
    double* out = panel + kk * nr_max;
    int64_t c = 0;
    for (; c < nr; ++c) out[c] = row[c];
    for (; c < nr_max; ++c) out[c] = 0.0;
  }
}

// Register blocking only works if the accumulator loops are fully unrolled
// (otherwise GCC keeps acc[][] in memory), hence the unroll pragmas.
//
// Every micro-kernel computes an MR x NR tile:
//   tile[r][c] = init[c]; for kk: tile[r][c] = fma(pa[kk][r], pb[kk][c], .)
// The three versions differ only in how many c they do per instruction.
template <int MR, int NR>
void KernelScalar(int64_t k, const double* pa, const double* pb,
                  const double* init, double* tile) {
  double acc[MR][NR];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NR; ++c) acc[r][c] = init[c];
  for (int64_t kk = 0; kk < k; ++kk) {
    const double* brow = pb + kk * NR;
    const double* acol = pa + kk * MR;
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
      for (int c = 0; c < NR; ++c)
        acc[r][c] = std::fma(acol[r], brow[c], acc[r][c]);
  }
  std::memcpy(tile, acc, sizeof(acc));
}

__attribute__((target("avx2,fma"))) void KernelAvx2(
    int64_t k, const double* pa, const double* pb, const double* init,
    double* tile) {
  constexpr int MR = 6;  // 6 x 8 tile: 12 ymm accumulators
  __m256d acc[MR][2];
  const __m256d init0 = _mm256_loadu_pd(init);
  const __m256d init1 = _mm256_loadu_pd(init + 4);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = init0;
    acc[r][1] = init1;
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const __m256d b0 = _mm256_loadu_pd(pb + kk * 8);
    const __m256d b1 = _mm256_loadu_pd(pb + kk * 8 + 4);
    const double* acol = pa + kk * MR;
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m256d av = _mm256_broadcast_sd(acol + r);
      acc[r][0] = _mm256_fmadd_pd(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_pd(av, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    _mm256_storeu_pd(tile + r * 8, acc[r][0]);
    _mm256_storeu_pd(tile + r * 8 + 4, acc[r][1]);
  }
}

__attribute__((target("avx512f,fma"))) void KernelAvx512(
    int64_t k, const double* pa, const double* pb, const double* init,
    double* tile) {
  constexpr int MR = 12;  // 12 x 16 tile: 24 zmm accumulators
  __m512d acc[MR][2];
  const __m512d init0 = _mm512_loadu_pd(init);
  const __m512d init1 = _mm512_loadu_pd(init + 8);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = init0;
    acc[r][1] = init1;
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const __m512d b0 = _mm512_loadu_pd(pb + kk * 16);
    const __m512d b1 = _mm512_loadu_pd(pb + kk * 16 + 8);
    const double* acol = pa + kk * MR;
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512d av = _mm512_set1_pd(acol[r]);
      acc[r][0] = _mm512_fmadd_pd(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_pd(av, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    _mm512_storeu_pd(tile + r * 16, acc[r][0]);
    _mm512_storeu_pd(tile + r * 16 + 8, acc[r][1]);
  }
}

using MicroKernel = void (*)(int64_t, const double*, const double*,
                             const double*, double*);

// Runs `body(begin, end)` over [0, count) split into `threads` contiguous
// ranges. Which thread computes a range never changes any bit of the result.
template <typename Body>
void ParallelRanges(int64_t count, int threads, const Body& body) {
  threads = static_cast<int>(std::max<int64_t>(
      1, std::min<int64_t>(threads, count)));
  if (threads == 1) {
    body(0, count);
    return;
  }
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back(
        [&, t] { body(count * t / threads, count * (t + 1) / threads); });
  }
  body(0, count / threads);
  for (std::thread& w : workers) w.join();
}

template <int MR, int NR>
void GemmTiled(MicroKernel kernel, int64_t m, int64_t n, int64_t k,
               StridedMatrix a, const double* b, int64_t ldb,
               const double* init, double* c, int64_t ldc, int threads) {
  const int64_t panels = (n + NR - 1) / NR;
  std::vector<double> packed_b(static_cast<size_t>(panels * k * NR));
  std::vector<double> packed_init(static_cast<size_t>(panels * NR), 0.0);
  for (int64_t p = 0; p < panels; ++p) {
    const int64_t j0 = p * NR, nr = std::min<int64_t>(NR, n - j0);
    PackB(b, ldb, j0, nr, NR, k, packed_b.data() + p * k * NR);
    if (init != nullptr) {
      std::copy(init + j0, init + j0 + nr, packed_init.begin() + p * NR);
    }
  }
  const int64_t tiles = (m + MR - 1) / MR;
  ParallelRanges(tiles, threads, [&](int64_t begin, int64_t end) {
    std::vector<double> packed_a(static_cast<size_t>(k * MR));
    alignas(64) double tile[MR * NR];
    for (int64_t t = begin; t < end; ++t) {
      const int64_t i0 = t * MR, mr = std::min<int64_t>(MR, m - i0);
      PackA(a, i0, mr, MR, k, packed_a.data());
      for (int64_t p = 0; p < panels; ++p) {
        const int64_t j0 = p * NR, nr = std::min<int64_t>(NR, n - j0);
        kernel(k, packed_a.data(), packed_b.data() + p * k * NR,
               packed_init.data() + p * NR, tile);
        for (int64_t r = 0; r < mr; ++r) {
          std::copy(tile + r * NR, tile + r * NR + nr,
                    c + (i0 + r) * ldc + j0);
        }
      }
    }
  });
}

}  // namespace

void Gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const double* b,
          int64_t ldb, const double* init, double* c, int64_t ldc,
          int threads) {
  if (m <= 0 || n <= 0) return;
  switch (ActiveSimd()) {
    case SimdLevel::kAvx512:
      GemmTiled<12, 16>(KernelAvx512, m, n, k, a, b, ldb, init, c, ldc,
                        threads);
      return;
    case SimdLevel::kAvx2:
      GemmTiled<6, 8>(KernelAvx2, m, n, k, a, b, ldb, init, c, ldc, threads);
      return;
    case SimdLevel::kScalar:
      GemmTiled<4, 8>(KernelScalar<4, 8>, m, n, k, a, b, ldb, init, c, ldc,
                      threads);
      return;
  }
}

}  // namespace initrepro
