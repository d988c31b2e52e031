#include "src/model/adamw.h"

#include <cmath>

namespace initrepro {

AdamW::AdamW(const AdamWConfig& config, int64_t size, int64_t begin,
             int64_t end)
    : config_(config),
      begin_(begin),
      end_(end),
      m_(static_cast<size_t>(size), 0.0),
      v_(static_cast<size_t>(size), 0.0) {}

void AdamW::Step(double* params, const double* grads) {
  ++step_;
  beta1_power_ *= config_.beta1;
  beta2_power_ *= config_.beta2;
  const double decay = 1.0 - config_.lr * config_.weight_decay;
  const double step_size = config_.lr / (1.0 - beta1_power_);
  const double bias_correction2_sqrt = std::sqrt(1.0 - beta2_power_);
  const double one_minus_beta1 = 1.0 - config_.beta1;
  const double one_minus_beta2 = 1.0 - config_.beta2;
  for (int64_t i = begin_; i < end_; ++i) {
    const double g = grads[i];
    params[i] *= decay;
    m_[i] = config_.beta1 * m_[i] + one_minus_beta1 * g;
    v_[i] = config_.beta2 * v_[i] + one_minus_beta2 * (g * g);
    const double denom = std::sqrt(v_[i]) / bias_correction2_sqrt + config_.eps;
    params[i] -= step_size * (m_[i] / denom);
  }
}

}  // namespace initrepro
