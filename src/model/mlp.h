// Mlp: the model every experiment trains (P1's code), forward and backward.
//
//   x = concat(E[a], E[b])          (2d)
//   h1 = silu(W0 x + b0)            (hidden)
//   h2 = silu(W1 h1 + b1)           (hidden)
//   logits = W2 h2 + b2             (classes)
//   loss = mean cross-entropy over the batch
//
// Forward saves every activation backward needs in named buffers; backward
// reads them and calls the layers in exactly the reverse order.
//
// Thread-safety: an Mlp owns its activation buffers; use one per thread.
#ifndef INITREPRO_SRC_MODEL_MLP_H_
#define INITREPRO_SRC_MODEL_MLP_H_

#include <cstdint>
#include <vector>

#include "src/model/layers.h"
#include "src/model/params.h"

namespace initrepro {

// Pairs and labels of one full batch (a training or a test set).
struct Batch {
  std::vector<int32_t> a, b, labels;
  int64_t size() const { return static_cast<int64_t>(a.size()); }
};

class Mlp {
 public:
  // `max_batch`: the largest batch Forward will see. `threads` >= 1 splits
  // GEMM rows; results are identical for every value.
  Mlp(const ParamLayout& layout, int64_t max_batch, int threads);

  CrossEntropyResult Forward(const ParamBuffer& params, const Batch& batch);

  // Gradient of the last Forward's loss (same params and batch). When
  // `embedding_grad` is false the embedding gradient is left untouched.
  void Backward(const ParamBuffer& params, const Batch& batch,
                bool embedding_grad, ParamBuffer* grads);

 private:
  const ParamLayout& layout_;
  int threads_;
  // Saved activations, (batch, width) row-major.
  std::vector<double> z1_, s1_, h1_, z2_, s2_, h2_, logits_, probs_;
  // Per-vocabulary tables of the pair layer: (vocab, hidden) each.
  std::vector<double> ta_, tb_;
  // Gradient buffers for activations, and transposition scratch.
  std::vector<double> d_logits_, d_h2_, d_z2_, d_h1_, d_z1_;
  std::vector<double> token_grad_, w0_scratch_, w_scratch_;
};

}  // namespace initrepro

#endif  // INITREPRO_SRC_MODEL_MLP_H_
