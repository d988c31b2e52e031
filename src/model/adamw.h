// AdamW with PyTorch's semantics (torch.optim.AdamW, single-tensor path):
//
//   p <- p * (1 - lr * wd)                    (decoupled decay, first)
//   m <- beta1 * m + (1 - beta1) * g
//   v <- beta2 * v + (1 - beta2) * g * g
//   p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// applied to the flat range [begin, end) of the parameter buffer (a frozen
// embedding is the prefix the trainer leaves out). beta^t is a running
// product (one multiply per step), not pow(), so it is the same everywhere.
#ifndef INITREPRO_SRC_MODEL_ADAMW_H_
#define INITREPRO_SRC_MODEL_ADAMW_H_

#include <cstdint>
#include <vector>

namespace initrepro {

struct AdamWConfig {
  double lr = 0.01;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.5;
};

class AdamW {
 public:
  AdamW(const AdamWConfig& config, int64_t size, int64_t begin, int64_t end);

  // One update of params[begin, end) with grads[begin, end).
  void Step(double* params, const double* grads);

  int64_t step() const { return step_; }

 private:
  AdamWConfig config_;
  int64_t begin_, end_;
  std::vector<double> m_, v_;
  double beta1_power_ = 1.0, beta2_power_ = 1.0;
  int64_t step_ = 0;
};

}  // namespace initrepro

#endif  // INITREPRO_SRC_MODEL_ADAMW_H_
