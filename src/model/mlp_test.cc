#include "src/model/mlp.h"

#include <cmath>
#include <cstdint>

#include "gtest/gtest.h"
#include "src/model/params.h"

namespace initrepro {
namespace {

ModelShape TinyShape() { return ModelShape{5, 3, 4, 5}; }

Batch AllPairs(int64_t vocab) {
  Batch batch;
  for (int32_t n = 0; n < vocab * vocab; ++n) {
    batch.a.push_back(n % vocab);
    batch.b.push_back(n / vocab);
    batch.labels.push_back((n % vocab + n / vocab) % vocab);
  }
  return batch;
}

void FillPseudo(ParamBuffer* params) {
  uint64_t x = 12345;
  for (double& v : params->values) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    v = (static_cast<double>(x >> 11) * 0x1.0p-53 - 0.5) * 1.5;
  }
}

// Central differences of the loss against every parameter's gradient.
TEST(MlpTest, GradientMatchesFiniteDifferencesForEveryParameter) {
  ParamLayout layout(TinyShape());
  ParamBuffer params(layout), grads(layout);
  FillPseudo(&params);
  Batch batch = AllPairs(5);
  Mlp mlp(layout, batch.size(), 1);
  mlp.Forward(params, batch);
  mlp.Backward(params, batch, /*embedding_grad=*/true, &grads);
  const double h = 1e-5;
  for (int id = 0; id < kNumTensors; ++id) {
    const TensorSpec& spec = layout.spec(id);
    for (int64_t i = 0; i < spec.size; ++i) {
      const int64_t at = spec.offset + i;
      const double saved = params.values[at];
      params.values[at] = saved + h;
      const double up = mlp.Forward(params, batch).loss;
      params.values[at] = saved - h;
      const double down = mlp.Forward(params, batch).loss;
      params.values[at] = saved;
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(grads.values[at], numeric,
                  1e-7 + 1e-5 * std::fabs(numeric))
          << spec.name << "[" << i << "]";
    }
  }
}

TEST(MlpTest, FrozenEmbeddingLeavesItsGradientUntouched) {
  ParamLayout layout(TinyShape());
  ParamBuffer params(layout), grads(layout);
  FillPseudo(&params);
  for (double& g : grads.values) g = 7.0;
  Batch batch = AllPairs(5);
  Mlp mlp(layout, batch.size(), 1);
  mlp.Forward(params, batch);
  mlp.Backward(params, batch, /*embedding_grad=*/false, &grads);
  for (double g : grads.view(layout, kEmbedding)) EXPECT_EQ(g, 7.0);
}

TEST(MlpTest, LossOfUniformLogitsIsLogClasses) {
  ParamLayout layout(TinyShape());
  ParamBuffer params(layout);  // all zeros: logits are all zero
  Batch batch = AllPairs(5);
  Mlp mlp(layout, batch.size(), 1);
  EXPECT_NEAR(mlp.Forward(params, batch).loss, std::log(5.0), 1e-15);
}

}  // namespace
}  // namespace initrepro
