#include "src/kernels/gemm.h"

// GCC 12's AVX-512 headers trip a false -Wmaybe-uninitialized on their own
// _mm512_undefined_pd() (GCC bug 105593); silence it for the header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "src/core/simd.h"
#include "src/kernels/parallel.h"

#define INITREPRO_AVX512 __attribute__((target("avx512f,fma")))
#define INITREPRO_AVX2 __attribute__((target("avx2,fma")))

namespace initrepro {
namespace {

// One micro-tile: rows [0, MR) x columns [0, n_valid) of C over one K block.
// Every pointer is already offset to the tile's first row / column / k.
// Neither A nor B nor C is packed: B and C rows are read in place (masked at
// the right edge), A through its non-unit stride.
struct Tile {
  int64_t k;
  const double* a;
  // kAT: A(r, kk) = a[kk * a_stride + r]; else a[r * a_stride + kk].
  int64_t a_stride;
  const double* b;
  int64_t ldb;
  double* c;
  int64_t ldc;
  ChainStart start;
  const double* bias;   // kBias: at the tile's first column
  const double* scale;  // null, or at the tile's (row 0, column 0)
  int64_t ld_scale;
  int n_valid;  // columns of this panel, 1 .. panel width
};
using TileFn = void (*)(const Tile&);

// Register blocking only works if the accumulator loops are fully unrolled
// (otherwise GCC keeps acc[][] in memory), hence the unroll pragmas. Every
// micro-kernel computes, for r < MR and valid c:
//   acc = start; for kk: acc = fma(A(r,kk), B[kk][c], acc); C = acc [* scale]
// The versions differ only in how many c they do per instruction.

// ---- AVX-512: MR x 8*NV, MR <= 12 (24 zmm accumulators) --------------------
template <int MR, int NV, bool kPartial, bool kAT>
INITREPRO_AVX512 void TileAvx512(const Tile& t) {
  const __mmask8 last =
      kPartial ? static_cast<__mmask8>((1u << (t.n_valid - 8 * (NV - 1))) - 1u)
               : static_cast<__mmask8>(0xFF);
  __m512d acc[MR][NV];
  if (t.start == ChainStart::kContinue) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const double* p = t.c + r * t.ldc + 8 * v;
        acc[r][v] = (kPartial && v == NV - 1) ? _mm512_maskz_loadu_pd(last, p)
                                              : _mm512_loadu_pd(p);
      }
    }
  } else {
    __m512d init[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (t.start == ChainStart::kBias) {
        init[v] = (kPartial && v == NV - 1)
                      ? _mm512_maskz_loadu_pd(last, t.bias + 8 * v)
                      : _mm512_loadu_pd(t.bias + 8 * v);
      } else {
        init[v] = _mm512_setzero_pd();
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = init[v];
    }
  }
  // Row-major A: rows 3g, 3g+1, 3g+2 are read as q[g][0], q[g][as],
  // q[g][2 as] (base + index * scale addressing), so 4 bases and one index
  // register address 12 rows without spilling offsets.
  const double* pa = t.a;
  const double* pb = t.b;
  const int64_t as = t.a_stride;
  const int64_t ldb = t.ldb;
  const double* q[(MR + 2) / 3];
#pragma GCC unroll 4
  for (int g = 0; g < (MR + 2) / 3; ++g) q[g] = t.a + 3 * g * as;
#pragma GCC unroll 2
  for (int64_t kk = 0; kk < t.k; ++kk) {
    __m512d bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      bv[v] = (kPartial && v == NV - 1)
                  ? _mm512_maskz_loadu_pd(last, pb + 8 * v)
                  : _mm512_loadu_pd(pb + 8 * v);
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512d av =
          _mm512_set1_pd(kAT ? pa[r] : q[r / 3][(r % 3) * as]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        acc[r][v] = _mm512_fmadd_pd(av, bv[v], acc[r][v]);
      }
    }
    if (kAT) {
      pa += as;
    } else {
#pragma GCC unroll 4
      for (int g = 0; g < (MR + 2) / 3; ++g) ++q[g];
    }
    pb += ldb;
  }
  if (t.scale != nullptr) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const double* p = t.scale + r * t.ld_scale + 8 * v;
        acc[r][v] = _mm512_mul_pd(acc[r][v],
                                  (kPartial && v == NV - 1)
                                      ? _mm512_maskz_loadu_pd(last, p)
                                      : _mm512_loadu_pd(p));
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      double* p = t.c + r * t.ldc + 8 * v;
      if (kPartial && v == NV - 1) {
        _mm512_mask_storeu_pd(p, last, acc[r][v]);
      } else {
        _mm512_storeu_pd(p, acc[r][v]);
      }
    }
  }
}

