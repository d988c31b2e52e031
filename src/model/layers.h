// The model's layers, each forward next to its backward.
//
// Argument order follows llm.c: outputs, then inputs and saved activations,
// then sizes. Row-wise functions work on a block of `rows` samples (one
// chunk of a batch; matrices are row-major with leading dimensions ld*, so
// rows may be padded for alignment). Weight gradients *continue* their
// chains chunk by chunk, in increasing sample order, so a batch cut into
// chunks sums exactly as one pass over it would; the caller zeroes them once
// per step. Every sum has one fixed order (see src/kernels/gemm.h and the
// comments below), so the bits never depend on thread count, chunk split or
// SIMD width.
#ifndef INITREPRO_SRC_MODEL_LAYERS_H_
#define INITREPRO_SRC_MODEL_LAYERS_H_

#include <cstdint>

namespace initrepro {

// ---- Pair embedding + first linear layer --------------------------------
// For pair n = (a_n, b_n), PyTorch computes
//   z[n] = W0 @ concat(E[a_n], E[b_n]) + b0.
// We use its structure: W0 = [W0a | W0b] (each hidden x d), so
//   z[n] = Ta[a_n] + Tb[b_n] + b0,  Ta = E W0a^T, Tb = E W0b^T (V x hidden)
// and only V rows, not the batch, go through the d-long products.

// Once per step: ta, tb (vocab, hidden; leading dimension ld_t), each element
// one chain over d. w0t: scratch (2d, hidden).
void PairTablesForward(double* ta, double* tb, int64_t ld_t, double* w0t,
                       const double* embedding, const double* w0,
                       int64_t vocab, int64_t dim, int64_t hidden,
                       int threads);

// Per chunk: z[r] = (Ta[a_r] + Tb[b_r]) + b0   (rows, hidden).
void PairLinearForward(double* z, int64_t ld_z, const double* ta,
                       const double* tb, int64_t ld_t, const double* b0,
                       const int32_t* a, const int32_t* b, int64_t rows,
                       int64_t hidden);

// Per chunk, backward of the above for columns [h_begin, h_end) of dz
// (rows, hidden):
//   g[v] += [dz[r] if a_r = v | dz[r] if b_r = v]   (vocab, 2 hidden)
//   db0  += sum_r dz[r]
// both in increasing r.
void PairLinearBackward(double* g, double* db0, const double* dz,
                        int64_t ld_dz, const int32_t* a, const int32_t* b,
                        int64_t rows, int64_t hidden, int64_t h_begin,
                        int64_t h_end);

// Once per step, from the finished g:
//   dW0 = [g_a^T E | g_b^T E]   (sum over v in increasing v)
//   dE  = g @ [W0a; W0b]        (one chain over the 2 hidden inputs;
//                                skipped when d_embedding is null)
void PairTablesBackward(double* d_embedding, double* dw0, const double* g,
                        const double* embedding, const double* w0,
                        int64_t vocab, int64_t dim, int64_t hidden,
                        int threads);

// ---- Linear --------------------------------------------------------------
// Once per step: wt (in, ld_wt) = W^T for W (out, in).
void TransposeWeights(double* wt, int64_t ld_wt, const double* w,
                      int64_t out, int64_t in);
// Once per step: a copy of W (out, in) with leading dimension ld_copy (rows
// on whole cache lines in an aligned buffer: the products read them often).
void CopyWeights(double* copy, int64_t ld_copy, const double* w, int64_t out,
                 int64_t in);

// y = x W^T + bias, each element one chain over `in` starting at bias.
// y: (rows, out). x: (rows, in). wt from TransposeWeights.
void LinearForward(double* y, int64_t ld_y, const double* x, int64_t ld_x,
                   const double* wt, int64_t ld_wt, const double* bias,
                   int64_t rows, int64_t in, int64_t out);

// dx = (dy W) * slope: the input gradient (one chain over `out`) times the
// saved slope of the activation that produced x (SiLU backward, fused).
// w: (out, in), leading dimension ld_w.
void LinearBackwardInput(double* dx, int64_t ld_dx, const double* dy,
                         int64_t ld_dy, const double* w, int64_t ld_w,
                         const double* slope, int64_t ld_slope, int64_t rows,
                         int64_t in, int64_t out);

// Continues dW[o] (o in [o_begin, o_end)) += dy[:, o]^T x and
// dbias[o] += sum_r dy[r][o], both in increasing r. dw: (out, in).
void LinearBackwardWeights(double* dw, double* dbias, const double* dy,
                           int64_t ld_dy, const double* x, int64_t ld_x,
                           int64_t rows, int64_t in, int64_t out,
                           int64_t o_begin, int64_t o_end);

// ---- SiLU ------------------------------------------------------------------
// h = z * sigmoid(z), and the slope backward needs,
//   slope = s * (1 + z * (1 - s))   (d/dz of z * sigmoid(z)), s = sigmoid(z),
// over n contiguous elements. s: scratch. Backward is dx = dh * slope, done
// inside LinearBackwardInput.
void SiluForward(double* h, double* slope, double* s, const double* z,
                 int64_t n);

// ---- Mean cross-entropy ----------------------------------------------------
// loss = (1/batch) sum_n [logsumexp(logits[n]) - logits[n][label_n]], with
// the per-sample terms summed in increasing n. correct: number of argmax hits
// (first max).
struct CrossEntropyResult {
  double loss = 0.0;
  int64_t correct = 0;
};

// Per chunk: for each row, term[r] = logsumexp(logits[r]) - logits[r][label_r]
// and probs[r] = softmax(logits[r]) (rows, classes; contiguous rows).
// Returns the number of argmax hits (first max). The loss is
// (1/batch) sum_n term[n], summed in increasing n by the caller.
// row_scratch: 3 * rows doubles; arg_scratch: rows ints.
int64_t CrossEntropyForward(double* probs, double* term, double* row_scratch,
                            int32_t* arg_scratch, const double* logits,
                            const int32_t* labels, int64_t rows,
                            int64_t classes);
// dlogits = (probs - onehot(label)) * scale, scale = 1 / batch.
void CrossEntropyBackward(double* dlogits, const double* probs,
                          const int32_t* labels, double scale, int64_t rows,
                          int64_t classes);

}  // namespace initrepro

#endif  // INITREPRO_SRC_MODEL_LAYERS_H_
