// MA-circularity: design fields and the claim spec (the old rule's
// thresholds: difference of means > 0, Welch one-sided p < 0.01).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make() {
  auto exp = MakeExperiment("MA-circularity");
  EXPECT_TRUE(exp.ok()) << exp.status();
  return *std::move(exp);
}

TEST(MaCircularityTest, PresetsAndOverrides) {
  auto exp = Make();
  EXPECT_EQ(exp->Plan(Tier::kSmoke).size(), 3u);
  EXPECT_EQ(exp->Plan(Tier::kCi).size(), 20u);
  EXPECT_EQ(exp->Plan(Tier::kNightly).size(), 5u);
  EXPECT_EQ(exp->Plan(Tier::kPaper).size(), 50u);
  const std::string first = RunKey(exp->Plan(Tier::kCi)[0]);
  ASSERT_TRUE(exp->SetOverrides({{"runs", "30"}}).ok());
  ASSERT_EQ(exp->Plan(Tier::kCi).size(), 30u);
  EXPECT_EQ(RunKey(exp->Plan(Tier::kCi)[0]), first);  // runs are reused
  EXPECT_TRUE(absl::IsInvalidArgument(exp->SetOverrides({{"runs", "0"}})));
}

TEST(MaCircularityTest, ClaimSpecKeepsTheOldThresholds) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 1u);
  const ClaimSpec& c = specs[0];
  EXPECT_EQ(c.id, "MA-circularity/survivors-more-circular");
  EXPECT_EQ(c.statistic, Statistic::kMeanDifference);
  EXPECT_EQ(c.side, Side::kGreater);
  EXPECT_EQ(c.threshold, 0);
  EXPECT_FALSE(c.inclusive);
  EXPECT_EQ(c.max_p, 0.01);
  EXPECT_EQ(c.unit, "(run, k)");
  EXPECT_EQ(c.paper, "P1 Sec. 3.1");
  EXPECT_EQ(c.p1_script, "analysis/plot_num_circles.py");
  EXPECT_NE(RuleSentence(c).find("> 0 with p < 0.01"), std::string::npos)
      << RuleSentence(c);
}

}  // namespace
}  // namespace initrepro
