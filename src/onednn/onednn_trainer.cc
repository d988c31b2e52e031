#include "src/onednn/onednn_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/core/status_macros.h"
#include "src/model/params.h"
#include "src/tasks/task.h"

namespace initrepro {
namespace {

using dnnl::memory;
using Dims = memory::dims;

// One f32 matmul shape: dst(M, N) = src(M, K) * wei(K, N) [+ bias(1, N)],
// each operand a strided 2-D view (so transposes cost nothing). The
// primitive is created once and executed on new data pointers every step.
class MatMul {
 public:
  MatMul(const dnnl::engine& engine, int64_t m, int64_t k, int64_t n,
         const Dims& src_strides, const Dims& wei_strides, bool bias)
      : has_bias_(bias) {
    const memory::desc src_md({m, k}, memory::data_type::f32, src_strides);
    const memory::desc wei_md({k, n}, memory::data_type::f32, wei_strides);
    const memory::desc dst_md({m, n}, memory::data_type::f32,
                              memory::format_tag::ab);
    const memory::desc bias_md({1, n}, memory::data_type::f32,
                               memory::format_tag::ab);
    const dnnl::matmul::primitive_desc pd =
        bias ? dnnl::matmul::primitive_desc(
                   dnnl::matmul::desc(src_md, wei_md, bias_md, dst_md), engine)
             : dnnl::matmul::primitive_desc(
                   dnnl::matmul::desc(src_md, wei_md, dst_md), engine);
    prim_ = dnnl::matmul(pd);
    src_ = memory(src_md, engine, DNNL_MEMORY_NONE);
    wei_ = memory(wei_md, engine, DNNL_MEMORY_NONE);
    dst_ = memory(dst_md, engine, DNNL_MEMORY_NONE);
    if (bias) bias_ = memory(bias_md, engine, DNNL_MEMORY_NONE);
  }

  void Run(dnnl::stream& stream, const float* src, const float* wei,
           const float* bias, float* dst) {
    src_.set_data_handle(const_cast<float*>(src));
    wei_.set_data_handle(const_cast<float*>(wei));
    dst_.set_data_handle(dst);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, wei_}, {DNNL_ARG_DST, dst_}};
    if (has_bias_) {
      bias_.set_data_handle(const_cast<float*>(bias));
      args.insert({DNNL_ARG_BIAS, bias_});
    }
    prim_.execute(stream, args);
    stream.wait();
  }

 private:
  bool has_bias_;
  dnnl::matmul prim_;
  memory src_, wei_, dst_, bias_;
};

// Row-major strides of an (r, c) matrix and of its transpose view.
Dims Plain(int64_t cols) { return {cols, 1}; }
Dims Transposed(int64_t rows_of_stored) { return {1, rows_of_stored}; }

struct Loss {
  double loss = 0;  // mean cross-entropy (terms f32, summed in f64)
  int64_t correct = 0;
};

// The f32 model for one batch size: activations and the matmuls of that
// size. Layer-0 trick (as the reference): W0 (H, 2d) viewed as (2H, d)
// row-major has row 2h+s = W0[h, s*d : (s+1)*d], so one matmul
// T = E * W0view^T (V, 2H) gives both halves' pre-activations per token:
// z1[n, h] = T[a_n, 2h] + T[b_n, 2h+1] + b0[h].
class Net {
 public:
  Net(const dnnl::engine& engine, const ModelShape& s, int64_t n, bool train)
      : s_(s), n_(n) {
    const int64_t v = s.vocab, d = s.dim, h = s.hidden, c = s.classes;
    table_ = std::make_unique<MatMul>(engine, v, d, 2 * h, Plain(d),
                                      Transposed(d), false);
    fc1_ = std::make_unique<MatMul>(engine, n, h, h, Plain(h), Transposed(h),
                                    true);
    fc2_ = std::make_unique<MatMul>(engine, n, h, c, Plain(h), Transposed(h),
                                    true);
    t_.resize(v * 2 * h);
    z1_.resize(n * h), s1_.resize(n * h), h1_.resize(n * h);
    z2_.resize(n * h), s2_.resize(n * h), h2_.resize(n * h);
    logits_.resize(n * c);
    if (train) {
      dw2_ = std::make_unique<MatMul>(engine, c, n, h, Transposed(c), Plain(h),
                                      false);
      dh2_ = std::make_unique<MatMul>(engine, n, c, h, Plain(c), Plain(h),
                                      false);
      dw1_ = std::make_unique<MatMul>(engine, h, n, h, Transposed(h), Plain(h),
                                      false);
      dh1_ = std::make_unique<MatMul>(engine, n, h, h, Plain(h), Plain(h),
                                      false);
      dw0_ = std::make_unique<MatMul>(engine, 2 * h, v, d, Transposed(2 * h),
                                      Plain(d), false);
      de_ = std::make_unique<MatMul>(engine, v, 2 * h, d, Plain(2 * h),
                                     Plain(d), false);
      dh_.resize(n * h);
      gab_.resize(v * 2 * h);
    }
  }

