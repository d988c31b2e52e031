// MA-handcrafted-settling: fresh seeds, S_k and accuracy at every recorded
// step, and the run length it reads off hand-made runs.
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/analysis/fourier.h"
#include "src/harness/experiment.h"

namespace initrepro {
namespace {

std::unique_ptr<Experiment> Make(const std::string& name) {
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

// Smoke-design run `index` (50 steps, every 10): survivor set {2} before
// `switch_step`, {3} from it on; test accuracy 1 except `low_acc_step`.
RunRecord FakeRun(const Experiment& exp, int64_t index, int64_t switch_step,
                  int64_t low_acc_step = -1) {
  RunRecord r;
  r.spec = exp.Plan(Tier::kSmoke).at(index);
  const int64_t p = r.spec.config.task.p;
  for (int64_t t : r.spec.signal_steps) {
    const int64_t k = t < switch_step ? 2 : 3;
    r.signals[t] = FourierSignal(Circle(p, k));
    const double acc = t == low_acc_step ? 0.5 : 1.0;
    r.metrics.push_back({t, 0, acc, 0, acc});
  }
  r.initial_embedding = Circle(p, 2);
  r.final_embedding = Circle(p, switch_step <= 50 ? 3 : 2);
  return r;
}

TEST(MaHandcraftedSettlingTest, PaperRunsAreFreshAndRecordEveryStep) {
  const std::vector<RunSpec> plan =
      Make("MA-handcrafted-settling")->Plan(Tier::kPaper);
  ASSERT_EQ(plan.size(), 22u);
  std::set<std::string> used;
  for (Tier t : {Tier::kSmoke, Tier::kCi, Tier::kNightly, Tier::kPaper})
    for (const RunSpec& s : Make("MA-handcrafted")->Plan(t))
      used.insert(RunKey(s));
  int64_t p1 = 0;
  for (const RunSpec& s : plan) {
    EXPECT_GE(s.config.seed, 20000u);
    EXPECT_EQ(s.config.steps, 30000);
    EXPECT_EQ(s.config.log_every, 250);
    EXPECT_EQ(s.signal_steps.size(), 30000u / 250 + 1);
    EXPECT_FALSE(used.count(RunKey(s)));
    p1 += s.params.at("variant") == "p1_construction";
  }
  EXPECT_EQ(p1, 16);
  // The nightly design is the paper design's first run (m = e^-4).
  const std::vector<RunSpec> nightly =
      Make("MA-handcrafted-settling")->Plan(Tier::kNightly);
  ASSERT_EQ(nightly.size(), 1u);
  EXPECT_EQ(RunKey(nightly[0]), RunKey(plan[0]));
}

TEST(MaHandcraftedSettlingTest, StopStepIsTheFirstLengthAfterSettling) {
  const auto exp = Make("MA-handcrafted-settling");
  // Smoke: 2 P1-construction runs, 1 genuine-circles run. Candidate
  // lengths are multiples of 5 x 10 = 50: only 50 here.
  std::vector<RunRecord> runs = {FakeRun(*exp, 0, 20), FakeRun(*exp, 1, 30),
                                 FakeRun(*exp, 2, 1000, /*low_acc=*/50)};
  absl::StatusOr<ExperimentResult> r = exp->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->evidence.size(), 1u);
  const nlohmann::json& p1 = r->evidence[0].observed["p1_construction"];
  EXPECT_EQ(p1["trained"], 2);
  EXPECT_EQ(p1["step_95"], 30);
  EXPECT_EQ(p1["stop_step"], 50);
  // Both settled before 40 = 80 % of 50 and trained at 50: valid.
  EXPECT_EQ(p1["valid_at_stop"], 1.0);
  EXPECT_EQ(r->data["p1_construction"]["settling_steps"],
            nlohmann::json({20, 30}));
  // The genuine run never changes its set but is untrained at 50: settled
  // at 0, invalid if stopped at 50.
  const nlohmann::json& g = r->evidence[0].observed["genuine_circles"];
  EXPECT_EQ(g["step_95"], 0);
  EXPECT_EQ(g["valid_at_stop"], 0.0);

  // A set that changes between 80 % and 100 % of the length is not valid.
  runs[1] = FakeRun(*exp, 1, 45);
  r = exp->Analyze(Tier::kSmoke, runs);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->evidence[0].observed["p1_construction"]["valid_at_stop"], 0.5);
}

TEST(MaHandcraftedSettlingTest, ALengthOffTheGrainIsAnError) {
  auto exp = Make("MA-handcrafted-settling");
  ASSERT_TRUE(exp->SetOverrides({{"steps", "60"}}).ok());
  // Refused before anything trains (the commands call CheckDesign for
  // their tier), and by the analysis too.
  const absl::Status fits = exp->CheckDesign(Tier::kSmoke);
  EXPECT_TRUE(absl::IsInvalidArgument(fits)) << fits;
  EXPECT_NE(fits.message().find("steps = 60"), std::string::npos) << fits;
  for (Tier t : {Tier::kSmoke, Tier::kCi, Tier::kNightly, Tier::kPaper})
    EXPECT_TRUE(Make("MA-handcrafted-settling")->CheckDesign(t).ok());
  absl::StatusOr<ExperimentResult> r = exp->Analyze(Tier::kSmoke, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("multiple of 5 x every"),
            std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace initrepro
