// MA-horizon: its designs (fresh seeds, the comparison at the nightly step
// count), its analysis on hand-made runs, and which claims' nightly verdicts
// depend on it.
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make(const std::string& name = "MA-horizon") {
  auto exp = MakeExperiment(name);
  EXPECT_TRUE(exp.ok()) << exp.status();
  return *std::move(exp);
}

// A p x 2 embedding with one circle at frequency k (test code: libm is fine
// here, no trained bit depends on it).
Matrix Circle(int64_t p, int64_t k) {
  Matrix e(p, 2);
  for (int64_t a = 0; a < p; ++a) {
    const double t = 2 * M_PI * static_cast<double>(k * a) / p;
    e.at(a, 0) = std::cos(t);
    e.at(a, 1) = std::sin(t);
  }
  return e;
}

// Smoke-design run `index` whose survivor set is {k_before} up to the
// compare step (40) and {k_final} from step 50 on; test accuracy `acc`.
RunRecord FakeRun(const Experiment& exp, int64_t index, int64_t k_before,
                  int64_t k_final, double acc = 1.0) {
  RunRecord r;
  r.spec = exp.Plan(Tier::kSmoke).at(index);
  const int64_t p = r.spec.config.task.p, steps = r.spec.config.steps;
  r.initial_embedding = Circle(p, k_before);
  r.final_embedding = Circle(p, k_final);
  r.snapshots[SettleStep(steps)] = r.final_embedding;
  for (int64_t t : r.spec.signal_steps)
    r.signals[t] = FourierSignal(Circle(p, t <= 40 ? k_before : k_final));
  r.metrics.push_back({steps, 0, acc, 0, acc});
  return r;
}

TEST(MaHorizonTest, PaperDesignIsFiftyOneFreshRunsComparedAtTheNightlyCount) {
  const std::vector<RunSpec> plan = Make()->Plan(Tier::kPaper);
  ASSERT_EQ(plan.size(), 51u);
  std::set<std::string> settling_keys;
  for (const RunSpec& s : Make("MA-settling")->Plan(Tier::kPaper))
    settling_keys.insert(RunKey(s));
  std::set<uint64_t> seeds;
  for (const RunSpec& s : plan) {
    EXPECT_EQ(s.config.mode, "vary_all");
    EXPECT_EQ(s.config.task.p, 59);
    EXPECT_EQ(s.config.dim, 128);
    EXPECT_EQ(s.config.steps, 30000);
    EXPECT_EQ(s.signal_steps.front(), 0);
    EXPECT_EQ(s.signal_steps.back(), 30000);
    EXPECT_EQ(s.signal_steps.size(), 30000u / 250 + 1);
    // Fresh: no run of the study that chose the nightly step count.
    EXPECT_FALSE(settling_keys.count(RunKey(s)));
    seeds.insert(s.config.seed);
  }
  EXPECT_EQ(seeds.size(), 51u);
  EXPECT_EQ(Make()->DesignJson(Tier::kPaper)["compare_step"], 11500);
  // The nightly design is the paper design's first run: one store serves both.
  const std::vector<RunSpec> nightly = Make()->Plan(Tier::kNightly);
  ASSERT_EQ(nightly.size(), 1u);
  EXPECT_EQ(RunKey(nightly[0]), RunKey(plan[0]));
}

TEST(MaHorizonTest, CountsTrainedRunsWhoseSetAtTheCompareStepIsFinal) {
  const auto exp = Make();
  std::vector<RunRecord> runs = {FakeRun(*exp, 0, 2, 2),
                                 FakeRun(*exp, 1, 3, 2)};
  absl::StatusOr<ExperimentResult> r = exp->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->evidence.size(), 2u);
  const ClaimEvidence& same = r->evidence[0];
  EXPECT_EQ(same.claim_id, "MA-horizon/nightly-equals-paper");
  ASSERT_EQ(same.counts.size(), 1u);
  EXPECT_EQ(same.counts[0].first, 1);   // agree
  EXPECT_EQ(same.counts[0].second, 2);  // trained
  // Settling steps: 0 for the run that never changed, 50 for the other.
  EXPECT_EQ(r->data["settling_steps"], nlohmann::json({0, 50}));
  EXPECT_EQ(r->data["step_95"], 50);

  // An untrained run is excluded, not counted as a disagreement.
  runs[1] = FakeRun(*exp, 1, 3, 2, /*acc=*/0.5);
  r = exp->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->evidence[0].counts[0].first, 1);
  EXPECT_EQ(r->evidence[0].counts[0].second, 1);
  EXPECT_EQ(r->evidence[0].runs.valid, 1);
}

TEST(MaHorizonTest, ACompareStepOffTheRecordedStepsIsAnError) {
  auto exp = Make();
  ASSERT_TRUE(exp->SetOverrides({{"compare_step", "45"}}).ok());
  absl::StatusOr<ExperimentResult> r =
      exp->Analyze(Tier::kSmoke, {FakeRun(*exp, 0, 2, 2)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("compare_step = 45"), std::string::npos)
      << r.status();
}

TEST(MaHorizonTest, SurvivorClaimsAtNightlyDependOnIt) {
  for (const char* name : {"MA-survival", "MA-perturb", "MA-handcrafted",
                           "MA-controls", "MA-decay"})
    for (const ClaimSpec& s : Make(name)->ClaimSpecs())
      EXPECT_EQ(s.nightly_depends_on, "MA-horizon/nightly-equals-paper")
          << s.id;
  // Training success and early dynamics are read at their own steps.
  for (const char* name : {"MA-frozen", "MA-ode", "MA-settling", "MA-horizon"})
    for (const ClaimSpec& s : Make(name)->ClaimSpecs())
      EXPECT_EQ(s.nightly_depends_on, "") << s.id;
}

}  // namespace
}  // namespace initrepro
