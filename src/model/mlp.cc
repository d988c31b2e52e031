#include "src/model/mlp.h"

#include <algorithm>

namespace initrepro {

Mlp::Mlp(const ParamLayout& layout, int64_t max_batch, int threads)
    : layout_(layout), threads_(std::max(1, threads)) {
  const ModelShape& s = layout.shape();
  const size_t bh = static_cast<size_t>(max_batch * s.hidden);
  const size_t bc = static_cast<size_t>(max_batch * s.classes);
  for (auto* buffer : {&z1_, &s1_, &h1_, &z2_, &s2_, &h2_, &d_h2_, &d_z2_,
                       &d_h1_, &d_z1_}) {
    buffer->resize(bh);
  }
  logits_.resize(bc);
  probs_.resize(bc);
  d_logits_.resize(bc);
  ta_.resize(s.vocab * s.hidden);
  tb_.resize(s.vocab * s.hidden);
  token_grad_.resize(s.vocab * 2 * s.hidden);
  w0_scratch_.resize(2 * s.dim * s.hidden);
  w_scratch_.resize(s.hidden * std::max(s.hidden, s.classes));
}

CrossEntropyResult Mlp::Forward(const ParamBuffer& params,
                                const Batch& batch) {
  const ModelShape& s = layout_.shape();
  const int64_t n = batch.size(), h = s.hidden;
  auto p = [&](int id) { return params.view(layout_, id).data(); };
  PairLinearForward(z1_.data(), ta_.data(), tb_.data(), w0_scratch_.data(),
                    p(kEmbedding), p(kW0), p(kB0), batch.a.data(),
                    batch.b.data(), n, s.vocab, s.dim, h, threads_);
  SiluForward(h1_.data(), s1_.data(), z1_.data(), n * h);
  LinearForward(z2_.data(), w_scratch_.data(), h1_.data(), p(kW1), p(kB1), n,
                h, h, threads_);
  SiluForward(h2_.data(), s2_.data(), z2_.data(), n * h);
  LinearForward(logits_.data(), w_scratch_.data(), h2_.data(), p(kW2),
                p(kB2), n, h, s.classes, threads_);
  return CrossEntropyForward(probs_.data(), logits_.data(),
                             batch.labels.data(), n, s.classes);
}

void Mlp::Backward(const ParamBuffer& params, const Batch& batch,
                   bool embedding_grad, ParamBuffer* grads) {
  const ModelShape& s = layout_.shape();
  const int64_t n = batch.size(), h = s.hidden;
  auto p = [&](int id) { return params.view(layout_, id).data(); };
  auto g = [&](int id) { return grads->view(layout_, id).data(); };
  CrossEntropyBackward(d_logits_.data(), probs_.data(), batch.labels.data(),
                       n, s.classes);
  LinearBackward(d_h2_.data(), g(kW2), g(kB2), d_logits_.data(), h2_.data(),
                 p(kW2), n, h, s.classes, threads_);
  SiluBackward(d_z2_.data(), d_h2_.data(), z2_.data(), s2_.data(), n * h);
  LinearBackward(d_h1_.data(), g(kW1), g(kB1), d_z2_.data(), h1_.data(),
                 p(kW1), n, h, h, threads_);
  SiluBackward(d_z1_.data(), d_h1_.data(), z1_.data(), s1_.data(), n * h);
  PairLinearBackward(embedding_grad ? g(kEmbedding) : nullptr, g(kW0), g(kB0),
                     token_grad_.data(), w0_scratch_.data(), d_z1_.data(),
                     p(kEmbedding), p(kW0), batch.a.data(), batch.b.data(), n,
                     s.vocab, s.dim, h, threads_);
}

}  // namespace initrepro