  // Forward over the whole batch; with `grads`, also the full gradient of
  // the mean loss (the embedding part only if `embedding_grad`).
  Loss Run(dnnl::stream& stream, const ParamLayout& layout, const float* p,
           const Batch& batch, bool embedding_grad, float* g) {
    const int64_t n = n_, h = s_.hidden, c = s_.classes;
    const float* e = p + layout.spec(kEmbedding).offset;
    const float* w0 = p + layout.spec(kW0).offset;
    const float* b0 = p + layout.spec(kB0).offset;
    const float* w1 = p + layout.spec(kW1).offset;
    const float* b1 = p + layout.spec(kB1).offset;
    const float* w2 = p + layout.spec(kW2).offset;
    const float* b2 = p + layout.spec(kB2).offset;

    table_->Run(stream, e, w0, nullptr, t_.data());
    for (int64_t r = 0; r < n; ++r) {
      const float* ta = t_.data() + batch.a[r] * 2 * h;
      const float* tb = t_.data() + batch.b[r] * 2 * h;
      for (int64_t j = 0; j < h; ++j) {
        const float z = (ta[2 * j] + tb[2 * j + 1]) + b0[j];
        z1_[r * h + j] = z;
      }
    }
    Silu(z1_, &s1_, &h1_);
    fc1_->Run(stream, h1_.data(), w1, b1, z2_.data());
    Silu(z2_, &s2_, &h2_);
    fc2_->Run(stream, h2_.data(), w2, b2, logits_.data());

    // Softmax cross-entropy; logits_ becomes dL/dlogits when training.
    Loss out;
    double total = 0;
    const float inv_n = 1.0f / static_cast<float>(n);
    for (int64_t r = 0; r < n; ++r) {
      float* l = logits_.data() + r * c;
      const int32_t label = batch.labels[r];
      int64_t arg = 0;
      for (int64_t k = 1; k < c; ++k)
        if (l[k] > l[arg]) arg = k;
      if (arg == label) ++out.correct;
      const float mx = l[arg];
      const float picked = l[label];
      float sum = 0;
      for (int64_t k = 0; k < c; ++k) {
        l[k] = std::exp(l[k] - mx);  // l no longer holds logits
        sum += l[k];
      }
      total += static_cast<double>((mx + std::log(sum)) - picked);
      if (g != nullptr) {
        const float inv_sum = 1.0f / sum;
        for (int64_t k = 0; k < c; ++k)
          l[k] = (l[k] * inv_sum - (k == label ? 1.0f : 0.0f)) * inv_n;
      }
    }
    out.loss = total / static_cast<double>(n);
    if (g == nullptr || !std::isfinite(out.loss)) return out;

    float* ge = g + layout.spec(kEmbedding).offset;
    float* gw0 = g + layout.spec(kW0).offset;
    float* gb0 = g + layout.spec(kB0).offset;
    float* gw1 = g + layout.spec(kW1).offset;
    float* gb1 = g + layout.spec(kB1).offset;
    float* gw2 = g + layout.spec(kW2).offset;
    float* gb2 = g + layout.spec(kB2).offset;
    const float* dl = logits_.data();

    dw2_->Run(stream, dl, h2_.data(), nullptr, gw2);
    ColumnSums(dl, n, c, gb2);
    dh2_->Run(stream, dl, w2, nullptr, dh_.data());
    SiluBackward(z2_, s2_, &dh_);  // dh_ = dz2
    dw1_->Run(stream, dh_.data(), h1_.data(), nullptr, gw1);
    ColumnSums(dh_.data(), n, h, gb1);
    // z2_ is no longer needed: it holds dh1, then dz1.
    std::vector<float>& dz1 = z2_;
    dh1_->Run(stream, dh_.data(), w1, nullptr, dz1.data());
    SiluBackward(z1_, s1_, &dz1);
    ColumnSums(dz1.data(), n, h, gb0);
    std::fill(gab_.begin(), gab_.end(), 0.0f);
    for (int64_t r = 0; r < n; ++r) {
      float* ga = gab_.data() + batch.a[r] * 2 * h;
      float* gb = gab_.data() + batch.b[r] * 2 * h;
      const float* dz = dz1.data() + r * h;
      for (int64_t j = 0; j < h; ++j) {
        ga[2 * j] += dz[j];
        gb[2 * j + 1] += dz[j];
      }
    }
    dw0_->Run(stream, gab_.data(), e, nullptr, gw0);
    if (embedding_grad) de_->Run(stream, gab_.data(), w0, nullptr, ge);
    return out;
  }

