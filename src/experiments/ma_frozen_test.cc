// MA-frozen as data: its design fields (checkpoints settable, checked
// against log_every before anything runs), its per-checkpoint claim specs,
// and the evidence ids Analyze returns for them.
#include <algorithm>
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
  auto exp = MakeExperiment("MA-frozen");
  EXPECT_TRUE(exp.ok()) << exp.status();
  return *std::move(exp);
}

TEST(MaFrozenTest, PresetsKeepTheirRunCountsAndCheckpoints) {
  auto exp = Make();
  EXPECT_EQ(exp->Plan(Tier::kSmoke).size(), 2u);
  EXPECT_EQ(exp->Plan(Tier::kCi).size(), 20u);
  EXPECT_EQ(exp->Plan(Tier::kNightly).size(), 48u);
  EXPECT_EQ(exp->Plan(Tier::kPaper).size(), 113u * 5);  // P1: d 16..128 x 5
  EXPECT_EQ(exp->DesignJson(Tier::kNightly)["checkpoints"],
            nlohmann::json({500, 1000, 5000, 10000}));
  EXPECT_EQ(exp->Plan(Tier::kCi)[0].config.log_every, 500);
  EXPECT_EQ(exp->Plan(Tier::kSmoke)[0].config.log_every, 40);
}

TEST(MaFrozenTest, BothClaimsAreDeclaredOncePerCheckpoint) {
  const std::vector<ClaimSpec> specs = Make()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].id, "MA-frozen/larger-d-trains-better");
  EXPECT_EQ(specs[0].statistic, Statistic::kSpearman);
  EXPECT_EQ(specs[0].side, Side::kLess);
  EXPECT_EQ(specs[0].threshold, -0.5);
  EXPECT_EQ(specs[1].id, "MA-frozen/d-at-least-p-converges");
  EXPECT_EQ(specs[1].statistic, Statistic::kOddsRatio);
  for (const ClaimSpec& s : specs) {
    EXPECT_TRUE(s.per_checkpoint) << s.id;
    EXPECT_EQ(s.paper, "P1 Sec. 3.1; P2");
    EXPECT_EQ(s.p1_script, "analysis/plot_loss_embed_freeze.py");
  }
  EXPECT_NE(RuleSentence(specs[0]).find("< -0.5"), std::string::npos)
      << RuleSentence(specs[0]);
}

TEST(MaFrozenTest, CheckpointsAreADesignField) {
  auto exp = Make();
  ASSERT_TRUE(exp->SetOverrides({{"checkpoints", "1000,500"}}).ok());
  EXPECT_EQ(exp->DesignJson(Tier::kNightly)["checkpoints"],
            nlohmann::json({1000, 500}));
  // Run specs do not carry the checkpoints: the plan is the preset's.
  EXPECT_EQ(RunKey(exp->Plan(Tier::kNightly)[0]),
            RunKey(Make()->Plan(Tier::kNightly)[0]));
}

TEST(MaFrozenTest, ACheckpointThatIsNotLoggedIsRefusedBeforeAnyRun) {
  auto exp = Make();
  const absl::Status s = exp->SetOverrides({{"checkpoints", "250"}});
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(std::string(s.message()).find("log_every"), std::string::npos)
      << s;
  EXPECT_FALSE(exp->ModifiedDesign());
  EXPECT_TRUE(
      exp->SetOverrides({{"checkpoints", "250"}, {"log_every", "250"}}).ok());
  EXPECT_EQ(exp->Plan(Tier::kCi)[0].config.log_every, 250);
}

// Fake ci records: test loss 10 / d at step 500, 5 / d at the end; the first
// run diverges after step 500.
std::vector<RunRecord> FakeCiRuns(const Experiment& exp) {
  std::vector<RunRecord> runs;
  for (const RunSpec& spec : exp.Plan(Tier::kCi)) {
    RunRecord r;
    r.spec = spec;
    const double d = static_cast<double>(spec.config.dim);
    r.metrics.push_back({500, 0, 0, 10 / d, 0});
    if (runs.empty()) {
      r.diverged = true;
    } else {
      r.metrics.push_back({1000, 0, 0, 5 / d, 0});
    }
    runs.push_back(r);
  }
  return runs;
}

TEST(MaFrozenTest, EvidenceIdsAreTheLastStepThenEachCheckpoint) {
  auto exp = Make();
  auto result = exp->Analyze(Tier::kCi, FakeCiRuns(*exp));
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<std::string> ids;
  for (const ClaimEvidence& ev : result->evidence) ids.push_back(ev.claim_id);
  EXPECT_EQ(ids, (std::vector<std::string>{
                     "MA-frozen/larger-d-trains-better",
                     "MA-frozen/d-at-least-p-converges",
                     "MA-frozen/larger-d-trains-better@500",
                     "MA-frozen/d-at-least-p-converges@500"}));
  const std::vector<ClaimSpec> specs = exp->ClaimSpecs();
  for (const ClaimEvidence& ev : result->evidence) {
    const ClaimSpec* spec = SpecFor(specs, ev.claim_id);
    ASSERT_NE(spec, nullptr) << ev.claim_id;
    EXPECT_TRUE(ev.conditions.empty());
    EXPECT_EQ(ev.runs.planned, 20);
    EXPECT_EQ(ev.runs.valid, 20);  // every run counts, a diverged one too
  }
  // The diverged run is not drawn at the last step, and the caption says so.
  const Figure& fig = result->figures.at(0);
  ASSERT_EQ(fig.series.size(), 2u);
  EXPECT_EQ(fig.series[0].x.size(), 20u);
  EXPECT_EQ(fig.series[1].x.size(), 19u);
  EXPECT_NE(fig.caption.find("1000 steps: 1 (d = 8)"), std::string::npos)
      << fig.caption;
  // The two steps' points are drawn apart at one d.
  EXPECT_LT(fig.series[0].x[1], 8.0);
  EXPECT_GT(fig.series[1].x[0], 8.0);
}

TEST(MaFrozenTest, ACheckpointOverrideChangesTheEvidence) {
  auto exp = Make();
  ASSERT_TRUE(exp->SetOverrides({{"checkpoints", "500,1000"}}).ok());
  auto result = exp->Analyze(Tier::kCi, FakeCiRuns(*exp));
  ASSERT_TRUE(result.ok()) << result.status();
  // 1000 is the last step at ci: tested once, under the bare ids.
  EXPECT_EQ(result->evidence.size(), 4u);
  ASSERT_TRUE(exp->SetOverrides({{"checkpoints", "1000"}}).ok());
  result = exp->Analyze(Tier::kCi, FakeCiRuns(*exp));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->evidence.size(), 2u);
}

}  // namespace
}  // namespace initrepro
