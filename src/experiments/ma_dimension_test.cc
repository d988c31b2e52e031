// MA-dimension: design fields, the two claim specs, the ceiling as
// cannot_measure, and excluded runs drawn at their count (issue 19 item 5).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make() {
  auto exp = MakeExperiment("MA-dimension");
  EXPECT_TRUE(exp.ok()) << exp.status();
  return *std::move(exp);
}

TEST(MaDimensionTest, PresetsAndOverrides) {
  auto exp = Make();
  EXPECT_EQ(exp->Plan(Tier::kSmoke).size(), 2u);
  EXPECT_EQ(exp->Plan(Tier::kCi).size(), 20u);
  EXPECT_EQ(exp->Plan(Tier::kNightly).size(), 12u);
  EXPECT_EQ(exp->Plan(Tier::kPaper).size(), 60u);
  ASSERT_TRUE(exp->SetOverrides({{"dims", "16,32"}, {"seeds", "2"}}).ok());
  const std::vector<RunSpec> plan = exp->Plan(Tier::kCi);
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[3].config.dim, 32);
  EXPECT_TRUE(absl::IsInvalidArgument(exp->SetOverrides({{"dims", "1"}})));
  EXPECT_TRUE(absl::IsInvalidArgument(exp->SetOverrides({{"dim", "16"}})));
}

TEST(MaDimensionTest, TwoSpearmanClaimsAboveHalf) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].id, "MA-dimension/circularity-rises-with-d");
  EXPECT_EQ(specs[1].id, "MA-dimension/circles-rise-with-d");
  for (const ClaimSpec& s : specs) {
    EXPECT_EQ(s.statistic, Statistic::kSpearman);
    EXPECT_EQ(s.side, Side::kGreater);
    EXPECT_EQ(s.threshold, 0.5);
    EXPECT_EQ(s.unit, "run");
    EXPECT_EQ(RuleSentence(s).rfind("Spearman rho(d, ", 0), 0u)
        << RuleSentence(s);
  }
}

// Untrained fake runs (no metrics): every one is excluded from claim 2 and
// counts for claim 1.
TEST(MaDimensionTest, ExcludedRunsAreDrawnAtTheirCountNotBelowZero) {
  auto exp = Make();
  std::vector<RunRecord> runs;
  uint64_t state = 12345;
  for (const RunSpec& spec : exp->Plan(Tier::kSmoke)) {
    RunRecord r;
    r.spec = spec;
    Matrix e(11, spec.config.dim);  // the smoke preset's p
    for (double& v : e.data) {  // a fixed LCG: any non-degenerate values
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
    }
    r.initial_embedding = e;
    r.final_embedding = e;
    runs.push_back(r);
  }
  auto result = exp->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->evidence.size(), 2u);
  EXPECT_EQ(result->evidence[0].runs.valid, 2);
  EXPECT_EQ(result->evidence[1].runs.valid, 0);
  EXPECT_EQ(result->evidence[1].runs.excluded.at("not_trained"), 2);
  const Figure& circles = result->figures.at(1);
  ASSERT_EQ(circles.series.size(), 2u);
  const Series& excluded = circles.series[1];
  EXPECT_TRUE(excluded.excluded);
  const nlohmann::json& table = result->data["runs"];
  ASSERT_EQ(excluded.y.size(), 2u);
  for (size_t i = 0; i < excluded.y.size(); ++i) {
    EXPECT_GE(excluded.y[i], 0.0);
    EXPECT_EQ(excluded.y[i], table[i][4].get<double>());
  }
  EXPECT_NE(circles.caption.find("2 excluded runs (not_trained 2)"),
            std::string::npos)
      << circles.caption;
  // One band per figure: the renderer titles every band alike.
  const Figure& circularity = result->figures.at(0);
  int bands = 0;
  for (const Series& s : circularity.series) bands += s.style == "mean_band";
  EXPECT_EQ(bands, 1);
}

}  // namespace
}  // namespace initrepro
