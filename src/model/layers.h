// The model's layers, each forward next to its backward.
//
// Argument order follows llm.c: outputs, then inputs and saved activations,
// then sizes. Backward functions *write* their gradients (the trainer
// computes one full-batch gradient per step, so nothing accumulates across
// calls). Every sum has one fixed order (see src/kernels/gemm.h and the
// comments below), so the bits never depend on thread count or SIMD width.
#ifndef INITREPRO_SRC_MODEL_LAYERS_H_
#define INITREPRO_SRC_MODEL_LAYERS_H_

#include <cstdint>

#include "absl/types/span.h"

namespace initrepro {

// ---- Pair embedding + first linear layer --------------------------------
// For pair n = (a_n, b_n), PyTorch computes
//   z[n] = W0 @ concat(E[a_n], E[b_n]) + b0.
// We use its structure: W0 = [W0a | W0b] (each hidden x d), so
//   z[n] = Ta[a_n] + Tb[b_n] + b0   with Ta = E W0a^T, Tb = E W0b^T (V x hidden)
// and only V rows, not the batch, go through the d-long products.
// Summation order per element: (Ta[a] + Tb[b]) + b0.
//
// z: (batch, hidden). w0t: scratch (2d, hidden). ta, tb: (vocab, hidden).
void PairLinearForward(double* z, double* ta, double* tb, double* w0t,
                       const double* embedding, const double* w0,
                       const double* b0, const int32_t* a, const int32_t* b,
                       int64_t batch, int64_t vocab, int64_t dim,
                       int64_t hidden, int threads);

// Backward of the above. dz: (batch, hidden) gradient of z.
//   g[v] = [sum_{n: a_n = v} dz[n] | sum_{n: b_n = v} dz[n]]   (vocab, 2 hidden)
//     summed in increasing n;
//   dW0 = [g_a^T E | g_b^T E]   (sum over v in increasing v)
//   db0 = sum_n dz[n]           (increasing n)
//   dE  = g @ [W0a; W0b]         (one chain over the 2 hidden inputs;
//                                 skipped when d_embedding is null)
// g: scratch (vocab, 2 hidden); w0_stacked: scratch (2 hidden, d).
void PairLinearBackward(double* d_embedding, double* dw0, double* db0,
                        double* g, double* w0_stacked, const double* dz,
                        const double* embedding, const double* w0,
                        const int32_t* a, const int32_t* b, int64_t batch,
                        int64_t vocab, int64_t dim, int64_t hidden,
                        int threads);

// ---- Linear --------------------------------------------------------------
// y = x W^T + bias.  y: (batch, out). x: (batch, in). w: (out, in).
// wt: scratch (in, out) holding W^T.
void LinearForward(double* y, double* wt, const double* x, const double* w,
                   const double* bias, int64_t batch, int64_t in, int64_t out,
                   int threads);

// dW = dy^T x, dbias = sum_n dy[n] (increasing n), dx = dy W (skipped when
// dx is null).
void LinearBackward(double* dx, double* dw, double* dbias, const double* dy,
                    const double* x, const double* w, int64_t batch,
                    int64_t in, int64_t out, int threads);

// ---- SiLU ------------------------------------------------------------------
// y = z * sigmoid(z); saves s = sigmoid(z) for backward.
void SiluForward(double* y, double* s, const double* z, int64_t n);
// dz = dy * (s * (1 + z * (1 - s)))   (d/dz of z * sigmoid(z))
void SiluBackward(double* dz, const double* dy, const double* z,
                  const double* s, int64_t n);

// ---- Mean cross-entropy ----------------------------------------------------
// loss = (1/batch) sum_n [logsumexp(logits[n]) - logits[n][label_n]], with
// the per-sample terms summed in increasing n. probs: (batch, classes)
// softmax, saved for backward. correct: number of argmax hits (first max).
struct CrossEntropyResult {
  double loss = 0.0;
  int64_t correct = 0;
};
CrossEntropyResult CrossEntropyForward(double* probs, const double* logits,
                                       const int32_t* labels, int64_t batch,
                                       int64_t classes);
// dlogits = (probs - onehot(label)) / batch.
void CrossEntropyBackward(double* dlogits, const double* probs,
                          const int32_t* labels, int64_t batch,
                          int64_t classes);

}  // namespace initrepro

#endif  // INITREPRO_SRC_MODEL_LAYERS_H_