 private:
  // s = sigmoid(z), h = z * s (libm expf: no cross-machine bit promise).
  static void Silu(const std::vector<float>& z, std::vector<float>* s,
                   std::vector<float>* h) {
    for (size_t i = 0; i < z.size(); ++i) {
      const float sg = 1.0f / (1.0f + std::exp(-z[i]));
      (*s)[i] = sg;
      (*h)[i] = z[i] * sg;
    }
  }
  // dz = dh * silu'(z), silu'(z) = s * (1 + z * (1 - s)).
  static void SiluBackward(const std::vector<float>& z,
                           const std::vector<float>& s,
                           std::vector<float>* dh) {
    for (size_t i = 0; i < z.size(); ++i)
      (*dh)[i] *= s[i] * (1.0f + z[i] * (1.0f - s[i]));
  }
  static void ColumnSums(const float* x, int64_t rows, int64_t cols,
                         float* out) {
    std::fill(out, out + cols, 0.0f);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < cols; ++k) out[k] += x[r * cols + k];
  }

  ModelShape s_;
  int64_t n_;
  std::unique_ptr<MatMul> table_, fc1_, fc2_, dw2_, dh2_, dw1_, dh1_, dw0_,
      de_;
  std::vector<float> t_, z1_, s1_, h1_, z2_, s2_, h2_, logits_, dh_, gab_;
};

// AdamW as src/model/adamw.h (PyTorch semantics) on f32 tensors; the
// per-step scalars are computed in f64 and rounded once, as PyTorch's
// single-tensor path does with its Python-float scalars.
class AdamWF32 {
 public:
  AdamWF32(double lr, double wd, int64_t size, int64_t begin)
      : lr_(lr), wd_(wd), begin_(begin), m_(size, 0.0f), v_(size, 0.0f) {}

  void Step(float* p, const float* g) {
    b1p_ *= kBeta1;
    b2p_ *= kBeta2;
    const float decay = static_cast<float>(1.0 - lr_ * wd_);
    const float step_size = static_cast<float>(lr_ / (1.0 - b1p_));
    const float bc2 = static_cast<float>(std::sqrt(1.0 - b2p_));
    const float beta1 = static_cast<float>(kBeta1);
    const float beta2 = static_cast<float>(kBeta2);
    const float omb1 = static_cast<float>(1.0 - kBeta1);
    const float omb2 = static_cast<float>(1.0 - kBeta2);
    const float eps = static_cast<float>(kEps);
    for (size_t i = begin_; i < m_.size(); ++i) {
      const float gi = g[i];
      p[i] *= decay;
      m_[i] = beta1 * m_[i] + omb1 * gi;
      v_[i] = beta2 * v_[i] + omb2 * (gi * gi);
      const float denom = std::sqrt(v_[i]) / bc2 + eps;
      p[i] -= step_size * (m_[i] / denom);
    }
  }

 private:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
  double lr_, wd_;
  size_t begin_;
  std::vector<float> m_, v_;
  double b1p_ = 1.0, b2p_ = 1.0;
};

std::vector<double> Widen(const std::vector<float>& x) {
  return std::vector<double>(x.begin(), x.end());
}

