// The percentile rule's shared pieces on inputs whose answer is known by
// construction: the sample of per-run percentiles, the sign-test claim built
// from it, and the small numeric helpers the clustered-task experiments use.
#include "src/experiments/completeness_common.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

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

TEST(PercentileSignClaimTest, BuildsTheReconstructedSignTest) {
  std::vector<PercentileResult> rs;
  for (int i = 0; i < 30; ++i) rs.push_back(Result(0.8, 10, i < 3));
  PercentileSample s;
  for (const PercentileResult& r : rs) s.Add(r);
  RunTally tally;
  for (int i = 0; i < 30; ++i) tally.Add("");
  const ClaimTest c = PercentileSignClaim(
      {"X/id", "statement", "rule", "design", "run"}, s, tally);
  EXPECT_EQ(c.id, "X/id");
  EXPECT_EQ(c.unit, "run");
  EXPECT_EQ(c.statistic, Statistic::kSignTest);
  EXPECT_EQ(c.max_p, 0.01);
  EXPECT_TRUE(c.reconstructed);
  EXPECT_EQ(c.a.size(), 30u);
  EXPECT_FALSE(c.observed.contains("p"));
  EXPECT_EQ(c.observed["runs"], 30);
  EXPECT_EQ(c.observed["positives"], 30);
  EXPECT_DOUBLE_EQ(c.observed["fraction_chosen_is_best"].get<double>(), 0.1);
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
