// MA-gradient: design fields (P1's j and alive threshold among them) and
// the P1-alive-rule claim declared as a variant of the claim of record.
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
  auto exp = MakeExperiment("MA-gradient");
  EXPECT_TRUE(exp.ok()) << exp.status();
  return *std::move(exp);
}

TEST(MaGradientTest, PresetsKeepRunCountsAndSnapshots) {
  auto exp = Make();
  EXPECT_EQ(exp->Plan(Tier::kSmoke).size(), 4u);
  EXPECT_EQ(exp->Plan(Tier::kCi).size(), 18u);
  EXPECT_EQ(exp->Plan(Tier::kNightly).size(), 14u);
  EXPECT_EQ(exp->Plan(Tier::kPaper).size(), 500u);
  EXPECT_EQ(exp->Plan(Tier::kCi)[0].snapshot_steps,
            (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const nlohmann::json d = exp->DesignJson(Tier::kCi);
  EXPECT_EQ(d["j"], 4);
  EXPECT_EQ(d["p1_alive_signal"], 10.0);
}

TEST(MaGradientTest, JAndTheAliveThresholdAreFieldsThatKeepTheRuns) {
  auto exp = Make();
  const std::string key = RunKey(exp->Plan(Tier::kCi)[0]);
  ASSERT_TRUE(
      exp->SetOverrides({{"j", "2"}, {"p1_alive_signal", "5"}}).ok());
  EXPECT_EQ(RunKey(exp->Plan(Tier::kCi)[0]), key);  // analysis-only fields
  EXPECT_TRUE(absl::IsInvalidArgument(exp->SetOverrides({{"j", "10"}})));
  EXPECT_TRUE(absl::IsInvalidArgument(exp->SetOverrides({{"j", "0"}})));
}

TEST(MaGradientTest, P1RuleIsAVariantOfOurs) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].id, "MA-gradient/survivors-grow-faster");
  EXPECT_TRUE(specs[0].variant_of.empty());
  EXPECT_EQ(specs[1].id, "MA-gradient/survivors-grow-faster-p1-alive-rule");
  EXPECT_EQ(specs[1].variant_of, specs[0].id);
  for (const ClaimSpec& s : specs) {
    EXPECT_EQ(s.statistic, Statistic::kPairedMean);
    EXPECT_EQ(s.threshold, 0);
    EXPECT_EQ(s.unit, "run");
    EXPECT_EQ(s.paper, "P1 Sec. 3.2.2");
  }
}

// Runs with no snapshots: every run is excluded under both rules, and
// Analyze still returns one piece of evidence per declared claim, in order.
TEST(MaGradientTest, EvidenceForBothClaimsWithoutVerdicts) {
  auto exp = Make();
  std::vector<RunRecord> runs;
  for (const RunSpec& spec : exp->Plan(Tier::kSmoke)) {
    RunRecord r;
    r.spec = spec;
    r.diverged = true;
    runs.push_back(r);
  }
  auto result = exp->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->evidence.size(), 2u);
  EXPECT_EQ(result->evidence[0].claim_id, "MA-gradient/survivors-grow-faster");
  EXPECT_EQ(result->evidence[1].claim_id,
            "MA-gradient/survivors-grow-faster-p1-alive-rule");
  EXPECT_EQ(result->evidence[1].runs.excluded.at("diverged"), 4);
  EXPECT_TRUE(result->claims.empty());
  EXPECT_FALSE(result->data.contains("verdicts_agree"));
  EXPECT_FALSE(result->evidence[1].observed.contains("verdict_2x_mean_rule"));
  EXPECT_TRUE(result->evidence[1].observed.contains("label_agreement"));
}

}  // namespace
}  // namespace initrepro
