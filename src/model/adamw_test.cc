#include "src/model/adamw.h"

#include <cmath>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

// Two steps by hand, in PyTorch's order of operations.
TEST(AdamWTest, MatchesHandComputation) {
  AdamWConfig config;  // lr 0.01, betas (0.9, 0.999), eps 1e-8, wd 0.5
  double params[3] = {1.0, -2.0, 0.5};
  const double grads1[3] = {0.1, -0.3, 0.0};
  const double grads2[3] = {-0.2, 0.4, 1.0};
  AdamW adam(config, 3, 0, 3);
  adam.Step(params, grads1);
  adam.Step(params, grads2);
  for (int i = 0; i < 3; ++i) {
    double p = i == 0 ? 1.0 : (i == 1 ? -2.0 : 0.5), m = 0, v = 0;
    const double g[2] = {grads1[i], grads2[i]};
    for (int t = 1; t <= 2; ++t) {
      p *= 1 - 0.01 * 0.5;
      m = 0.9 * m + 0.1 * g[t - 1];
      v = 0.999 * v + (1 - 0.999) * (g[t - 1] * g[t - 1]);
      const double bc1 = 1 - std::pow(0.9, t), bc2 = 1 - std::pow(0.999, t);
      p -= (0.01 / bc1) * (m / (std::sqrt(v) / std::sqrt(bc2) + 1e-8));
    }
    EXPECT_NEAR(params[i], p, 1e-15) << i;
  }
}

TEST(AdamWTest, LeavesParametersOutsideTheRangeAlone) {
  AdamWConfig config;
  double params[4] = {1, 2, 3, 4};
  const double grads[4] = {1, 1, 1, 1};
  AdamW adam(config, 4, 2, 4);
  adam.Step(params, grads);
  EXPECT_EQ(params[0], 1.0);
  EXPECT_EQ(params[1], 2.0);
  EXPECT_NE(params[2], 3.0);
}

}  // namespace
}  // namespace initrepro