absl::StatusOr<RunResult> TrainImpl(const TrainConfig& config,
                                    const InitialState& init) {
  // Validate everything but the backend/dtype pair (the caller chose it).
  TrainConfig checked = config;
  checked.backend = "reference";
  checked.dtype = "f64";
  RETURN_IF_ERROR(Validate(checked));
  ASSIGN_OR_RETURN(Task task, MakeTask(config.task));
  ASSIGN_OR_RETURN(ModelShape shape, ShapeFor(config));
  const ParamLayout layout(shape);

  RunResult result;
  result.config = config;
  result.shape = shape;
  std::vector<double> initial;
  if (init.params.has_value()) {
    if (static_cast<int64_t>(init.params->size()) != layout.total())
      return absl::InvalidArgumentError(absl::StrCat(
          "initial parameters: expected ", layout.total(), " values, found ",
          init.params->size()));
    initial = *init.params;
  } else {
    initial = DrawInitialParams(layout, config);
    if (init.embedding.has_value()) {
      const Matrix& e = *init.embedding;
      if (e.rows != shape.vocab || e.cols != shape.dim)
        return absl::InvalidArgumentError(absl::StrCat(
            "initial embedding: expected shape (", shape.vocab, ", ",
            shape.dim, "), found (", e.rows, ", ", e.cols, ")"));
      std::copy(e.data.begin(), e.data.end(),
                initial.begin() + layout.spec(kEmbedding).offset);
    }
  }
  result.initial = initial;
  result.split = init.split.has_value()
                     ? *init.split
                     : MakeSplit(shape.vocab, SeedsFor(config).split,
                                 config.train_fraction);
  const Batch train = MakeBatch(task, result.split.train);
  const Batch test = MakeBatch(task, result.split.test);

  std::vector<float> params(initial.begin(), initial.end());
  std::vector<float> grads(params.size(), 0.0f);

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  Net train_net(engine, shape, train.size(), /*train=*/true);
  std::unique_ptr<Net> test_net;
  if (test.size() > 0)
    test_net = std::make_unique<Net>(engine, shape, test.size(), false);

  const int64_t first_trained =
      config.freeze_embedding ? layout.spec(kW0).offset : 0;
  AdamWF32 adam(config.lr, config.wd, layout.total(), first_trained);

  const TensorSpec& es = layout.spec(kEmbedding);
  std::set<int64_t> snapshot_at(config.snapshot_steps.begin(),
                                config.snapshot_steps.end());
  auto maybe_record = [&](int64_t step) {
    if (snapshot_at.count(step) ||
        (config.snapshot_every > 0 && step % config.snapshot_every == 0)) {
      Matrix e(es.shape[0], es.shape[1]);
      std::copy(params.begin() + es.offset,
                params.begin() + es.offset + es.size, e.data.begin());
      result.embedding_snapshots[step] = std::move(e);
    }
    if (step % config.log_every == 0 || step == config.steps) {
      StepMetrics m;
      m.step = step;
      const Loss tr =
          train_net.Run(stream, layout, params.data(), train, false, nullptr);
      m.train_loss = tr.loss;
      m.train_accuracy = static_cast<double>(tr.correct) / train.size();
      if (test_net) {
        const Loss te =
            test_net->Run(stream, layout, params.data(), test, false, nullptr);
        m.test_loss = te.loss;
        m.test_accuracy = static_cast<double>(te.correct) / test.size();
      }
      result.metrics.push_back(m);
    }
  };

  const auto start = std::chrono::steady_clock::now();
  maybe_record(0);
  for (int64_t step = 1; step <= config.steps; ++step) {
    const Loss loss = train_net.Run(stream, layout, params.data(), train,
                                    !config.freeze_embedding, grads.data());
    if (!std::isfinite(loss.loss)) {
      result.diverged = true;
      break;
    }
    adam.Step(params.data(), grads.data());
    result.steps_done = step;
    maybe_record(step);
  }
  result.wall_seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  result.final = Widen(params);
  return result;
}

}  // namespace

absl::StatusOr<RunResult> TrainOneDnnF32(const TrainConfig& config,
                                         const InitialState& init) {
  try {
    return TrainImpl(config, init);
  } catch (const dnnl::error& e) {
    return absl::InternalError(
        absl::StrCat("oneDNN: ", e.what(), " (status ", e.status, ")"));
  }
}

}  // namespace initrepro
