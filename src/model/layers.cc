#include "src/model/layers.h"

#include <algorithm>

#include "absl/types/span.h"
#include "src/core/fmath.h"
#include "src/kernels/gemm.h"
#include "src/kernels/rowwise.h"

namespace initrepro {

void PairTablesForward(double* ta, double* tb, int64_t ld_t, double* w0t,
                       const double* embedding, const double* w0,
                       int64_t vocab, int64_t dim, int64_t hidden,
                       int threads) {
  // rows 0..d-1: W0a^T, d..2d-1: W0b^T
  TransposeWeights(w0t, hidden, w0, hidden, 2 * dim);
  Gemm(vocab, hidden, dim, RowMajor(embedding, dim), w0t, hidden, nullptr, ta,
       ld_t, threads);
  Gemm(vocab, hidden, dim, RowMajor(embedding, dim), w0t + dim * hidden,
       hidden, nullptr, tb, ld_t, threads);
}

void PairLinearForward(double* z, int64_t ld_z, const double* ta,
                       const double* tb, int64_t ld_t, const double* b0,
                       const int32_t* a, const int32_t* b, int64_t rows,
                       int64_t hidden) {
  AddPairRows(z, ld_z, ta, tb, ld_t, b0, a, b, rows, hidden);
}

void PairLinearBackward(double* g, double* db0, const double* dz,
                        int64_t ld_dz, const int32_t* a, const int32_t* b,
                        int64_t rows, int64_t hidden, int64_t h_begin,
                        int64_t h_end) {
  ScatterPairRows(g, 2 * hidden, hidden, dz, ld_dz, a, b, rows, h_begin,
                  h_end);
  AddColumnSums(db0, dz, ld_dz, rows, h_begin, h_end);
}

void PairTablesBackward(double* d_embedding, double* dw0, const double* g,
                        const double* embedding, const double* w0,
                        int64_t vocab, int64_t dim, int64_t hidden,
                        int threads) {
  // dW0[:, :d] = g_a^T E and dW0[:, d:] = g_b^T E, written into the
  // (hidden, 2d) gradient with leading dimension 2d.
  const int64_t g_cols = 2 * hidden;
  Gemm(hidden, dim, vocab, {g, 1, g_cols}, embedding, dim, nullptr, dw0,
       2 * dim, threads);
  Gemm(hidden, dim, vocab, {g + hidden, 1, g_cols}, embedding, dim, nullptr,
       dw0 + dim, 2 * dim, threads);
  if (d_embedding == nullptr) return;
  // dE = g @ [W0a; W0b] is one chain over all 2 hidden inputs of each
  // embedding entry: the W0a half (rows of W0, columns 0..d-1), continued
  // over the W0b half (columns d..2d-1). No stacked copy needed.
  GemmSerial(vocab, dim, hidden, RowMajor(g, g_cols), w0, 2 * dim,
             d_embedding, dim, {ChainStart::kZero});
  GemmSerial(vocab, dim, hidden, RowMajor(g + hidden, g_cols), w0 + dim,
             2 * dim, d_embedding, dim, {ChainStart::kContinue});
}

void TransposeWeights(double* wt, int64_t ld_wt, const double* w,
                      int64_t out, int64_t in) {
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i) wt[i * ld_wt + o] = w[o * in + i];
}

void CopyWeights(double* copy, int64_t ld_copy, const double* w, int64_t out,
                 int64_t in) {
  for (int64_t o = 0; o < out; ++o) {
    std::copy(w + o * in, w + (o + 1) * in, copy + o * ld_copy);
  }
}

void LinearForward(double* y, int64_t ld_y, const double* x, int64_t ld_x,
                   const double* wt, int64_t ld_wt, const double* bias,
                   int64_t rows, int64_t in, int64_t out) {
  GemmOptions options;
  options.start = ChainStart::kBias;
  options.bias = bias;
  GemmSerial(rows, out, in, {x, ld_x, 1}, wt, ld_wt, y, ld_y, options);
}

void LinearBackwardInput(double* dx, int64_t ld_dx, const double* dy,
                         int64_t ld_dy, const double* w, int64_t ld_w,
                         const double* slope, int64_t ld_slope, int64_t rows,
                         int64_t in, int64_t out) {
  GemmOptions options;
  options.start = ChainStart::kZero;
  options.scale = slope;
  options.ld_scale = ld_slope;
  GemmSerial(rows, in, out, {dy, ld_dy, 1}, w, ld_w, dx, ld_dx, options);
}

void LinearBackwardWeights(double* dw, double* dbias, const double* dy,
                           int64_t ld_dy, const double* x, int64_t ld_x,
                           int64_t rows, int64_t in, int64_t out,
                           int64_t o_begin, int64_t o_end) {
  (void)out;
  // dW[o][i] continues its chain over this chunk's rows: A(o, r) = dy[r][o].
  GemmSerial(o_end - o_begin, in, rows, {dy + o_begin, 1, ld_dy}, x, ld_x,
             dw + o_begin * in, in, {ChainStart::kContinue});
  AddColumnSums(dbias, dy, ld_dy, rows, o_begin, o_end);
}

void SiluForward(double* h, double* slope, double* s, const double* z,
                 int64_t n) {
  // Pieces small enough that z and s are still in L1 for the second pass.
  constexpr int64_t kPiece = 512;
  for (int64_t i = 0; i < n; i += kPiece) {
    const int64_t len = std::min(kPiece, n - i);
    fmath::SigmoidArray(absl::MakeConstSpan(z + i, len),
                        absl::MakeSpan(s + i, len));
    SiluValueAndSlope(h + i, slope + i, z + i, s + i, len);
  }
}

int64_t CrossEntropyForward(double* probs, double* term, double* row_scratch,
                            int32_t* arg_scratch, const double* logits,
                            const int32_t* labels, int64_t rows,
                            int64_t classes) {
  double* row_max = row_scratch;
  double* sums = row_scratch + rows;
  double* inv = row_scratch + 2 * rows;
  // probs first holds logits - rowmax, then their exponentials (one
  // vectorised pass), then the softmax.
  RowArgMaxShift(probs, classes, row_max, arg_scratch, logits, classes, rows,
                 classes);
  fmath::ExpArray(absl::MakeConstSpan(probs, rows * classes),
                  absl::MakeSpan(probs, rows * classes));
  RowSums(sums, probs, classes, rows, classes);
  int64_t correct = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const double log_sum = fmath::Log(sums[r]);
    // -log softmax[label] = log(sum) - (logit[label] - max)
    term[r] = log_sum - (logits[r * classes + labels[r]] - row_max[r]);
    inv[r] = 1.0 / sums[r];
    if (arg_scratch[r] == labels[r]) ++correct;
  }
  ScaleRows(probs, classes, inv, rows, classes);
  return correct;
}

void CrossEntropyBackward(double* dlogits, const double* probs,
                          const int32_t* labels, double scale, int64_t rows,
                          int64_t classes) {
  CrossEntropyGradRows(dlogits, classes, probs, classes, labels, scale, rows,
                       classes);
}

}  // namespace initrepro
