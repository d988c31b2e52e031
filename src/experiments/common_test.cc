// Claim rules on run records whose answer is known by construction: run
// validity (MaExclusion), the per-(reference seed, k) survival table, and
// the verdict the engine then gives.
#include "src/experiments/common.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

constexpr int64_t kP = 23, kDim = 4, kSteps = 100;

// An embedding whose circles are exactly `ks` (cos/sin of frequency k with
// amplitude `amp` on two coordinates each), plus `floor` times a fixed
// small pattern on every frequency so that no signal is exactly zero.
Matrix Circles(const std::vector<int64_t>& ks, const std::vector<double>& amp,
               double floor) {
  Matrix e(kP, kDim);
  for (int64_t x = 0; x < kP; ++x) {
    for (size_t i = 0; i < ks.size(); ++i) {
      const double t = 2 * M_PI * ks[i] * x / kP;
      e.at(x, (2 * i) % kDim) += amp[i] * std::cos(t);
      e.at(x, (2 * i + 1) % kDim) += amp[i] * std::sin(t);
    }
    for (int64_t c = 0; c < kDim; ++c) e.at(x, c) += floor * ((x * 7 + c * 3) % 5);
  }
  return e;
}

RunRecord MakeRun(int64_t seed, const std::vector<int64_t>& survivors,
              double accuracy = 1.0) {
  RunRecord r;
  r.spec.config = MaConfig(kP, kDim, kSteps);
  r.spec.params = {{"reference_seed", seed}};
  // Initial signal rises with k by construction: S_1 < S_5 < S_9.
  r.initial_embedding = Circles({1, 5, 9}, {1.0, 2.0, 3.0}, 0.01);
  std::vector<double> big(survivors.size(), 10.0);
  r.final_embedding = Circles(survivors, big, 0.0);
  r.snapshots[SettleStep(kSteps)] = r.final_embedding;
  StepMetrics m;
  m.step = kSteps;
  m.test_accuracy = accuracy;
  r.metrics.push_back(m);
  return r;
}

TEST(RunValidityTest, EachReasonByConstruction) {
  EXPECT_EQ(SurvivorsOf(MakeRun(0, {9}).final_embedding), std::vector<int64_t>{9});
  EXPECT_EQ(MaExclusion(MakeRun(0, {9})), "");
  EXPECT_EQ(MaExclusion(MakeRun(0, {9}, 0.5)), "not_trained");
  RunRecord unsettled = MakeRun(0, {9});
  unsettled.snapshots[SettleStep(kSteps)] = Circles({5}, {10.0}, 0.0);
  EXPECT_EQ(MaExclusion(unsettled), "not_settled");
  EXPECT_EQ(MaExclusion(MakeRun(0, {})), "no_circle");
  RunRecord diverged = MakeRun(0, {9});
  diverged.diverged = true;
  EXPECT_EQ(MaExclusion(diverged), "diverged");
  // Six equally strong circles at p = 23 are past the counting ceiling
  // (n < p / 4): the rule sees none, so the trained run is "no_circle".
  EXPECT_EQ(CircleCountCeiling(kP), 5);
  EXPECT_EQ(MaExclusion(MakeRun(0, {1, 2, 3, 4, 5, 6})), "no_circle");
}

ClaimTest SurvivalClaim(const std::vector<RunRecord>& runs) {
  ClaimTest t;
  for (const SurvivalPoint& pt : SurvivalTable(runs, "reference_seed", &t.runs)) {
    t.x.push_back(pt.initial_signal);
    t.y.push_back(pt.survival_rate);
  }
  t.statistic = Statistic::kPearson;
  t.max_p = 0.01;
  return t;
}

TEST(SurvivalRuleTest, StrongestInitialCircleAlwaysSurvives) {
  // 4 reference seeds x 5 runs: k = 9 (the largest initial signal) always
  // survives, k = 5 in 2 of 5 runs, k = 1 never.
  std::vector<RunRecord> runs;
  for (int64_t s = 0; s < 4; ++s)
    for (int64_t t = 0; t < 5; ++t)
      runs.push_back(t < 2 ? MakeRun(s, {9, 5}) : MakeRun(s, {9}));
  const ClaimTest test = SurvivalClaim(runs);
  EXPECT_EQ(test.runs.planned, 20);
  EXPECT_EQ(test.runs.valid, 20);
  ASSERT_EQ(test.x.size(), 4u * (kP - 1) / 2);
  const Claim c = Decide(Tier::kCi, test);
  EXPECT_EQ(c.verdict, "reproduced") << c.reason;
  EXPECT_GT(c.effect["low"].get<double>(), 0);
}

TEST(SurvivalRuleTest, UnsettledRunsMakeItUndecidedNotFalse) {
  std::vector<RunRecord> runs;
  for (int64_t s = 0; s < 4; ++s)
    for (int64_t t = 0; t < 5; ++t) {
      RunRecord r = MakeRun(s, {9});
      if (t < 2) r.snapshots[SettleStep(kSteps)] = Circles({1}, {10.0}, 0.0);
      runs.push_back(r);
    }
  const Claim c = Decide(Tier::kCi, SurvivalClaim(runs));
  EXPECT_EQ(c.verdict, "undecided_at_this_scale");
  EXPECT_EQ(c.runs["excluded"]["not_settled"], 8);
}

TEST(SurvivalRuleTest, SurvivalUnrelatedToSignalIsNeverReproduced) {
  // The weakest initial circle (k = 1) survives everywhere, k = 9 never.
  std::vector<RunRecord> runs;
  for (int64_t s = 0; s < 4; ++s)
    for (int64_t t = 0; t < 5; ++t) runs.push_back(MakeRun(s, {1}));
  const Claim c = Decide(Tier::kCi, SurvivalClaim(runs));
  EXPECT_NE(c.verdict, "reproduced") << c.reason;
}

TEST(CommonTest, SurvivorSetIgnoresRankOrder) {
  EXPECT_TRUE(SameSurvivorSet({7, 3, 11}, {3, 11, 7}));
  EXPECT_FALSE(SameSurvivorSet({7, 3}, {3, 7, 11}));
  EXPECT_TRUE(SameSurvivorSet({}, {}));
}

}  // namespace
}  // namespace initrepro
