#include "src/model/mlp.h"

#include <algorithm>
#include <cstdint>

#include "src/kernels/parallel.h"

namespace initrepro {
namespace {

constexpr int64_t kChunkRows = Mlp::kChunkRows;

int64_t RoundUp8(int64_t x) { return (x + 7) / 8 * 8; }

int64_t Chunks(int64_t n) { return (n + kChunkRows - 1) / kChunkRows; }

int64_t RowsOf(int64_t chunk, int64_t n) {
  return std::min(kChunkRows, n - chunk * kChunkRows);
}

}  // namespace

Mlp::Mlp(const ParamLayout& layout, int64_t max_batch, int threads)
    : layout_(layout),
      threads_(std::max(1, threads)),
      ld_h_(RoundUp8(layout.shape().hidden)),
      ld_w2t_(RoundUp8(layout.shape().classes)) {
  const ModelShape& s = layout.shape();
  const int64_t bh = max_batch * ld_h_, bc = max_batch * s.classes;
  for (Buffer* b : {&h1_, &slope1_, &h2_, &slope2_}) *b = Buffer(bh);
  probs_ = Buffer(bc);
  term_ = Buffer(max_batch);
  ta_ = Buffer(s.vocab * ld_h_);
  tb_ = Buffer(s.vocab * ld_h_);
  w0t_ = Buffer(2 * s.dim * s.hidden);
  w1t_ = Buffer(s.hidden * ld_h_);
  w2t_ = Buffer(s.hidden * ld_w2t_);
  w1_ = Buffer(s.hidden * ld_h_);
  w2_ = Buffer(s.classes * ld_h_);
  token_grad_ = Buffer(s.vocab * 2 * s.hidden);
  if (threads_ > 1) {
    dl_ = Buffer(bc);
    dz2_ = Buffer(bh);
    dz1_ = Buffer(bh);
  }
  scratch_.resize(threads_);
  const int64_t rh = kChunkRows * ld_h_, rc = kChunkRows * s.classes;
  for (Scratch& sc : scratch_) {
    for (Buffer* b : {&sc.z, &sc.s, &sc.dz2, &sc.dz1}) *b = Buffer(rh);
    sc.logits = Buffer(rc);
    sc.dl = Buffer(rc);
    sc.rows = Buffer(3 * kChunkRows);
    sc.arg.resize(kChunkRows);
  }
  // ForwardBackward keeps a chunk's activations in scratch (one thread).
  for (Buffer* b : {&scratch_[0].h1, &scratch_[0].slope1, &scratch_[0].h2,
                    &scratch_[0].slope2}) {
    *b = Buffer(rh);
  }
  scratch_[0].probs = Buffer(rc);
  correct_.resize(threads_);
}

Mlp::ChunkActs Mlp::SavedActs(int64_t n0) {
  const int64_t ld = ld_h_;
  return {h1_.data() + n0 * ld, slope1_.data() + n0 * ld,
          h2_.data() + n0 * ld, slope2_.data() + n0 * ld,
          probs_.data() + n0 * layout_.shape().classes};
}

// ---- Forward ---------------------------------------------------------------

void Mlp::PrepareForward(const ParamBuffer& params) {
  const ModelShape& s = layout_.shape();
  auto p = [&](int id) { return params.view(layout_, id).data(); };
  PairTablesForward(ta_.data(), tb_.data(), ld_h_, w0t_.data(),
                    p(kEmbedding), p(kW0), s.vocab, s.dim, s.hidden,
                    threads_);
  TransposeWeights(w1t_.data(), ld_h_, p(kW1), s.hidden, s.hidden);
  TransposeWeights(w2t_.data(), ld_w2t_, p(kW2), s.classes, s.hidden);
  std::fill(correct_.begin(), correct_.end(), 0);
}

int64_t Mlp::ForwardChunk(const ParamBuffer& params, const Batch& batch,
                          int64_t n0, int64_t rows, const ChunkActs& acts,
                          Scratch& sc) {
  const ModelShape& s = layout_.shape();
  const int64_t h = s.hidden, ld = ld_h_;
  auto p = [&](int id) { return params.view(layout_, id).data(); };
  double* z = sc.z.data();
  // Whole padded rows go through SiLU (pad columns hold finite values that
  // nothing reads), so each call is one contiguous vector loop.
  PairLinearForward(z, ld, ta_.data(), tb_.data(), ld, p(kB0),
                    batch.a.data() + n0, batch.b.data() + n0, rows, h);
  SiluForward(acts.h1, acts.slope1, sc.s.data(), z, rows * ld);
  LinearForward(z, ld, acts.h1, ld, w1t_.data(), ld, p(kB1), rows, h, h);
  SiluForward(acts.h2, acts.slope2, sc.s.data(), z, rows * ld);
  LinearForward(sc.logits.data(), s.classes, acts.h2, ld, w2t_.data(),
                ld_w2t_, p(kB2), rows, h, s.classes);
  return CrossEntropyForward(acts.probs, term_.data() + n0, sc.rows.data(),
                             sc.arg.data(), sc.logits.data(),
                             batch.labels.data() + n0, rows, s.classes);
}

// The per-sample terms are summed in increasing n, whatever the chunking.
CrossEntropyResult Mlp::LossOf(int64_t n) const {
  CrossEntropyResult result;
  double loss_sum = 0.0;
  const double* term = term_.data();
  for (int64_t i = 0; i < n; ++i) loss_sum += term[i];
  result.loss = loss_sum / static_cast<double>(n);
  for (int64_t c : correct_) result.correct += c;
  return result;
}

CrossEntropyResult Mlp::Forward(const ParamBuffer& params,
                                const Batch& batch) {
  const int64_t n = batch.size();
  PrepareForward(params);
  ParallelRanges(Chunks(n), threads_, [&](int64_t begin, int64_t end, int t) {
    for (int64_t c = begin; c < end; ++c) {
      const int64_t n0 = c * kChunkRows;
      correct_[t] += ForwardChunk(params, batch, n0, RowsOf(c, n),
                                  SavedActs(n0), scratch_[t]);
    }
  });
  return LossOf(n);
}

// ---- Backward --------------------------------------------------------------

void Mlp::PrepareBackward(const ParamBuffer& params, ParamBuffer* grads) {
  const ModelShape& s = layout_.shape();
  CopyWeights(w1_.data(), ld_h_, params.view(layout_, kW1).data(), s.hidden,
              s.hidden);
  CopyWeights(w2_.data(), ld_h_, params.view(layout_, kW2).data(), s.classes,
              s.hidden);
  // Every chain below starts at +0.0 and continues chunk by chunk.
  for (int id : {kB0, kW1, kB1, kW2, kB2}) {
    absl::Span<double> v = grads->view(layout_, id);
    std::fill(v.begin(), v.end(), 0.0);
  }
  std::fill(token_grad_.data(), token_grad_.data() + s.vocab * 2 * s.hidden,
            0.0);
}

void Mlp::BackwardDataChunk(const Batch& batch, int64_t n0, int64_t rows,
                            const ChunkActs& acts, const ChunkGrads& out) {
  const ModelShape& s = layout_.shape();
  const int64_t h = s.hidden, ld = ld_h_;
  CrossEntropyBackward(out.dl, acts.probs, batch.labels.data() + n0,
                       1.0 / static_cast<double>(batch.size()), rows,
                       s.classes);
  // dz2 = (dlogits W2) * silu'(z2); dz1 = (dz2 W1) * silu'(z1).
  LinearBackwardInput(out.dz2, ld, out.dl, s.classes, w2_.data(), ld,
                      acts.slope2, ld, rows, h, s.classes);
  LinearBackwardInput(out.dz1, ld, out.dz2, ld, w1_.data(), ld, acts.slope1,
                      ld, rows, h, h);
}

void Mlp::BackwardWeightsChunk(const Batch& batch, int64_t n0, int64_t rows,
                               const ChunkActs& acts, const ChunkGrads& in,
                               int part, int parts, ParamBuffer* grads) {
  const ModelShape& s = layout_.shape();
  const int64_t h = s.hidden, c = s.classes, ld = ld_h_;
  auto g = [&](int id) { return grads->view(layout_, id).data(); };
  LinearBackwardWeights(g(kW2), g(kB2), in.dl, c, acts.h2, ld, rows, h, c,
                        RangeBegin(c, parts, part),
                        RangeBegin(c, parts, part + 1));
  LinearBackwardWeights(g(kW1), g(kB1), in.dz2, ld, acts.h1, ld, rows, h, h,
                        RangeBegin(h, parts, part),
                        RangeBegin(h, parts, part + 1));
  PairLinearBackward(token_grad_.data(), g(kB0), in.dz1, ld,
                     batch.a.data() + n0, batch.b.data() + n0, rows, h,
                     RangeBegin(h, parts, part),
                     RangeBegin(h, parts, part + 1));
}

void Mlp::FinishBackward(const ParamBuffer& params, bool embedding_grad,
                         ParamBuffer* grads) {
  const ModelShape& s = layout_.shape();
  auto p = [&](int id) { return params.view(layout_, id).data(); };
  auto g = [&](int id) { return grads->view(layout_, id).data(); };
  PairTablesBackward(embedding_grad ? g(kEmbedding) : nullptr, g(kW0),
                     token_grad_.data(), p(kEmbedding), p(kW0), s.vocab,
                     s.dim, s.hidden, threads_);
}

void Mlp::Backward(const ParamBuffer& params, const Batch& batch,
                   bool embedding_grad, ParamBuffer* grads) {
  const ModelShape& s = layout_.shape();
  const int64_t n = batch.size(), ld = ld_h_;
  PrepareBackward(params, grads);
  const int64_t chunks = Chunks(n);
  if (threads_ == 1) {
    const ChunkGrads cg = scratch_[0].grads();
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t n0 = c * kChunkRows;
      const ChunkActs acts = SavedActs(n0);
      BackwardDataChunk(batch, n0, RowsOf(c, n), acts, cg);
      BackwardWeightsChunk(batch, n0, RowsOf(c, n), acts, cg, 0, 1, grads);
    }
  } else {
    auto chunk_grads = [&](int64_t c) {
      const int64_t n0 = c * kChunkRows;
      return ChunkGrads{dl_.data() + n0 * s.classes, dz2_.data() + n0 * ld,
                        dz1_.data() + n0 * ld};
    };
    ParallelRanges(chunks, threads_, [&](int64_t begin, int64_t end, int) {
      for (int64_t c = begin; c < end; ++c) {
        BackwardDataChunk(batch, c * kChunkRows, RowsOf(c, n),
                          SavedActs(c * kChunkRows), chunk_grads(c));
      }
    });
    ParallelRanges(threads_, threads_, [&](int64_t begin, int64_t end, int) {
      for (int64_t part = begin; part < end; ++part) {
        for (int64_t c = 0; c < chunks; ++c) {
          BackwardWeightsChunk(batch, c * kChunkRows, RowsOf(c, n),
                               SavedActs(c * kChunkRows), chunk_grads(c),
                               static_cast<int>(part), threads_, grads);
        }
      }
    });
  }
  FinishBackward(params, embedding_grad, grads);
}

// ---- Both ------------------------------------------------------------------

CrossEntropyResult Mlp::ForwardBackward(const ParamBuffer& params,
                                        const Batch& batch,
                                        bool embedding_grad,
                                        ParamBuffer* grads) {
  if (threads_ > 1) {
    const CrossEntropyResult result = Forward(params, batch);
    Backward(params, batch, embedding_grad, grads);
    return result;
  }
  const int64_t n = batch.size();
  PrepareForward(params);
  PrepareBackward(params, grads);
  Scratch& sc = scratch_[0];
  const ChunkActs acts = sc.acts();
  const ChunkGrads cg = sc.grads();
  for (int64_t c = 0; c < Chunks(n); ++c) {
    const int64_t n0 = c * kChunkRows, rows = RowsOf(c, n);
    correct_[0] += ForwardChunk(params, batch, n0, rows, acts, sc);
    BackwardDataChunk(batch, n0, rows, acts, cg);
    BackwardWeightsChunk(batch, n0, rows, acts, cg, 0, 1, grads);
  }
  FinishBackward(params, embedding_grad, grads);
  return LossOf(n);
}

}  // namespace initrepro
