#include "src/kernels/rowwise.h"

// GCC 12's AVX-512 headers trip a false -Wmaybe-uninitialized on their own
// _mm512_undefined_pd() (GCC bug 105593); silence it for the header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstdint>

#include "src/core/simd.h"

// Each kernel is one plain always-inline body, compiled three times: as is
// (the scalar path; GCC vectorizes it with SSE2 at most), and inlined into an
// AVX2 and an AVX-512 function where GCC vectorizes the same loop wider.
// Vectorizing an elementwise loop never changes its per-element operations,
// and -ffp-contract=off (global) keeps a*b+c from becoming an fma. Per-row
// sequential scans (argmax, row sums) are written with gathers across rows
// so each row keeps its own order.
#define INITREPRO_INLINE inline __attribute__((always_inline))
#define INITREPRO_AVX512 __attribute__((target("avx512f,fma")))
#define INITREPRO_AVX2 __attribute__((target("avx2,fma")))

// Defines NameAvx512 / NameAvx2 / NameGeneric around NameBody and a
// dispatching Name.
#define INITREPRO_ROWWISE_LEVELS(Name, Params, Args)            \
  namespace {                                                   \
  INITREPRO_AVX512 void Name##Avx512 Params { Name##Body Args; } \
  INITREPRO_AVX2 void Name##Avx2 Params { Name##Body Args; }     \
  void Name##Generic Params { Name##Body Args; }                 \
  }                                                             \
  void Name Params {                                            \
    switch (ActiveSimd()) {                                     \
      case SimdLevel::kAvx512: Name##Avx512 Args; return;       \
      case SimdLevel::kAvx2: Name##Avx2 Args; return;           \
      case SimdLevel::kScalar: break;                           \
    }                                                           \
    Name##Generic Args;                                         \
  }

namespace initrepro {
namespace {

INITREPRO_INLINE void SiluValueAndSlopeBody(double* __restrict h,
                                            double* __restrict slope,
                                            const double* __restrict z,
                                            const double* __restrict s,
                                            int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    h[i] = z[i] * s[i];
    slope[i] = s[i] * (1.0 + z[i] * (1.0 - s[i]));
  }
}

INITREPRO_INLINE void AddPairRowsBody(double* out, int64_t ld_out,
                                      const double* ta, const double* tb,
                                      int64_t ld_t, const double* bias,
                                      const int32_t* a, const int32_t* b,
                                      int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const double* __restrict ra = ta + a[r] * ld_t;
    const double* __restrict rb = tb + b[r] * ld_t;
    double* __restrict o = out + r * ld_out;
    for (int64_t c = 0; c < cols; ++c) o[c] = (ra[c] + rb[c]) + bias[c];
  }
}

INITREPRO_INLINE void ScatterPairRowsBody(double* g, int64_t ld_g,
                                          int64_t b_offset, const double* dz,
                                          int64_t ld_dz, const int32_t* a,
                                          const int32_t* b, int64_t rows,
                                          int64_t c_begin, int64_t c_end) {
  for (int64_t r = 0; r < rows; ++r) {
    const double* __restrict d = dz + r * ld_dz;
    double* __restrict ga = g + a[r] * ld_g;
    for (int64_t c = c_begin; c < c_end; ++c) ga[c] += d[c];
    double* __restrict gb = g + b[r] * ld_g + b_offset;
    for (int64_t c = c_begin; c < c_end; ++c) gb[c] += d[c];
  }
}

INITREPRO_INLINE void AddColumnSumsBody(double* __restrict sum,
                                        const double* __restrict x,
                                        int64_t ld, int64_t rows,
                                        int64_t c_begin, int64_t c_end) {
  for (int64_t r = 0; r < rows; ++r) {
    const double* __restrict row = x + r * ld;
    for (int64_t c = c_begin; c < c_end; ++c) sum[c] += row[c];
  }
}

INITREPRO_INLINE void ShiftRowBody(double* __restrict out,
                                   const double* __restrict row, double max,
                                   int64_t cols) {
  for (int64_t c = 0; c < cols; ++c) out[c] = row[c] - max;
}

// The scalar scan of one row (also the tail rows of the vector paths).
INITREPRO_INLINE void ArgMaxShiftOneRow(double* shifted, double* row_max,
                                        int32_t* arg, const double* row,
                                        int64_t cols) {
  int64_t best = 0;
  for (int64_t c = 1; c < cols; ++c) {
    if (row[c] > row[best]) best = c;
  }
  *arg = static_cast<int32_t>(best);
  *row_max = row[best];
  ShiftRowBody(shifted, row, row[best], cols);
}

INITREPRO_INLINE double RowSumOne(const double* row, int64_t cols) {
  double sum = 0.0;
  for (int64_t c = 0; c < cols; ++c) sum += row[c];
  return sum;
}

