// MA-ablation's circle sets, read back from the embeddings it builds: the
// many-seed design's C and D never touch A u B (issue 9), and P1's design
// keeps exactly P1's frequencies.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

// Circles k in 1..(p-1)/2 present in `e` (signal above 1e-9 of the largest).
std::vector<int64_t> KeptCircles(const Matrix& e) {
  const std::vector<double> s = FourierSignal(e);
  const double top = *std::max_element(s.begin(), s.end());
  std::vector<int64_t> ks;
  for (int64_t k = 1; k <= (e.rows - 1) / 2; ++k)
    if (s[k] > 1e-9 * top) ks.push_back(k);
  return ks;
}

bool Disjoint(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (int64_t k : a)
    if (std::find(b.begin(), b.end(), k) != b.end()) return false;
  return true;
}

bool Within(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (int64_t k : a)
    if (std::find(b.begin(), b.end(), k) == b.end()) return false;
  return true;
}

class MaAblationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = MakeExperiment("MA-ablation");
    ASSERT_TRUE(e.ok()) << e.status();
    experiment_ = std::move(*e);
  }
  // The circles kept for (design, condition) at the ci tier's p, seed s.
  std::vector<int64_t> Kept(const std::string& design,
                            const std::string& condition, int64_t seed) {
    for (RunSpec spec : experiment_->Plan(Tier::kCi)) {
      if (spec.params.at("design") != design ||
          spec.params.at("condition") != condition)
        continue;
      spec.config.seed = seed;
      spec.params["seed"] = seed;
      absl::StatusOr<InitialState> init = experiment_->InitialStateFor(spec);
      EXPECT_TRUE(init.ok()) << init.status();
      if (!init.ok() || !init->embedding) return {};
      return KeptCircles(*init->embedding);
    }
    ADD_FAILURE() << "no " << design << "/" << condition << " run planned";
    return {};
  }
  std::unique_ptr<Experiment> experiment_;
};

TEST_F(MaAblationTest, RandomCirclesAvoidTheStrongest) {
  // At p = 23 (11 circles) drawing from all circles would hit A u B in
  // ~1 - C(9,2)/C(11,2) = 35 % of seeds; 100 seeds make a leak certain.
  for (int64_t seed = 0; seed < 100; ++seed) {
    const std::vector<int64_t> a = Kept("many_seeds", "A", seed);
    const std::vector<int64_t> b = Kept("many_seeds", "B", seed);
    const std::vector<int64_t> c = Kept("many_seeds", "C", seed);
    const std::vector<int64_t> d = Kept("many_seeds", "D", seed);
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 2u);
    ASSERT_EQ(c.size(), 1u);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_TRUE(Within(a, b)) << "seed " << seed;
    EXPECT_TRUE(Within(c, d)) << "seed " << seed;
    EXPECT_TRUE(Disjoint(d, b)) << "seed " << seed;
  }
}

TEST_F(MaAblationTest, P1DesignKeepsP1Sets) {
  // training/ablation.py:249, 260, 271, 282.
  EXPECT_EQ(Kept("p1_sets", "A", 0), (std::vector<int64_t>{11}));
  EXPECT_EQ(Kept("p1_sets", "B", 0), (std::vector<int64_t>{8, 11}));
  EXPECT_EQ(Kept("p1_sets", "C", 0), (std::vector<int64_t>{1}));
  EXPECT_EQ(Kept("p1_sets", "D", 0), (std::vector<int64_t>{1, 2}));
}

TEST_F(MaAblationTest, P1DesignRefusesTooSmallP) {
  for (RunSpec spec : experiment_->Plan(Tier::kCi)) {
    if (spec.params.at("design") != "p1_sets" ||
        spec.params.at("condition") != "A")
      continue;
    spec.config = MaConfig(19, spec.config.dim, spec.config.steps);
    EXPECT_FALSE(experiment_->InitialStateFor(spec).ok());
  }
}

TEST_F(MaAblationTest, ConditionsOfASeedShareItsTrialSeed) {
  // Paired by construction (issue 17, section 3): A-D of seed s are the
  // same config (MLP and split) but for the kept circles.
  std::map<int64_t, std::vector<std::string>> configs;
  for (const RunSpec& spec : experiment_->Plan(Tier::kNightly)) {
    if (spec.params.at("design") != "many_seeds") continue;
    EXPECT_EQ(spec.config.seed, spec.params.at("seed").get<uint64_t>());
    configs[spec.params.at("seed").get<int64_t>()].push_back(
        ToJson(spec.config).dump());
  }
  ASSERT_EQ(configs.size(), 2u);
  for (const auto& [seed, c] : configs) {
    ASSERT_EQ(c.size(), 4u) << "seed " << seed;
    for (const std::string& one : c) EXPECT_EQ(one, c[0]) << "seed " << seed;
  }
}

TEST_F(MaAblationTest, CountsAreDesignFields) {
  ASSERT_TRUE(experiment_
                  ->SetOverrides({{"seeds", "3"},
                                  {"conditions", "O,A,B,C,D"},
                                  {"steps", "100"}})
                  .ok());
  const std::vector<RunSpec> specs = experiment_->Plan(Tier::kCi);
  EXPECT_EQ(specs.size(), 3u * 5u + 5u);
  for (const RunSpec& spec : specs) EXPECT_EQ(spec.config.steps, 100);
  EXPECT_FALSE(experiment_->SetOverrides({{"conditions", "A,E"}}).ok());
  EXPECT_FALSE(experiment_->SetOverrides({{"p", "19"}}).ok());
}

TEST_F(MaAblationTest, MissingConditionFailsTheMedianRuleWithoutReading) {
  // Runs of A, B and D only (C missing): the v1 condition on the medians
  // must be false, not a read of a key that is not there.
  ASSERT_TRUE(experiment_->SetOverrides({{"conditions", "A,B,D"}}).ok());
  std::vector<RunRecord> runs;
  for (const RunSpec& spec : experiment_->Plan(Tier::kSmoke)) {
    RunRecord r;
    r.spec = spec;
    r.metrics = {{10, 1.0, 0.5, 0.05, 0.5}};
    runs.push_back(r);
  }
  absl::StatusOr<ExperimentResult> result =
      experiment_->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->evidence.size(), 2u);
  const ClaimEvidence& main = result->evidence[0];
  EXPECT_EQ(main.claim_id, "MA-ablation/strongest-circles-train-faster");
  ASSERT_EQ(main.conditions.size(), 1u);
  EXPECT_FALSE(main.conditions[0].second);
  EXPECT_TRUE(main.a.empty());
  EXPECT_TRUE(result->claims.empty());  // the driver decides, not Analyze
}

TEST_F(MaAblationTest, ClaimSpecsDeclareTheInclusiveRule) {
  const std::vector<ClaimSpec> specs = experiment_->ClaimSpecs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].threshold, 0.0);
  EXPECT_TRUE(specs[0].inclusive);
  EXPECT_TRUE(specs[1].descriptive);
  EXPECT_EQ(specs[1].variant_of, specs[0].id);
}

}  // namespace
}  // namespace initrepro
