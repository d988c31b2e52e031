// Row-wise kernels: the elementwise and per-row work of the model's layers
// (SiLU, pair gather / scatter, column sums, softmax rows), on the widest
// SIMD path ActiveSimd() allows.
//
// Each output element gets exactly the IEEE operations (and, for sums, the
// order) written in its comment, on every path: vectors only compute several
// elements at once (elementwise loops across columns, sequential per-row
// sums and argmax across 8 or 4 rows at a time). So the bits never depend on
// the SIMD level; rowwise_test.cc compares every path with plain loops.
//
// Matrices are row-major with a leading dimension (ld*) >= cols; nothing past
// column `cols` of a row is read or written.
//
// Thread-safety: pure functions of their inputs; outputs must not alias
// inputs unless stated.
#ifndef INITREPRO_SRC_KERNELS_ROWWISE_H_
#define INITREPRO_SRC_KERNELS_ROWWISE_H_

#include <cstdint>

namespace initrepro {

// SiLU value and slope from z and s = sigmoid(z), n contiguous elements:
//   h = z * s;   slope = s * (1 + z * (1 - s))   (= d h / d z)
void SiluValueAndSlope(double* h, double* slope, const double* z,
                       const double* s, int64_t n);

// out[r][c] = (ta[a[r]][c] + tb[b[r]][c]) + bias[c]   (rows x cols)
void AddPairRows(double* out, int64_t ld_out, const double* ta,
                 const double* tb, int64_t ld_t, const double* bias,
                 const int32_t* a, const int32_t* b, int64_t rows,
                 int64_t cols);

// For r = 0 .. rows-1 in order, for c in [c_begin, c_end):
//   g[a[r]][c] += dz[r][c];   g[b[r]][b_offset + c] += dz[r][c]
// (per element, the rows of dz that reach it are added in increasing r).
void ScatterPairRows(double* g, int64_t ld_g, int64_t b_offset,
                     const double* dz, int64_t ld_dz, const int32_t* a,
                     const int32_t* b, int64_t rows, int64_t c_begin,
                     int64_t c_end);

// sum[c] += x[r][c] for r = 0 .. rows-1 in order, c in [c_begin, c_end).
void AddColumnSums(double* sum, const double* x, int64_t ld, int64_t rows,
                   int64_t c_begin, int64_t c_end);

// Per row: arg[r] = the first c with the largest x[r][c] under the scan
//   arg = 0; for c = 1 .. cols-1: if (x[r][c] > x[r][arg]) arg = c
// (so NaNs never win), row_max[r] = x[r][arg], and
// shifted[r][c] = x[r][c] - row_max[r]. shifted may not alias x.
void RowArgMaxShift(double* shifted, int64_t ld_shifted, double* row_max,
                    int32_t* arg, const double* x, int64_t ld_x,
                    int64_t rows, int64_t cols);

// sums[r] = ((0 + x[r][0]) + x[r][1]) + ... + x[r][cols-1].
void RowSums(double* sums, const double* x, int64_t ld, int64_t rows,
             int64_t cols);

// x[r][c] = x[r][c] * factor[r].
void ScaleRows(double* x, int64_t ld, const double* factor, int64_t rows,
               int64_t cols);

// Cross-entropy gradient rows:
//   dl[r][c] = (p[r][c] - (c == labels[r] ? 1 : 0)) * scale
// (p - 0 is p exactly, so only the label element subtracts).
void CrossEntropyGradRows(double* dl, int64_t ld_dl, const double* p,
                          int64_t ld_p, const int32_t* labels, double scale,
                          int64_t rows, int64_t cols);

}  // namespace initrepro

#endif  // INITREPRO_SRC_KERNELS_ROWWISE_H_