INITREPRO_INLINE void ScaleRowsBody(double* x, int64_t ld,
                                    const double* factor, int64_t rows,
                                    int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    double* __restrict row = x + r * ld;
    const double f = factor[r];
    for (int64_t c = 0; c < cols; ++c) row[c] = row[c] * f;
  }
}

INITREPRO_INLINE void CrossEntropyGradRowsBody(double* dl, int64_t ld_dl,
                                               const double* p, int64_t ld_p,
                                               const int32_t* labels,
                                               double scale, int64_t rows,
                                               int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    double* __restrict out = dl + r * ld_dl;
    const double* __restrict in = p + r * ld_p;
    for (int64_t c = 0; c < cols; ++c) out[c] = in[c] * scale;
    out[labels[r]] = (in[labels[r]] - 1.0) * scale;
  }
}

INITREPRO_INLINE void RowArgMaxShiftBody(double* shifted, int64_t ld_shifted,
                                         double* row_max, int32_t* arg,
                                         const double* x, int64_t ld_x,
                                         int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    ArgMaxShiftOneRow(shifted + r * ld_shifted, row_max + r, arg + r,
                      x + r * ld_x, cols);
  }
}

INITREPRO_INLINE void RowSumsBody(double* sums, const double* x, int64_t ld,
                                  int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) sums[r] = RowSumOne(x + r * ld, cols);
}

// ---- Vector scans over 8 (AVX-512) or 4 (AVX2) rows at once ----------------

INITREPRO_AVX512 void RowArgMaxShiftAvx512(double* shifted,
                                           int64_t ld_shifted,
                                           double* row_max, int32_t* arg,
                                           const double* x, int64_t ld_x,
                                           int64_t rows, int64_t cols) {
  const __m512i offsets =
      _mm512_setr_epi64(0, ld_x, 2 * ld_x, 3 * ld_x, 4 * ld_x, 5 * ld_x,
                        6 * ld_x, 7 * ld_x);
  int64_t r = 0;
  for (; r + 8 <= rows && cols > 0; r += 8) {
    const double* base = x + r * ld_x;
    __m512d best = _mm512_i64gather_pd(offsets, base, 8);
    __m512i best_c = _mm512_setzero_si512();
    for (int64_t c = 1; c < cols; ++c) {
      const __m512d v = _mm512_i64gather_pd(offsets, base + c, 8);
      const __mmask8 greater = _mm512_cmp_pd_mask(v, best, _CMP_GT_OQ);
      best = _mm512_mask_mov_pd(best, greater, v);
      best_c = _mm512_mask_mov_epi64(best_c, greater, _mm512_set1_epi64(c));
    }
    _mm512_storeu_pd(row_max + r, best);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(arg + r),
                        _mm512_cvtepi64_epi32(best_c));
    for (int64_t i = 0; i < 8; ++i) {
      ShiftRowBody(shifted + (r + i) * ld_shifted, base + i * ld_x,
                   row_max[r + i], cols);
    }
  }
  RowArgMaxShiftBody(shifted + r * ld_shifted, ld_shifted, row_max + r,
                     arg + r, x + r * ld_x, ld_x, rows - r, cols);
}

INITREPRO_AVX2 void RowArgMaxShiftAvx2(double* shifted, int64_t ld_shifted,
                                       double* row_max, int32_t* arg,
                                       const double* x, int64_t ld_x,
                                       int64_t rows, int64_t cols) {
  const __m256i offsets = _mm256_setr_epi64x(0, ld_x, 2 * ld_x, 3 * ld_x);
  int64_t r = 0;
  for (; r + 4 <= rows && cols > 0; r += 4) {
    const double* base = x + r * ld_x;
    __m256d best = _mm256_i64gather_pd(base, offsets, 8);
    __m256d best_c = _mm256_setzero_pd();
    for (int64_t c = 1; c < cols; ++c) {
      const __m256d v = _mm256_i64gather_pd(base + c, offsets, 8);
      const __m256d greater = _mm256_cmp_pd(v, best, _CMP_GT_OQ);
      best = _mm256_blendv_pd(best, v, greater);
      best_c = _mm256_blendv_pd(best_c,
                                _mm256_set1_pd(static_cast<double>(c)),
                                greater);
    }
    double c_of[4];
    _mm256_storeu_pd(row_max + r, best);
    _mm256_storeu_pd(c_of, best_c);
    for (int64_t i = 0; i < 4; ++i) {
      arg[r + i] = static_cast<int32_t>(c_of[i]);
      ShiftRowBody(shifted + (r + i) * ld_shifted, base + i * ld_x,
                   row_max[r + i], cols);
    }
  }
  RowArgMaxShiftBody(shifted + r * ld_shifted, ld_shifted, row_max + r,
                     arg + r, x + r * ld_x, ld_x, rows - r, cols);
}

