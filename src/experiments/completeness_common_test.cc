// The percentile rule's shared pieces on inputs whose answer is known by
// construction: the sample of per-run percentiles, the sign-test claim spec
// and evidence built from it, run validity, and the small numeric helpers
// the clustered-task experiments use.
#include "src/experiments/completeness_common.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "src/experiments/common.h"
#include "src/verdict/claim_spec.h"
#include "src/verdict/verdict.h"

namespace initrepro {
namespace {

PercentileResult Result(double percentile, int64_t candidates,
                        bool best = false) {
  PercentileResult r;
  r.percentile = percentile;
  r.num_candidates = candidates;
  r.chosen_is_best = best;
  return r;
}

TEST(PercentileSampleTest, KeepsFinitePercentilesAndLastCandidateCount) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<PercentileResult> rs = {Result(0.9, 720, true),
                                            Result(nan, 720),
                                            Result(0.2, 720)};
  PercentileSample s;
  for (const PercentileResult& r : rs) s.Add(r);
  EXPECT_EQ(s.results.size(), 3u);
  EXPECT_EQ(s.finite, (std::vector<double>{0.9, 0.2}));
  EXPECT_EQ(s.candidates, 720);
  EXPECT_FALSE(s.sampled);
}

TEST(PercentileSignSpecTest, DeclaresTheReconstructedSignTest) {
  const ClaimSpec c = PercentileSignSpec(
      "X/id", "statement", "P2", "percentile of the chosen one", "run",
      "over valid runs");
  EXPECT_EQ(c.id, "X/id");
  EXPECT_EQ(c.paper, "P2");
  EXPECT_EQ(c.unit, "run");
  EXPECT_EQ(c.statistic, Statistic::kSignTest);
  EXPECT_EQ(c.max_p, 0.01);
  EXPECT_TRUE(c.reconstructed);
  EXPECT_FALSE(c.descriptive);
  const std::string rule = RuleSentence(c);
  EXPECT_NE(rule.find("mean percentile of the chosen one > 0.5 and one-sided "
                      "sign test p < 0.01"),
            std::string::npos)
      << rule;
  EXPECT_NE(rule.find("one unit per run, over valid runs"), std::string::npos)
      << rule;
}

TEST(PercentileSignEvidenceTest, CarriesUnitsTallyAndSignNumbers) {
  std::vector<PercentileResult> rs;
  for (int i = 0; i < 30; ++i) rs.push_back(Result(0.8, 10, i < 3));
  PercentileSample s;
  for (const PercentileResult& r : rs) s.Add(r);
  RunTally tally;
  for (int i = 0; i < 30; ++i) tally.Add("");
  tally.Add("not_settled");
  const ClaimEvidence e = PercentileSignEvidence("X/id", "design", s, tally);
  EXPECT_EQ(e.claim_id, "X/id");
  EXPECT_EQ(e.design, "design");
  EXPECT_EQ(e.a.size(), 30u);
  EXPECT_EQ(e.runs.planned, 31);
  EXPECT_EQ(e.runs.valid, 30);
  EXPECT_TRUE(e.conditions.empty());
  EXPECT_TRUE(e.cannot_measure.empty());
  EXPECT_EQ(e.observed["runs"], 30);
  EXPECT_EQ(e.observed["positives"], 30);
  EXPECT_DOUBLE_EQ(e.observed["fraction_chosen_is_best"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(e.observed["chance_fraction_best"].get<double>(), 0.1);
}

TEST(PercentileSignEvidenceTest, TheEngineDecidesIt) {
  // 30 of 30 units above 0.5: the spec's rule holds and the interval lies
  // above 0.5; decided by the engine, not here.
  PercentileSample s;
  std::vector<PercentileResult> rs(30, Result(0.9, 10));
  for (const PercentileResult& r : rs) s.Add(r);
  RunTally tally;
  for (int i = 0; i < 30; ++i) tally.Add("");
  const ClaimSpec spec =
      PercentileSignSpec("X/id", "s", "P2", "percentile", "run", "");
  const Claim c =
      Decide(Tier::kCi, spec, PercentileSignEvidence("X/id", "d", s, tally));
  EXPECT_EQ(c.verdict, "reproduced");
  EXPECT_EQ(c.rule, RuleSentence(spec));
  EXPECT_TRUE(c.reconstructed);
}

TEST(SignSummaryTest, CountsWithoutDeciding) {
  const std::vector<PercentileResult> rs = {Result(0.9, 4, true),
                                            Result(0.5, 4), Result(0.1, 4)};
  std::vector<const PercentileResult*> ptrs;
  for (const PercentileResult& r : rs) ptrs.push_back(&r);
  const SignSummary s = Summarise(ptrs);
  EXPECT_EQ(s.n, 3);
  EXPECT_EQ(s.positives, 1);
  EXPECT_EQ(s.negatives, 1);
  EXPECT_EQ(s.ties, 1);
  EXPECT_EQ(s.best, 1);
  EXPECT_DOUBLE_EQ(s.mean, 0.5);
}

// A run with the given final test accuracy at its last step, settled by
// construction (the signature ignores the embedding).
RunRecord RunWithAccuracy(double accuracy) {
  RunRecord r;
  r.spec.config.steps = 10;
  StepMetrics m;
  m.step = 10;
  m.test_accuracy = accuracy;
  r.metrics.push_back(m);
  r.snapshots[SettleStep(10)] = Matrix();
  return r;
}

TEST(ClusteredExclusionTest, TrainedAtKTrainedAccuracy) {
  auto same = [](const Matrix&) { return std::string("s"); };
  EXPECT_EQ(ClusteredExclusion(RunWithAccuracy(kTrainedAccuracy), same), "");
  EXPECT_EQ(ClusteredExclusion(RunWithAccuracy(kTrainedAccuracy - 1e-9), same),
            "not_trained");
  RunRecord diverged = RunWithAccuracy(1.0);
  diverged.diverged = true;
  EXPECT_EQ(ClusteredExclusion(diverged, same), "diverged");
  int calls = 0;
  auto moving = [&calls](const Matrix&) { return std::to_string(calls++); };
  EXPECT_EQ(ClusteredExclusion(RunWithAccuracy(1.0), moving), "not_settled");
}

TEST(IsHypercubeTest, ExactlyKIndependentSurvivors) {
  EXPECT_TRUE(IsHypercube({1, 2, 4, 8}, 4));    // the single-bit axes
  EXPECT_TRUE(IsHypercube({3, 5, 9, 8}, 4));    // another basis
  EXPECT_TRUE(IsHypercube({8, 9, 5, 3}, 4));    // order does not matter
  EXPECT_FALSE(IsHypercube({3, 5, 9, 15}, 4));  // 3 ^ 5 ^ 9 = 15: rank 3
  EXPECT_FALSE(IsHypercube({3, 5, 6, 8}, 4));   // 3 ^ 5 = 6: rank 3
  EXPECT_FALSE(IsHypercube({1, 2, 4}, 4));      // too few
  EXPECT_FALSE(IsHypercube({1, 2, 4, 8, 15}, 4));  // a fifth survivor
  EXPECT_FALSE(IsHypercube({}, 4));
}

TEST(CompletenessHelpersTest, LeftOverMeanMinAndNumArray) {
  EXPECT_DOUBLE_EQ(InitialLeftOverFactor(0.01, 0.5, 2), 0.995 * 0.995);
  EXPECT_EQ(InitialLeftOverFactor(0.01, 3.0, 0), 1.0);
  EXPECT_TRUE(std::isnan(MeanOrNan({})));
  EXPECT_TRUE(std::isnan(MinOrNan({})));
  EXPECT_DOUBLE_EQ(MeanOrNan({1.0, 3.0}), 2.0);
  EXPECT_DOUBLE_EQ(MinOrNan({1.0, -3.0}), -3.0);
  const nlohmann::json j =
      NumArray({1.5, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(j.dump(), "[1.5,null]");
}

}  // namespace
}  // namespace initrepro
