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

// The f32 oneDNN step, plugged into TrainLoop (src/train/trainer.h).
class OneDnnStepper : public TrainStepper {
 public:
  OneDnnStepper(const ParamLayout& layout, const std::vector<double>& initial,
                const Batch& train, const Batch& test,
                const TrainConfig& config)
      : layout_(layout),
        train_(train),
        test_(test),
        embedding_grad_(!config.freeze_embedding),
        params_(initial.begin(), initial.end()),
        grads_(params_.size(), 0.0f),
        engine_(dnnl::engine::kind::cpu, 0),
        stream_(engine_),
        train_net_(engine_, layout.shape(), train.size(), /*train=*/true),
        adam_(config.lr, config.wd, layout.total(),
              config.freeze_embedding ? layout.spec(kW0).offset : 0) {
    if (test.size() > 0)
      test_net_ =
          std::make_unique<Net>(engine_, layout.shape(), test.size(), false);
  }

  double Step() override {
    const Loss loss = train_net_.Run(stream_, layout_, params_.data(), train_,
                                     embedding_grad_, grads_.data());
    if (!std::isfinite(loss.loss)) return loss.loss;
    adam_.Step(params_.data(), grads_.data());
    return loss.loss;
  }

  StepMetrics Evaluate(int64_t step) override {
    StepMetrics m;
    m.step = step;
    const Loss tr =
        train_net_.Run(stream_, layout_, params_.data(), train_, false, nullptr);
    m.train_loss = tr.loss;
    m.train_accuracy = static_cast<double>(tr.correct) / train_.size();
    if (test_net_) {
      const Loss te = test_net_->Run(stream_, layout_, params_.data(), test_,
                                     false, nullptr);
      m.test_loss = te.loss;
      m.test_accuracy = static_cast<double>(te.correct) / test_.size();
    }
    return m;
  }

  std::vector<double> Params() const override {
    return std::vector<double>(params_.begin(), params_.end());
  }

 private:
  const ParamLayout& layout_;
  const Batch& train_;
  const Batch& test_;
  bool embedding_grad_;
  std::vector<float> params_, grads_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  Net train_net_;
  std::unique_ptr<Net> test_net_;
  AdamWF32 adam_;
};

}  // namespace

absl::StatusOr<RunResult> TrainOneDnnF32(const TrainConfig& config,
                                         const InitialState& init) {
  if (config.backend != "onednn" || config.dtype != "f32")
    return absl::InvalidArgumentError(absl::StrCat(
        "backend=", config.backend, " dtype=", config.dtype,
        ": TrainOneDnnF32 runs --backend=onednn --dtype=f32 only"));
  try {
    return TrainLoop(config, init,
                     [&config](const ParamLayout& layout,
                               const std::vector<double>& initial,
                               const Batch& train, const Batch& test)
                         -> absl::StatusOr<std::unique_ptr<TrainStepper>> {
                       return std::make_unique<OneDnnStepper>(
                           layout, initial, train, test, config);
                     });
  } catch (const dnnl::error& e) {
    return absl::InternalError(
        absl::StrCat("oneDNN: ", e.what(), " (status ", e.status, ")"));
  }
}

}  // namespace initrepro
