// Gemm: the one matrix-product kernel the trainer uses, with a fixed
// reduction order.
//
//   C[i][j] = start(i, j) + sum_{k=0..K-1} A(i,k) * B[k][j]
//
// computed, for every output element, as the chain
//   acc = start(i, j); for k = 0..K-1: acc = fma(A(i,k), B[k][j], acc)
// in increasing k, where start is +0.0, init[j] (a bias), or the value C
// already holds (ChainStart::kContinue: the chain goes on from a previous
// call over the earlier k, so a long K may be cut into consecutive blocks,
// e.g. batch chunks, without changing a bit). Vector paths compute several j
// at once but never split or reorder a chain, and threads split the rows of
// C, never K; so the bits of C are the same on every SIMD level (scalar,
// AVX2, AVX-512) and for every thread count. gemm_test.cc proves it.
//
// A is addressed through strides so the transposed products of backward
// passes need no copies: A(i,k) = a[i * a_row_stride + k * a_col_stride]
// (fast when either stride is 1). B is row-major K x N with leading
// dimension ldb; C is row-major M x N with leading dimension ldc. Nothing
// outside the M x N block of C (or past column N of B) is read or written,
// so padded leading dimensions are free.
//
// Thread-safety: pure function of its inputs; C must not alias A, B, init or
// scale.
#ifndef INITREPRO_SRC_KERNELS_GEMM_H_
#define INITREPRO_SRC_KERNELS_GEMM_H_

#include <cstdint>

namespace initrepro {

struct StridedMatrix {
  const double* data;
  int64_t row_stride;
  int64_t col_stride;
};

// A row-major matrix as a StridedMatrix, and its transpose.
inline StridedMatrix RowMajor(const double* data, int64_t cols) {
  return {data, cols, 1};
}
inline StridedMatrix Transposed(const double* data, int64_t cols) {
  return {data, 1, cols};
}

// How the chain of each C element starts.
enum class ChainStart {
  kZero,      // +0.0
  kBias,      // bias[j]
  kContinue,  // the current C[i][j]
};

struct GemmOptions {
  ChainStart start = ChainStart::kZero;
  const double* bias = nullptr;  // kBias only: N entries
  // Optional epilogue: C[i][j] = chain(i, j) * scale[i * ld_scale + j], one
  // rounded multiply after the chain (what a separate elementwise pass over C
  // would compute, without the extra pass).
  const double* scale = nullptr;
  int64_t ld_scale = 0;
};

// Single-threaded, with every option. Example, a long-K product cut into
// two calls with the same bits as one:
//   GemmSerial(m, n, k1, a, b, ldb, c, ldc, {ChainStart::kZero});
//   GemmSerial(m, n, k - k1, {a.data + k1 * a.col_stride, a.row_stride,
//              a.col_stride}, b + k1 * ldb, ldb, c, ldc,
//              {ChainStart::kContinue});
void GemmSerial(int64_t m, int64_t n, int64_t k, StridedMatrix a,
                const double* b, int64_t ldb, double* c, int64_t ldc,
                const GemmOptions& options);

// `init` may be null (chains start at +0.0). `threads` >= 1 split the rows
// of C (small products use fewer threads; bits never change).
void Gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const double* b,
          int64_t ldb, const double* init, double* c, int64_t ldc,
          int threads);

}  // namespace initrepro

#endif  // INITREPRO_SRC_KERNELS_GEMM_H_
