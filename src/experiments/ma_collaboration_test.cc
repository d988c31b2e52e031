// MA-collaboration as a design: presets give the parameter steps the run
// keys were made with, claims are specs with the old thresholds, and
// Analyze returns evidence and the per-run figures, never a verdict.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/experiments/common.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Collaboration() {
  auto e = MakeExperiment("MA-collaboration");
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

std::vector<int64_t> Steps(std::vector<int64_t> v) { return v; }

TEST(MaCollaborationTest, PresetsKeepTheOldParameterSteps) {
  auto e = Collaboration();
  const std::vector<RunSpec> smoke = e->Plan(Tier::kSmoke);
  ASSERT_EQ(smoke.size(), 2u);
  EXPECT_EQ(smoke[0].param_steps, Steps({0, 10, 20, 30, 40, 50, 60}));
  const std::vector<RunSpec> ci = e->Plan(Tier::kCi);
  ASSERT_EQ(ci.size(), 24u);
  EXPECT_EQ(ci[0].param_steps,
            Steps({0, 100, 200, 300, 400, 500, 600, 700, 800}));
  const std::vector<RunSpec> nightly = e->Plan(Tier::kNightly);
  ASSERT_EQ(nightly.size(), 3u);
  // The nightly step count comes from the settling study (common.h).
  EXPECT_EQ(nightly[0].param_steps,
            Steps({0, 100, 200, 300, 400, 500, 600, 700, 800, 900,
                   kNightlySteps}));
  const std::vector<RunSpec> paper = e->Plan(Tier::kPaper);
  ASSERT_EQ(paper.size(), 100u);
  EXPECT_EQ(paper[0].param_steps.back(), 30000);
  EXPECT_EQ(paper[0].param_steps.size(), 11u);
  // Run i: embedding from seed i, MLP and split from seed 1000 + i.
  EXPECT_EQ(ci[5].config.init_seed, 5u);
  EXPECT_EQ(ci[5].config.seed, 1005u);
}

TEST(MaCollaborationTest, ParameterStepsFollowTheDesign) {
  auto e = Collaboration();
  ASSERT_TRUE(
      e->SetOverrides({{"steps", "300"}, {"param_every", "150"}}).ok());
  // param_until 800 is clamped to the run's 300 steps; the last is kept.
  EXPECT_EQ(e->Plan(Tier::kCi)[0].param_steps, Steps({0, 150, 300}));
  EXPECT_FALSE(Collaboration()->SetOverrides({{"runs", "0"}}).ok());
}

TEST(MaCollaborationTest, ClaimSpecsKeepTheOldThresholds) {
  const std::vector<ClaimSpec> specs = Collaboration()->ClaimSpecs();
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].id, "MA-collaboration/survivors-carry");
  EXPECT_EQ(specs[0].threshold, 0.9);
  EXPECT_EQ(specs[1].id, "MA-collaboration/circles-collaborate");
  EXPECT_EQ(specs[1].threshold, 0.8);
  EXPECT_EQ(specs[1].unit, "run with >= 2 survivors");
  EXPECT_EQ(specs[2].id, "MA-collaboration/dead-add-nothing");
  EXPECT_EQ(specs[2].threshold, 0.9);
  for (const ClaimSpec& s : specs)
    EXPECT_EQ(s.statistic, Statistic::kFraction);
}

TEST(MaCollaborationTest, AnalyzeGivesEvidenceAndPerRunFigures) {
  auto result = Collaboration()->Analyze(Tier::kCi, {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->claims.empty());
  ASSERT_EQ(result->evidence.size(), 3u);
  for (const ClaimEvidence& ev : result->evidence)
    EXPECT_EQ(ev.counts[0], std::make_pair(int64_t{0}, int64_t{0}));
  // No valid run with >= 2 survivors: no single-run panels, but the
  // per-run figures, with chance marked.
  ASSERT_EQ(result->figures.size(), 2u);
  EXPECT_EQ(result->figures[0].name, "per_run_loss");
  ASSERT_EQ(result->figures[0].ref_lines.size(), 1u);
  EXPECT_NEAR(result->figures[0].ref_lines[0].value, 3.135494, 1e-6);  // ln 23
  EXPECT_EQ(result->figures[1].name, "per_run_accuracy");
}

}  // namespace
}  // namespace initrepro