// ---- AVX2: MR x 4*NV, MR <= 6 (12 ymm accumulators) ------------------------
INITREPRO_AVX2 inline __m256i LaneMask4(int lanes) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(lanes),
                            _mm256_setr_epi64x(0, 1, 2, 3));
}

template <int MR, int NV, bool kPartial, bool kAT>
INITREPRO_AVX2 void TileAvx2(const Tile& t) {
  const __m256i last = LaneMask4(kPartial ? t.n_valid - 4 * (NV - 1) : 4);
  __m256d acc[MR][NV];
  if (t.start == ChainStart::kContinue) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const double* p = t.c + r * t.ldc + 4 * v;
        acc[r][v] = (kPartial && v == NV - 1) ? _mm256_maskload_pd(p, last)
                                              : _mm256_loadu_pd(p);
      }
    }
  } else {
    __m256d init[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (t.start == ChainStart::kBias) {
        init[v] = (kPartial && v == NV - 1)
                      ? _mm256_maskload_pd(t.bias + 4 * v, last)
                      : _mm256_loadu_pd(t.bias + 4 * v);
      } else {
        init[v] = _mm256_setzero_pd();
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = init[v];
    }
  }
  const double* pa = t.a;
  const double* pb = t.b;
  const int64_t as = t.a_stride;
  const int64_t ldb = t.ldb;
  for (int64_t kk = 0; kk < t.k; ++kk) {
    __m256d bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      bv[v] = (kPartial && v == NV - 1) ? _mm256_maskload_pd(pb + 4 * v, last)
                                        : _mm256_loadu_pd(pb + 4 * v);
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m256d av = _mm256_broadcast_sd(kAT ? pa + r : pa + r * as);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        acc[r][v] = _mm256_fmadd_pd(av, bv[v], acc[r][v]);
      }
    }
    pa += kAT ? as : 1;
    pb += ldb;
  }
  if (t.scale != nullptr) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const double* p = t.scale + r * t.ld_scale + 4 * v;
        acc[r][v] = _mm256_mul_pd(acc[r][v], (kPartial && v == NV - 1)
                                                 ? _mm256_maskload_pd(p, last)
                                                 : _mm256_loadu_pd(p));
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      double* p = t.c + r * t.ldc + 4 * v;
      if (kPartial && v == NV - 1) {
        _mm256_maskstore_pd(p, last, acc[r][v]);
      } else {
        _mm256_storeu_pd(p, acc[r][v]);
      }
    }
  }
}

// ---- Scalar: MR x up to 8 columns; std::fma is a libm call here ------------
template <int MR, bool kAT>
void TileScalar(const Tile& t) {
  constexpr int kNr = 8;
  const int nv = t.n_valid;
  double acc[MR][kNr];
  for (int r = 0; r < MR; ++r) {
    for (int c = 0; c < nv; ++c) {
      acc[r][c] = t.start == ChainStart::kContinue ? t.c[r * t.ldc + c]
                  : t.start == ChainStart::kBias   ? t.bias[c]
                                                   : 0.0;
    }
  }
  const double* pa = t.a;
  const double* pb = t.b;
  for (int64_t kk = 0; kk < t.k; ++kk) {
    for (int r = 0; r < MR; ++r) {
      const double av = kAT ? pa[r] : pa[r * t.a_stride];
      for (int c = 0; c < nv; ++c) acc[r][c] = std::fma(av, pb[c], acc[r][c]);
    }
    pa += kAT ? t.a_stride : 1;
    pb += t.ldb;
  }
  for (int r = 0; r < MR; ++r) {
    for (int c = 0; c < nv; ++c) {
      t.c[r * t.ldc + c] =
          t.scale != nullptr ? acc[r][c] * t.scale[r * t.ld_scale + c]
                             : acc[r][c];
    }
  }
}

