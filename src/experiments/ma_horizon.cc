// MA-horizon (ours, PAPER.md "Designs (v3)", item 1): does the nightly step
// count decide the representation P1's 30000-step runs end with, on runs
// that did not choose that step count?
//
// Why a second experiment: MA-settling's paper-tier study read the nightly
// step count (kNightlySteps = 11500, common.h) off its own 34 runs, so at
// 11500 those runs agree with their step-30000 survivor set by
// construction, and its claim of record stays at the step declared before
// it ran (9000, where 33 of 34 agreed: undecided). This experiment asks the
// same question on fresh runs, at the step count every nightly golden now
// trains: p = 59, d = 128 (P1's d, which most nightly claims use, and the d
// at which the study's runs settled latest), vary_all (every run draws its
// own embedding, MLP and split, so runs are independent units), seeds
// 20000 + s (no run of the study or of any other experiment), S_k every 250
// steps up to P1's 30000.
//
// Claim MA-horizon/nightly-equals-paper (declared with the designs below,
// before their first run): "the survivor set at the nightly step count
// equals the one at 30000 steps", in >= 90 % of trained runs (final test
// accuracy >= 0.99; settledness is what is measured, so it is not
// required); 99 % Clopper-Pearson as every fraction claim. Unit: one
// trained run. A descriptive claim reports the settling steps of the same
// runs (MA-settling's measure), so the fresh runs also check the study's
// step_95.
//
// Designs (committed before their first run):
//   smoke:   p 11, d 16, 60 steps, compared at 40, S_k every 10, 2 runs.
//   ci:      p 23, d 128, 2400 steps (3 x ci's 800), compared at ci's 800,
//            S_k every 50, 4 runs (~0.2 core-minutes). It exists only to
//            regress the analysis, and its verdict speaks for ci's runs
//            only (ci's step count against 3 x it, at p = 23).
//   nightly: p 59, d 128, 30000 steps, compared at kNightlySteps, S_k every
//            250, 1 run (~0.05 core-hours): regresses P1's scale only; the
//            claim is decided at the paper tier.
//   paper:   the same with 51 runs (2.3 core-hours by `repro list`, 2.3-2.6
//            on the Intel 2-core VM at its measured 1.0-1.14x of the
//            model), run once outside the nightly budget.
// Power of the paper design, stated before its first run: with n trained
// runs and none disagreeing, the interval's lower end is 0.005^(1/n), above
// 0.9 from n = 51; up to n = 79 a single disagreement leaves the claim
// undecided. The pilot (PAPER.md: the committed golden nearest the tier;
// here the study's own runs read at step 11500) has 34 of 34 agreeing, so at
// the pilot 51 runs decide with probability 1. That pilot is optimistic,
// since 11500 was read off those runs. At the study's rate at step 9000 (33
// of 34, 0.971, which 11500's can only exceed if survivor sets only settle)
// 51 runs decide with probability 0.22 (0.36 at 0.98, 0.60 at 0.99), and the
// planner's 0.8-power design there is 152 runs (~8 core-hours). 51 is the
// smallest design that can reproduce the claim; if a run disagrees, the
// golden's to_decide comes from the planner.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/analysis/circles.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

struct Design {
  int64_t p, dim, steps, every, runs, compare_step;
};

const DesignSchema<Design>& Schema() {
  static const auto* schema =
      &(*new DesignSchema<Design>())
           .Prime("p", &Design::p, 3, 257, "modulus (prime): V = C = p")
           .Int("dim", &Design::dim, 2, 1024, "embedding width d")
           .Int("steps", &Design::steps, 1, 1000000,
                "training steps per run (the horizon)")
           .Int("every", &Design::every, 1, 100000,
                "record S_k every this many steps")
           .Int("runs", &Design::runs, 1, 10000,
                "vary_all runs (seeds 20000 .. 20000 + runs - 1)")
           .Int("compare_step", &Design::compare_step, 1, 1000000,
                "the step whose survivor set is compared with the last (a "
                "multiple of `every`, below `steps`)");
  return *schema;
}

constexpr int64_t kFirstSeed = 20000;
constexpr char kEquals[] = "MA-horizon/nightly-equals-paper";
constexpr char kSettling[] = "MA-horizon/settling-steps";

