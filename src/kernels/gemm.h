// Gemm: the one matrix-product kernel the trainer uses, with a fixed
// reduction order.
//
//   C[i][j] = init[j] + sum_{k=0..K-1} A(i,k) * B[k][j]
//
// computed, for every output element, as the chain
//   acc = init[j] (or +0.0); for k = 0..K-1: acc = fma(A(i,k), B[k][j], acc)
// in increasing k. Vector paths compute several j (or i) at once but never
// split or reorder a chain, and threads split the rows of C, never K; so the
// bits of C are the same on every SIMD level (scalar, AVX2, AVX-512) and for
// every thread count. gemm_test.cc proves it.
//
// A is addressed through strides so the transposed products of backward
// passes need no copies: A(i,k) = a[i * a_row_stride + k * a_col_stride].
// B is row-major K x N with leading dimension ldb; C is row-major M x N.
//
// Thread-safety: pure function of its inputs; C must not alias A, B or init.
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

// `init` may be null (chains start at +0.0). `threads` >= 1.
void Gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const double* b,
          int64_t ldb, const double* init, double* c, int64_t ldc,
          int threads);

}  // namespace initrepro

#endif  // INITREPRO_SRC_KERNELS_GEMM_H_
