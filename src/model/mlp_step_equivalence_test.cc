// The benchmark times Mlp::ForwardBackward; this proves it computes the same
// bits as Forward followed by Backward (what the trainer calls), for every
// thread count and SIMD level, on the default model and on an odd shape
// whose batch ends in a partial chunk.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/simd.h"
#include "src/model/mlp.h"
#include "src/model/params.h"

namespace initrepro {
namespace {

struct Outcome {
  CrossEntropyResult result;
  std::vector<double> grads;
};

bool Same(const Outcome& x, const Outcome& y) {
  return std::memcmp(&x.result.loss, &y.result.loss, sizeof(double)) == 0 &&
         x.result.correct == y.result.correct &&
         x.grads.size() == y.grads.size() &&
         std::memcmp(x.grads.data(), y.grads.data(),
                     x.grads.size() * sizeof(double)) == 0;
}

class StepEquivalenceTest : public ::testing::TestWithParam<ModelShape> {
 protected:
  void SetUp() override {
    layout_ = std::make_unique<ParamLayout>(GetParam());
    params_ = std::make_unique<ParamBuffer>(*layout_);
    uint64_t x = 777;
    for (double& v : params_->values) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      v = (static_cast<double>(x >> 11) * 0x1.0p-53 - 0.5) * 0.6;
    }
    const int64_t vocab = GetParam().vocab, classes = GetParam().classes;
    // 80 % of the pairs in a scrambled order.
    for (int64_t n = 0; n < vocab * vocab; ++n) {
      if (n % 5 == 4) continue;
      batch_.a.push_back(static_cast<int32_t>((n * 7) % vocab));
      batch_.b.push_back(static_cast<int32_t>(n / vocab));
      batch_.labels.push_back(
          static_cast<int32_t>((batch_.a.back() + batch_.b.back()) % classes));
    }
  }
  void TearDown() override { SetSimdOverride(DetectSimd()); }

  Outcome Run(int threads, bool fused) {
    Mlp mlp(*layout_, batch_.size(), threads);
    ParamBuffer grads(*layout_);
    Outcome out;
    if (fused) {
      out.result = mlp.ForwardBackward(*params_, batch_, true, &grads);
    } else {
      out.result = mlp.Forward(*params_, batch_);
      mlp.Backward(*params_, batch_, true, &grads);
    }
    out.grads = grads.values;
    return out;
  }

  std::unique_ptr<ParamLayout> layout_;
  std::unique_ptr<ParamBuffer> params_;
  Batch batch_;
};

TEST_P(StepEquivalenceTest, SameBitsForEveryThreadCountLevelAndFusion) {
  const Outcome want = Run(1, false);
  EXPECT_GT(want.result.loss, 0.0);
  for (SimdLevel level :
       {SimdLevel::kAvx512, SimdLevel::kAvx2, SimdLevel::kScalar}) {
    if (static_cast<int>(level) > static_cast<int>(DetectSimd())) continue;
    SetSimdOverride(level);
    for (int threads : {1, 2, 3}) {
      for (bool fused : {false, true}) {
        // Scalar GEMMs call libm's fma; keep that path to one run.
        if (level == SimdLevel::kScalar && (threads != 1 || !fused)) continue;
        EXPECT_TRUE(Same(Run(threads, fused), want))
            << SimdLevelName(level) << " threads " << threads << " fused "
            << fused;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, StepEquivalenceTest,
                         ::testing::Values(ModelShape{59, 128, 100, 59},
                                           ModelShape{23, 9, 13, 11}));

}  // namespace
}  // namespace initrepro