void RowArgMaxShiftGeneric(double* shifted, int64_t ld_shifted,
                           double* row_max, int32_t* arg, const double* x,
                           int64_t ld_x, int64_t rows, int64_t cols) {
  RowArgMaxShiftBody(shifted, ld_shifted, row_max, arg, x, ld_x, rows, cols);
}

INITREPRO_AVX512 void RowSumsAvx512(double* sums, const double* x,
                                    int64_t ld, int64_t rows, int64_t cols) {
  const __m512i offsets = _mm512_setr_epi64(0, ld, 2 * ld, 3 * ld, 4 * ld,
                                            5 * ld, 6 * ld, 7 * ld);
  int64_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    const double* base = x + r * ld;
    __m512d sum = _mm512_setzero_pd();
    for (int64_t c = 0; c < cols; ++c) {
      sum = _mm512_add_pd(sum, _mm512_i64gather_pd(offsets, base + c, 8));
    }
    _mm512_storeu_pd(sums + r, sum);
  }
  RowSumsBody(sums + r, x + r * ld, ld, rows - r, cols);
}

INITREPRO_AVX2 void RowSumsAvx2(double* sums, const double* x, int64_t ld,
                                int64_t rows, int64_t cols) {
  const __m256i offsets = _mm256_setr_epi64x(0, ld, 2 * ld, 3 * ld);
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    const double* base = x + r * ld;
    __m256d sum = _mm256_setzero_pd();
    for (int64_t c = 0; c < cols; ++c) {
      sum = _mm256_add_pd(sum, _mm256_i64gather_pd(base + c, offsets, 8));
    }
    _mm256_storeu_pd(sums + r, sum);
  }
  RowSumsBody(sums + r, x + r * ld, ld, rows - r, cols);
}

void RowSumsGeneric(double* sums, const double* x, int64_t ld, int64_t rows,
                    int64_t cols) {
  RowSumsBody(sums, x, ld, rows, cols);
}

}  // namespace

INITREPRO_ROWWISE_LEVELS(SiluValueAndSlope,
                         (double* h, double* slope, const double* z,
                          const double* s, int64_t n),
                         (h, slope, z, s, n))

INITREPRO_ROWWISE_LEVELS(AddPairRows,
                         (double* out, int64_t ld_out, const double* ta,
                          const double* tb, int64_t ld_t, const double* bias,
                          const int32_t* a, const int32_t* b, int64_t rows,
                          int64_t cols),
                         (out, ld_out, ta, tb, ld_t, bias, a, b, rows, cols))

INITREPRO_ROWWISE_LEVELS(ScatterPairRows,
                         (double* g, int64_t ld_g, int64_t b_offset,
                          const double* dz, int64_t ld_dz, const int32_t* a,
                          const int32_t* b, int64_t rows, int64_t c_begin,
                          int64_t c_end),
                         (g, ld_g, b_offset, dz, ld_dz, a, b, rows, c_begin,
                          c_end))

INITREPRO_ROWWISE_LEVELS(AddColumnSums,
                         (double* sum, const double* x, int64_t ld,
                          int64_t rows, int64_t c_begin, int64_t c_end),
                         (sum, x, ld, rows, c_begin, c_end))

INITREPRO_ROWWISE_LEVELS(ScaleRows,
                         (double* x, int64_t ld, const double* factor,
                          int64_t rows, int64_t cols),
                         (x, ld, factor, rows, cols))

INITREPRO_ROWWISE_LEVELS(CrossEntropyGradRows,
                         (double* dl, int64_t ld_dl, const double* p,
                          int64_t ld_p, const int32_t* labels, double scale,
                          int64_t rows, int64_t cols),
                         (dl, ld_dl, p, ld_p, labels, scale, rows, cols))

void RowArgMaxShift(double* shifted, int64_t ld_shifted, double* row_max,
                    int32_t* arg, const double* x, int64_t ld_x,
                    int64_t rows, int64_t cols) {
  switch (ActiveSimd()) {
    case SimdLevel::kAvx512:
      RowArgMaxShiftAvx512(shifted, ld_shifted, row_max, arg, x, ld_x, rows,
                           cols);
      return;
    case SimdLevel::kAvx2:
      RowArgMaxShiftAvx2(shifted, ld_shifted, row_max, arg, x, ld_x, rows,
                         cols);
      return;
    case SimdLevel::kScalar:
      break;
  }
  RowArgMaxShiftGeneric(shifted, ld_shifted, row_max, arg, x, ld_x, rows,
                        cols);
}

void RowSums(double* sums, const double* x, int64_t ld, int64_t rows,
             int64_t cols) {
  switch (ActiveSimd()) {
    case SimdLevel::kAvx512: RowSumsAvx512(sums, x, ld, rows, cols); return;
    case SimdLevel::kAvx2: RowSumsAvx2(sums, x, ld, rows, cols); return;
    case SimdLevel::kScalar: break;
  }
  RowSumsGeneric(sums, x, ld, rows, cols);
}

}  // namespace initrepro
