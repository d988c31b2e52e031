// Mlp: the model every experiment trains (P1's code), forward and backward.
//
//   x = concat(E[a], E[b])          (2d)
//   h1 = silu(W0 x + b0)            (hidden)
//   h2 = silu(W1 h1 + b1)           (hidden)
//   logits = W2 h2 + b2             (classes)
//   loss = mean cross-entropy over the batch
//
// The batch is processed in chunks of rows small enough to stay in L2: each
// chunk runs every layer before the next chunk starts. Forward saves what
// backward needs (h and the SiLU slope of both hidden layers, the softmax);
// backward calls the layers in exactly the reverse order, chunk by chunk in
// increasing sample order, continuing every weight-gradient chain across
// chunks (so the sums are those of one pass over the batch).
//
// Threads: forward splits the chunks; backward computes the per-sample
// gradients with the chunks split, then the weight gradients with their rows
// split (each thread walks all chunks in order). Results are identical for
// every thread count.
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
  // Rows per chunk: a multiple of every micro-kernel height (12, 6, 4) small
  // enough that a chunk's activations (~10 arrays of kChunkRows x 104
  // doubles) stay in L2. Changes speed only, never a bit.
  static constexpr int64_t kChunkRows = 96;

  // `max_batch`: the largest batch Forward will see. `threads` >= 1;
  // results are identical for every value.
  Mlp(const ParamLayout& layout, int64_t max_batch, int threads);

  CrossEntropyResult Forward(const ParamBuffer& params, const Batch& batch);

  // Gradient of the last Forward's loss (same params and batch). When
  // `embedding_grad` is false the embedding gradient is left untouched.
  void Backward(const ParamBuffer& params, const Batch& batch,
                bool embedding_grad, ParamBuffer* grads);

  // Forward then Backward in one pass over the batch: the same loss,
  // correct count and gradient bits, but with one thread each chunk's
  // backward runs right after its forward, so no activation leaves the
  // cache (with several threads it is Forward then Backward). A training
  // step should use this; it saves nothing for a later Backward call:
  //   const CrossEntropyResult r =
  //       mlp.ForwardBackward(params, train, !freeze_embedding, &grads);
  //   if (!std::isfinite(r.loss)) break;  // grads are then unused
  //   adam.Step(params.values.data(), grads.values.data());
  CrossEntropyResult ForwardBackward(const ParamBuffer& params,
                                     const Batch& batch, bool embedding_grad,
                                     ParamBuffer* grads);

 private:
  // Zero-filled doubles starting on a 64-byte boundary (whole cache lines
  // for the vector loads of padded rows). Copyable.
  class Buffer {
   public:
    Buffer() = default;
    explicit Buffer(int64_t n) : storage_(static_cast<size_t>(n) + 8, 0.0) {}
    double* data() {
      const auto p = reinterpret_cast<uintptr_t>(storage_.data());
      return reinterpret_cast<double*>((p + 63) & ~uintptr_t{63});
    }
    const double* data() const { return const_cast<Buffer*>(this)->data(); }

   private:
    std::vector<double> storage_;
  };

  // Where a chunk's saved activations live: the batch-wide buffers
  // (Forward, for a later Backward) or a thread's scratch (ForwardBackward).
  struct ChunkActs {
    double* h1;      // (rows, ld_h)
    double* slope1;  // (rows, ld_h)
    double* h2;      // (rows, ld_h)
    double* slope2;  // (rows, ld_h)
    double* probs;   // (rows, classes)
  };
  // Where backward's per-sample gradients of a chunk live: a thread's
  // scratch (one thread: used at once) or the batch-wide buffers (several
  // threads: the weight pass reads them after all chunks are done).
  struct ChunkGrads {
    double* dl;   // (rows, classes)
    double* dz2;  // (rows, ld_h)
    double* dz1;  // (rows, ld_h)
  };

  // One thread's per-chunk work space.
  struct Scratch {
    Buffer z, s, logits, dl, dz2, dz1, rows;
    Buffer h1, slope1, h2, slope2, probs;  // ForwardBackward only
    std::vector<int32_t> arg;
    ChunkActs acts() {
      return {h1.data(), slope1.data(), h2.data(), slope2.data(),
              probs.data()};
    }
    ChunkGrads grads() { return {dl.data(), dz2.data(), dz1.data()}; }
  };

  ChunkActs SavedActs(int64_t n0);  // the batch-wide buffers at row n0
  void PrepareForward(const ParamBuffer& params);
  void PrepareBackward(const ParamBuffer& params, ParamBuffer* grads);
  void FinishBackward(const ParamBuffer& params, bool embedding_grad,
                      ParamBuffer* grads);
  // Returns the chunk's argmax hits; loss terms go to term_[n0 ..].
  int64_t ForwardChunk(const ParamBuffer& params, const Batch& batch,
                       int64_t n0, int64_t rows, const ChunkActs& acts,
                       Scratch& scratch);
  void BackwardDataChunk(const Batch& batch, int64_t n0, int64_t rows,
                         const ChunkActs& acts, const ChunkGrads& out);
  // Weight gradients of one chunk, the t-th of `parts` slices of their rows.
  void BackwardWeightsChunk(const Batch& batch, int64_t n0, int64_t rows,
                            const ChunkActs& acts, const ChunkGrads& in,
                            int part, int parts, ParamBuffer* grads);
  CrossEntropyResult LossOf(int64_t n) const;

  const ParamLayout& layout_;
  int threads_;
  int64_t ld_h_;     // leading dimension of hidden-width rows (padded)
  int64_t ld_w2t_;   // leading dimension of W2^T
  // Saved by Forward: (batch, ld_h_) each; probs (batch, classes); the
  // per-sample loss terms.
  Buffer h1_, slope1_, h2_, slope2_, probs_, term_;
  // Per step: pair tables (vocab, ld_h_), transposed weights, and aligned
  // copies of W1, W2 (ld_h_) for backward.
  Buffer ta_, tb_, w0t_, w1t_, w2t_, w1_, w2_;
  // Backward: per-token gradient g (vocab, 2 hidden); with several threads,
  // the batch-wide per-sample gradients.
  Buffer token_grad_, dl_, dz2_, dz1_;
  std::vector<Scratch> scratch_;  // one per thread
  std::vector<int64_t> correct_;  // per thread
};

}  // namespace initrepro

#endif  // INITREPRO_SRC_MODEL_MLP_H_
