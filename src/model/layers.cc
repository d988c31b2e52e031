#include "src/model/layers.h"

#include <algorithm>
#include <vector>

#include "src/core/fmath.h"
#include "src/kernels/gemm.h"

namespace initrepro {
namespace {

// out (cols x rows) = in (rows x cols)^T.
void Transpose(double* out, const double* in, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
}

// sum[j] = sum over rows r of m[r][j], in increasing r.
void ColumnSums(double* sum, const double* m, int64_t rows, int64_t cols) {
  std::fill(sum, sum + cols, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = m + r * cols;
    for (int64_t c = 0; c < cols; ++c) sum[c] += row[c];
  }
}

}  // namespace

void PairLinearForward(double* z, double* ta, double* tb, double* w0t,
                       const double* embedding, const double* w0,
                       const double* b0, const int32_t* a, const int32_t* b,
                       int64_t batch, int64_t vocab, int64_t dim,
                       int64_t hidden, int threads) {
  Transpose(w0t, w0, hidden, 2 * dim);  // rows 0..d-1: W0a^T, d..2d-1: W0b^T
  Gemm(vocab, hidden, dim, RowMajor(embedding, dim), w0t, hidden, nullptr, ta,
       hidden, threads);
  Gemm(vocab, hidden, dim, RowMajor(embedding, dim), w0t + dim * hidden,
       hidden, nullptr, tb, hidden, threads);
  for (int64_t n = 0; n < batch; ++n) {
    const double* ra = ta + a[n] * hidden;
    const double* rb = tb + b[n] * hidden;
    double* out = z + n * hidden;
    for (int64_t h = 0; h < hidden; ++h) out[h] = (ra[h] + rb[h]) + b0[h];
  }
}

void PairLinearBackward(double* d_embedding, double* dw0, double* db0,
                        double* g, double* w0_stacked, const double* dz,
                        const double* embedding, const double* w0,
                        const int32_t* a, const int32_t* b, int64_t batch,
                        int64_t vocab, int64_t dim, int64_t hidden,
                        int threads) {
  // Scatter-add per token, samples in increasing n: g[v] = [g_a[v] | g_b[v]].
  const int64_t g_cols = 2 * hidden;
  std::fill(g, g + vocab * g_cols, 0.0);
  for (int64_t n = 0; n < batch; ++n) {
    const double* row = dz + n * hidden;
    double* ga = g + a[n] * g_cols;
    double* gb = g + b[n] * g_cols + hidden;
    for (int64_t h = 0; h < hidden; ++h) ga[h] += row[h];
    for (int64_t h = 0; h < hidden; ++h) gb[h] += row[h];
  }
  ColumnSums(db0, dz, batch, hidden);
  // dW0[:, :d] = g_a^T E and dW0[:, d:] = g_b^T E, written into the
  // (hidden, 2d) gradient with leading dimension 2d.
  Gemm(hidden, dim, vocab, {g, 1, g_cols}, embedding, dim, nullptr, dw0,
       2 * dim, threads);
  Gemm(hidden, dim, vocab, {g + hidden, 1, g_cols}, embedding, dim, nullptr,
       dw0 + dim, 2 * dim, threads);
  if (d_embedding == nullptr) return;
  // w0_stacked = [W0a; W0b] (2 hidden, d), so dE = g @ w0_stacked is one
  // chain over all 2 hidden inputs of each embedding entry.
  for (int64_t h = 0; h < hidden; ++h) {
    std::copy(w0 + h * 2 * dim, w0 + h * 2 * dim + dim,
              w0_stacked + h * dim);
    std::copy(w0 + h * 2 * dim + dim, w0 + (h + 1) * 2 * dim,
              w0_stacked + (hidden + h) * dim);
  }
  Gemm(vocab, dim, g_cols, RowMajor(g, g_cols), w0_stacked, dim, nullptr,
       d_embedding, dim, threads);
}

void LinearForward(double* y, double* wt, const double* x, const double* w,
                   const double* bias, int64_t batch, int64_t in, int64_t out,
                   int threads) {
  Transpose(wt, w, out, in);
  Gemm(batch, out, in, RowMajor(x, in), wt, out, bias, y, out, threads);
}

void LinearBackward(double* dx, double* dw, double* dbias, const double* dy,
                    const double* x, const double* w, int64_t batch,
                    int64_t in, int64_t out, int threads) {
  Gemm(out, in, batch, Transposed(dy, out), x, in, nullptr, dw, in, threads);
  ColumnSums(dbias, dy, batch, out);
  if (dx != nullptr) {
    Gemm(batch, in, out, RowMajor(dy, out), w, in, nullptr, dx, in, threads);
  }
}

void SiluForward(double* y, double* s, const double* z, int64_t n) {
  fmath::SigmoidArray(absl::MakeConstSpan(z, n), absl::MakeSpan(s, n));
  for (int64_t i = 0; i < n; ++i) y[i] = z[i] * s[i];
}

void SiluBackward(double* dz, const double* dy, const double* z,
                  const double* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    dz[i] = dy[i] * (s[i] * (1.0 + z[i] * (1.0 - s[i])));
  }
}

CrossEntropyResult CrossEntropyForward(double* probs, const double* logits,
                                       const int32_t* labels, int64_t batch,
                                       int64_t classes) {
  // probs first holds logits - rowmax, then their exponentials (one
  // vectorised pass), then the softmax.
  std::vector<double> row_max(batch);
  CrossEntropyResult result;
  for (int64_t n = 0; n < batch; ++n) {
    const double* row = logits + n * classes;
    int64_t arg = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (row[c] > row[arg]) arg = c;
    row_max[n] = row[arg];
    if (arg == labels[n]) ++result.correct;
    for (int64_t c = 0; c < classes; ++c)
      probs[n * classes + c] = row[c] - row[arg];
  }
  fmath::ExpArray(absl::MakeConstSpan(probs, batch * classes),
                  absl::MakeSpan(probs, batch * classes));
  double loss_sum = 0.0;
  for (int64_t n = 0; n < batch; ++n) {
    double* row = probs + n * classes;
    double sum = 0.0;
    for (int64_t c = 0; c < classes; ++c) sum += row[c];
    const double log_sum = fmath::Log(sum);
    // -log softmax[label] = log(sum) - (logit[label] - max)
    loss_sum += log_sum - (logits[n * classes + labels[n]] - row_max[n]);
    const double inv = 1.0 / sum;
    for (int64_t c = 0; c < classes; ++c) row[c] *= inv;
  }
  result.loss = loss_sum / static_cast<double>(batch);
  return result;
}

void CrossEntropyBackward(double* dlogits, const double* probs,
                          const int32_t* labels, int64_t batch,
                          int64_t classes) {
  const double scale = 1.0 / static_cast<double>(batch);
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < classes; ++c) {
      const double onehot = (c == labels[n]) ? 1.0 : 0.0;
      dlogits[n * classes + c] = (probs[n * classes + c] - onehot) * scale;
    }
  }
}

}  // namespace initrepro