class MaHorizon : public DesignedExperiment<Design> {
 public:
  std::string Name() const override { return "MA-horizon"; }
  std::string Description() const override {
    return "Modular addition: on fresh runs to P1's 30000 steps, is the "
           "survivor set at the nightly step count the final one? (ours)";
  }
  Design Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {11, 16, 60, 10, 2, 40};
      case Tier::kCi: return {23, 128, 2400, 50, 4, 800};
      case Tier::kNightly: return {59, 128, 30000, 250, 1, kNightlySteps};
      case Tier::kPaper: return {59, 128, 30000, 250, 51, kNightlySteps};
    }
    return {};
  }
  const DesignSchema<Design>& Schema() const override {
    return initrepro::Schema();
  }
  absl::Status CheckFields(const Design& d) const override {
    if (d.compare_step < d.steps && d.compare_step % d.every == 0)
      return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "compare_step = ", d.compare_step, " must be a multiple of every = ",
        d.every, " below steps = ", d.steps));
  }

  std::vector<ClaimSpec> ClaimSpecs() const override {
    ClaimSpec same;
    same.id = kEquals;
    same.statement =
        "Ours: on runs that did not choose it, the survivor set at the "
        "nightly step count equals the survivor set at P1's 30000 steps, so "
        "a nightly verdict speaks for P1's runs.";
    same.paper = "ours (PAPER.md Designs v3, item 1; MA-settling's claim on "
                 "fresh runs)";
    same.statistic = Statistic::kFraction;
    same.quantity =
        "trained runs whose survivor set at the nightly step count equals "
        "the one at the last step";
    same.unit = "trained run";
    same.threshold = 0.9;
    same.scope = "vary_all runs at one d, seeds unused by the settling study";
    same.scale_field = "runs";
    ClaimSpec when;
    when.id = kSettling;
    when.statement =
        "Ours: the steps at which fresh runs' survivor sets settle, and the "
        "step by which >= 95 % of them have.";
    when.paper = "ours (MA-settling's measure on fresh runs)";
    when.descriptive = true;
    when.reports =
        "per trained run its settling step; the first recorded step by which "
        ">= 95 % have settled (-1: not within the horizon)";
    return {same, when};
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (int64_t s = 0; s < d.runs; ++s) {
      RunSpec spec;
      spec.config = MaConfig(d.p, d.dim, d.steps);
      spec.config.mode = "vary_all";
      spec.config.seed = kFirstSeed + s;
      spec.params = {{"seed", s}};
      for (int64_t t = 0; t <= d.steps; t += d.every)
        spec.signal_steps.push_back(t);
      specs.push_back(spec);
    }
    return specs;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design d = DesignAt(tier);
    const absl::Status fits = CheckFields(d);
    if (!fits.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("MA-horizon: ", fits.message()));
    const std::string design_text = absl::StrCat(
        "p=", d.p, ", d=", d.dim, ", vary_all, ", d.runs, " runs (seeds ",
        kFirstSeed, "+), ", d.steps, " steps, S_k every ", d.every,
        "; compared at step ", d.compare_step, " vs ", d.steps);
    RunTally tally;
    int64_t agree = 0, trained = 0;
    std::vector<int64_t> settled;
    nlohmann::json rows = nlohmann::json::array();
    for (const RunRecord& r : runs) {
      const std::string why = TrainingExclusion(r);
      tally.Add(why);
      const std::vector<int64_t> final_set = SurvivorsOf(r.final_embedding);
      if (!why.empty()) {
        rows.push_back({r.spec.params.at("seed"), nullptr, nullptr,
                        final_set, why});
        continue;
      }
      auto it = r.signals.find(d.compare_step);
      if (it == r.signals.end())
        return absl::InternalError(absl::StrCat(
            "MA-horizon: a run has no S_k at step ", d.compare_step));
      const bool same =
          SameSurvivorSet(SurvivingCircles(it->second), final_set);
      const int64_t step = SettlingStep(r);
      ++trained;
      agree += same;
      settled.push_back(step);
      rows.push_back(
          {r.spec.params.at("seed"), same, step, final_set, ""});
    }
    ExperimentResult result;
    if (d.compare_step != kNightlySteps || d.steps != 30000)
      // A user's trial read ci's "not reproduced" as a verdict on nightly.
      result.notes.push_back(absl::StrCat(
          "This design compares step ", d.compare_step, " with step ",
          d.steps, " at p = ", d.p, ", d = ", d.dim,
          ": its verdict speaks for these runs only, not for the nightly "
          "step count (", kNightlySteps, ") against P1's 30000 steps, "
          "which the nightly and paper tiers test."));
    result.data["columns"] = {"seed", "same_survivor_set", "settling_step",
                              "final_survivors", "excluded_as"};
    result.data["runs"] = rows;
    result.data["final_metrics"] = FinalMetricsSummary(runs);

    ClaimEvidence same;
    same.claim_id = kEquals;
    same.design = design_text;
    same.runs = tally;
    same.counts = {{agree, trained}};
    same.observed = {{"agree", agree},
                     {"trained", trained},
                     {"compare_step", d.compare_step}};
    result.evidence.push_back(same);

    std::sort(settled.begin(), settled.end());
    Figure fig;
    fig.name = "settled";
    fig.title = absl::StrCat("MA-horizon: fraction of trained fresh runs "
                             "whose survivor set has settled (p = ",
                             d.p, ", d = ", d.dim, ")");
    fig.xlabel = "step";
    fig.ylabel = "fraction settled";
    fig.y_min = -0.05;
    fig.y_max = 1.05;
    fig.ref_lines = {{"y", kSettledShare, "95 % of runs settled"},
                     {"x", static_cast<double>(d.compare_step),
                      "nightly step count"}};
    fig.legend = "bottom right";
    fig.caption =
        "Left of the nightly step count, the curve's height at that line is "
        "the share of runs whose survivor set is already final there (the "
        "claim also counts runs whose set differs in between but returns).";
    int64_t step95 = -1;
    Series s = SettledShareSeries(settled, d.steps, d.every,
                                  absl::StrCat("d = ", d.dim), &step95);
    fig.series.push_back(s);
    result.figures.push_back(fig);
    result.data["settling_steps"] = settled;
    result.data["step_95"] = step95;

    ClaimEvidence when;
    when.claim_id = kSettling;
    when.design = design_text;
    when.runs = tally;
    when.observed = {{"step_95", step95},
                     {"trained", trained},
                     {"median_settling_step",
                      settled.empty() ? -1 : settled[settled.size() / 2]}};
    result.evidence.push_back(when);
    return result;
  }
};

REGISTER_EXPERIMENT(MaHorizon);

}  // namespace
}  // namespace initrepro