// ---- Dispatch tables: [kAT][panel kind][MR - 1] ----------------------------
// Panel kinds: 0 = full panel (NV vectors), 1 = partial panel needing all NV
// vectors (last one masked), 2 = partial panel of at most one vector.
constexpr int kMaxMr = 12;
using TileTable = std::array<std::array<std::array<TileFn, kMaxMr>, 3>, 2>;

template <int NV, bool P, bool T, std::size_t... I>
constexpr std::array<TileFn, kMaxMr> Avx512Row(std::index_sequence<I...>) {
  return {{&TileAvx512<static_cast<int>(I) + 1, NV, P, T>...}};
}
template <bool T>
constexpr std::array<std::array<TileFn, kMaxMr>, 3> Avx512Kinds() {
  constexpr auto seq = std::make_index_sequence<kMaxMr>();
  return {{Avx512Row<2, false, T>(seq), Avx512Row<2, true, T>(seq),
           Avx512Row<1, true, T>(seq)}};
}

constexpr int kAvx2MaxMr = 6;
template <int NV, bool P, bool T, std::size_t... I>
constexpr std::array<TileFn, kMaxMr> Avx2Row(std::index_sequence<I...>) {
  return {{&TileAvx2<static_cast<int>(I) + 1, NV, P, T>...}};
}
template <bool T>
constexpr std::array<std::array<TileFn, kMaxMr>, 3> Avx2Kinds() {
  constexpr auto seq = std::make_index_sequence<kAvx2MaxMr>();
  return {{Avx2Row<2, false, T>(seq), Avx2Row<2, true, T>(seq),
           Avx2Row<1, true, T>(seq)}};
}

constexpr int kScalarMaxMr = 4;
template <bool T, std::size_t... I>
constexpr std::array<TileFn, kMaxMr> ScalarRow(std::index_sequence<I...>) {
  return {{&TileScalar<static_cast<int>(I) + 1, T>...}};
}
template <bool T>
constexpr std::array<std::array<TileFn, kMaxMr>, 3> ScalarKinds() {
  constexpr auto seq = std::make_index_sequence<kScalarMaxMr>();
  return {{ScalarRow<T>(seq), ScalarRow<T>(seq), ScalarRow<T>(seq)}};
}

struct Kernels {
  int max_mr;   // rows of a full tile
  int lanes;    // doubles per vector
  int panel;    // columns of a full panel
  TileTable table;
};

const Kernels& KernelsFor(SimdLevel level) {
  static const Kernels avx512{12, 8, 16, {{Avx512Kinds<false>(),
                                           Avx512Kinds<true>()}}};
  static const Kernels avx2{kAvx2MaxMr, 4, 8, {{Avx2Kinds<false>(),
                                                Avx2Kinds<true>()}}};
  static const Kernels scalar{kScalarMaxMr, 8, 8, {{ScalarKinds<false>(),
                                                    ScalarKinds<true>()}}};
  switch (level) {
    case SimdLevel::kAvx512: return avx512;
    case SimdLevel::kAvx2: return avx2;
    case SimdLevel::kScalar: break;
  }
  return scalar;
}

// K is cut into blocks so one block of an A strip and a B panel stay in
// cache; each later block continues the chains (ChainStart::kContinue).
constexpr int64_t kKBlock = 256;

// Tiles of balanced height (sizes differ by at most one, none above max_mr),
// each row of tiles running across all column panels, so an A strip is
// reused from L1 while B panels stream from L2.
void Driver(const Kernels& kern, int64_t m, int64_t n, int64_t k,
            StridedMatrix a, const double* b, int64_t ldb, double* c,
            int64_t ldc, const GemmOptions& options) {
  std::vector<double> packed;
  if (a.col_stride != 1 && a.row_stride != 1) {
    // Neither stride is 1 (never on the trainer's paths): copy A row-major.
    packed.resize(static_cast<size_t>(m * k));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t kk = 0; kk < k; ++kk)
        packed[i * k + kk] = a.data[i * a.row_stride + kk * a.col_stride];
    a = RowMajor(packed.data(), k);
  }
  const bool at = a.col_stride != 1;  // then row_stride == 1
  const int64_t a_stride = at ? a.col_stride : a.row_stride;
  const auto& kinds = kern.table[at ? 1 : 0];
  const int64_t tiles = (m + kern.max_mr - 1) / kern.max_mr;
  int64_t k0 = 0;
  do {
    const int64_t kc = std::min(kKBlock, k - k0);
    Tile t;
    t.k = kc;
    t.a_stride = a_stride;
    t.ldb = ldb;
    t.ldc = ldc;
    t.start = k0 == 0 ? options.start : ChainStart::kContinue;
    const bool final_block = k0 + kc >= k;
    t.ld_scale = options.ld_scale;
    for (int64_t ti = 0; ti < tiles; ++ti) {
      const int64_t i0 = RangeBegin(m, tiles, ti);
      const int64_t mr = RangeBegin(m, tiles, ti + 1) - i0;
      for (int64_t j0 = 0; j0 < n; j0 += kern.panel) {
        const int64_t nv = std::min<int64_t>(kern.panel, n - j0);
        const int kind = nv == kern.panel ? 0 : nv > kern.lanes ? 1 : 2;
        t.a = a.data + i0 * a.row_stride + k0 * a.col_stride;
        t.b = b + k0 * ldb + j0;
        t.c = c + i0 * ldc + j0;
        t.bias = options.bias != nullptr ? options.bias + j0 : nullptr;
        t.scale = final_block && options.scale != nullptr
                      ? options.scale + i0 * options.ld_scale + j0
                      : nullptr;
        t.n_valid = static_cast<int>(nv);
        kinds[kind][mr - 1](t);
      }
    }
    k0 += kc;
  } while (k0 < k);
}

}  // namespace

void GemmSerial(int64_t m, int64_t n, int64_t k, StridedMatrix a,
                const double* b, int64_t ldb, double* c, int64_t ldc,
                const GemmOptions& options) {
  if (m <= 0 || n <= 0) return;
  Driver(KernelsFor(ActiveSimd()), m, n, k, a, b, ldb, c, ldc, options);
}

void Gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const double* b,
          int64_t ldb, const double* init, double* c, int64_t ldc,
          int threads) {
  if (m <= 0 || n <= 0) return;
  const Kernels& kern = KernelsFor(ActiveSimd());
  GemmOptions options;
  options.start = init != nullptr ? ChainStart::kBias : ChainStart::kZero;
  options.bias = init;
  // A thread start costs about as much as a few MFLOP; row blocks are whole
  // tiles. Neither choice changes any bit.
  const int64_t work = 2 * m * n * std::max<int64_t>(k, 1);
  const int64_t by_work = std::max<int64_t>(1, work / (4 << 20));
  const int64_t tiles = (m + kern.max_mr - 1) / kern.max_mr;
  const int parts =
      static_cast<int>(std::min<int64_t>({threads, by_work, tiles}));
  ParallelRanges(tiles, std::max(parts, 1),
                 [&](int64_t begin, int64_t end, int) {
                   const int64_t i0 = std::min(m, begin * kern.max_mr);
                   const int64_t i1 = std::min(m, end * kern.max_mr);
                   if (i1 <= i0) return;
                   Driver(kern, i1 - i0, n, k,
                          {a.data + i0 * a.row_stride, a.row_stride,
                           a.col_stride},
                          b, ldb, c + i0 * ldc, ldc, options);
                 });
}

}  // namespace initrepro
