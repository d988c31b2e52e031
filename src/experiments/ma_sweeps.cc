// MA-modulus and MA-decay (P1: number of circles vs p and vs weight decay).
//
// Descriptive: P1 reports the curves without a claim, so each experiment
// declares one descriptive ClaimSpec (no statistic, no verdict; the driver
// marks it "descriptive") whose observed numbers are the mean number of
// final circles of valid runs per swept value. No tier decides anything;
// every tier's golden regresses the curve.
//
// Grids are P1's (analysis/plot_num_circles.py 35-124) or subsets of them,
// and are design fields (`--set primes=13,23,31`, `--set decays=0.01,0.3`):
//   P1's primes: 13, 19, 23, ..., 89 (data/small_p, 100 trials) then 97,
//     101, 103, 107, 109, 113, 127 (data/big_p). P1 skips 17, 41 and 71,
//     and its figure also mixes in a second data set (every p in 16..101, 20
//     trials) because `entries` is not reset between the two; we sweep the
//     prime list once.
//   P1's decays: 10^linspace(-4, -2, 16) kept from 0.002 and rounded to 5
//     places (0.00215 ... 0.01), then round(linspace(0.1, 1.5, 16), 1),
//     which lists 0.8 twice; we run 0.8 once (21 values in all).
//
// Designs per tier (the presets in Preset() are the truth):
//   smoke:   d 8, 30 steps, 1 seed per point; MA-modulus p {7, 11},
//            MA-decay {0.1, 1} at p 11. Plumbing only: no run trains.
//   ci:      d 32, 800 steps, 3 seeds per point; MA-modulus over P1's
//            primes up to 29 ({13, 19, 23, 29}), MA-decay over {0.01, 0.1,
//            0.5, 1.5} at p 23 (the ci scale of every MA experiment). ci
//            exists only to regress the curves: circles-vs-p and
//            circles-vs-decay are descriptive.
//   nightly: d 128, kNightlySteps, 1 seed per point; MA-modulus over {13,
//            23, 31, 43, 59, 73, 89} (7 runs, ~0.11 core-hours), MA-decay
//            over {0.00215, 0.01, 0.1, 0.3, 0.8, 1.5} at p 59 (6 runs,
//            ~0.10). Re-planned to fit the tier's 4 core-hours: with
//            nothing to decide, one seed per value regresses the curve at
//            P1's scale (the figure's band then has zero width).
//   paper:   P1's grids, d 128, 30000 steps, 10 seeds (P1: 100 or 50
//            trials).
//
// Run keys: params keep the swept value as a JSON double ({"p": 23.0} for
// MA-modulus, as before the design became data), so the key of every
// preset run is unchanged.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

// MA-modulus: one point per modulus p (each trains its own task).
struct ModulusDesign {
  int64_t dim, steps, seeds;
  std::vector<int64_t> primes;
};

// MA-decay: one point per AdamW weight decay at a fixed modulus.
struct DecayDesign {
  int64_t p, dim, steps, seeds;
  std::vector<double> decays;
};

const DesignSchema<ModulusDesign>& ModulusSchema() {
  static const auto* schema =
      &(*new DesignSchema<ModulusDesign>())
           .Int("dim", &ModulusDesign::dim, 2, 1024, "embedding width d")
           .Int("steps", &ModulusDesign::steps, 1, 1000000,
                "training steps per run")
           .Int("seeds", &ModulusDesign::seeds, 1, 1000,
                "vary_all seeds 0..seeds-1 per modulus")
           .IntList("primes", &ModulusDesign::primes, 3, 257,
                    "moduli p swept (P1's are primes): V = C = p");
  return *schema;
}

const DesignSchema<DecayDesign>& DecaySchema() {
  static const auto* schema =
      &(*new DesignSchema<DecayDesign>())
           .Prime("p", &DecayDesign::p, 3, 257, "modulus (prime): V = C = p")
           .Int("dim", &DecayDesign::dim, 2, 1024, "embedding width d")
           .Int("steps", &DecayDesign::steps, 1, 1000000,
                "training steps per run")
           .Int("seeds", &DecayDesign::seeds, 1, 1000,
                "vary_all seeds 0..seeds-1 per decay")
           .DoubleList("decays", &DecayDesign::decays, 1e-6, 10,
                       "AdamW weight decays swept (> 0: the figure's x axis "
                       "is logarithmic)");
  return *schema;
}

constexpr char kModulusClaim[] = "MA-modulus/circles-vs-p";
constexpr char kDecayClaim[] = "MA-decay/circles-vs-decay";

ClaimSpec CurveSpec(const std::string& id, const std::string& label,
                    const std::string& per, const std::string& paper) {
  ClaimSpec c;
  c.id = id;
  c.statement =
      absl::StrCat("P1 reports the number of circles vs ", label, " (no claim).");
  c.paper = paper;
  c.p1_script = "analysis/plot_num_circles.py";
  c.descriptive = true;
  c.reports = absl::StrCat(
      "the number of final circles of each valid run and their mean per ", per,
      " (observed: mean per value)");
  return c;
}

// "p = 13, 19" (the values as the curve's keys print them).
std::string ValueList(const std::string& param,
                      const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double v : values) parts.push_back(absl::StrCat(v));
  return absl::StrCat(param, " = ", absl::StrJoin(parts, ", "));
}

// "2 not_trained, 1 no_circle".
std::string ExcludedText(const RunTally& tally) {
  std::vector<std::string> parts;
  for (const auto& [reason, n] : tally.excluded)
    parts.push_back(absl::StrCat(n, " ", reason));
  return absl::StrJoin(parts, ", ");
}

// Shared analysis: mean and per-run number of circles per swept value; the
// descriptive claim's evidence goes to result.evidence.
ExperimentResult CirclesCurve(const std::vector<RunRecord>& runs,
                              const std::string& param,
                              const std::string& label, const std::string& id,
                              const std::string& design, bool log_x) {
  std::map<double, std::vector<double>> by_value;
  std::map<double, int64_t> excluded_at;
  Series points{"valid runs", "points"}, means{"mean of valid runs", "linespoints"};
  Series excluded{"excluded runs (not trained, not settled or no circle), drawn at -0.5",
                  "points"};
  RunTally tally;
  for (const RunRecord& r : runs) {
    const double v = r.spec.params.at(param).get<double>();
    const std::string why = MaExclusion(r);
    tally.Add(why);
    if (!why.empty()) {
      ++excluded_at[v];
      excluded.x.push_back(v);
      excluded.y.push_back(-0.5);
      continue;
    }
    const double n = SurvivorsOf(r.final_embedding).size();
    by_value[v].push_back(n);
    points.x.push_back(v);
    points.y.push_back(n);
  }
  ExperimentResult result;
  nlohmann::json curve = nlohmann::json::array();
  nlohmann::json observed = nlohmann::json::object();
  for (const auto& [v, ns] : by_value) {
    means.x.push_back(v);
    means.y.push_back(Mean(ns));
    curve.push_back({v, Mean(ns), ns.size(), excluded_at[v]});
    observed[absl::StrCat(param, "=", v)] = Mean(ns);
  }
  result.data["columns"] = {param, "mean_circles", "valid_runs",
                            "excluded_runs"};
  result.data["curve"] = curve;
  result.data["final_metrics"] = FinalMetricsSummary(runs);

  ClaimEvidence ev;
  ev.claim_id = id;
  ev.runs = tally;
  ev.observed = observed;
  ev.design = design;
  result.evidence.push_back(ev);

  Figure fig;
  fig.name = "circles";
  fig.title = absl::StrCat("number of final circles vs ", label);
  fig.xlabel = label;
  fig.ylabel = "circles";
  fig.log_x = log_x;
  // The band's mean replaces the mean series (kept in the data).
  points.style = "mean_band";
  means.style = "none";
  excluded.excluded = true;
  fig.integer_y = true;
  fig.integer_x = !log_x;
  fig.series = {points, means};
  if (!excluded.x.empty()) fig.series.push_back(excluded);
  fig.legend = "below";
  // The caption says what this result holds: how many runs are drawn and
  // where no valid run is left (those values have no mean).
  std::vector<double> empty_values;
  for (const auto& [v, n] : excluded_at)
    if (!by_value.count(v)) empty_values.push_back(v);
  std::string excluded_text =
      tally.planned == tally.valid
          ? "no run is excluded"
          : absl::StrCat(tally.planned - tally.valid, " of ", tally.planned,
                         " runs are excluded (", ExcludedText(tally),
                         ") and drawn hollow at -0.5");
  if (!empty_values.empty())
    absl::StrAppend(&excluded_text, "; no valid run at ",
                    ValueList(param, empty_values));
  fig.caption = absl::StrCat(
      "Descriptive: the number of circles of the ", tally.valid,
      " valid runs against ", label,
      ", each run drawn, with the mean and its 95 % band; ", excluded_text,
      ".");
  fig.paper_figure = "P1, analysis/plot_num_circles.py";
  result.figures.push_back(fig);
  return result;
}

class MaModulus : public DesignedExperiment<ModulusDesign> {
 public:
  std::string Name() const override { return "MA-modulus"; }
  std::string Description() const override {
    return "Modular addition: number of final circles vs the modulus p (P1, "
           "descriptive).";
  }
  ModulusDesign Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {8, 30, 1, {7, 11}};
      case Tier::kCi: return {32, 800, 3, {13, 19, 23, 29}};
      case Tier::kNightly:
        return {128, kNightlySteps, 1, {13, 23, 31, 43, 59, 73, 89}};
      case Tier::kPaper:
        return {128, 30000, 10,
                {13, 19, 23, 29, 31, 37, 43, 47, 53, 59, 61, 67, 73, 79, 83,
                 89, 97, 101, 103, 107, 109, 113, 127}};
    }
    return {};
  }
  const DesignSchema<ModulusDesign>& Schema() const override {
    return ModulusSchema();
  }
  std::vector<ClaimSpec> ClaimSpecs() const override {
    return AtNightlyHorizon(
        {CurveSpec(kModulusClaim, "modulus p", "p", "P1 (circles vs p)")});
  }
  std::vector<RunSpec> Plan(Tier tier) const override {
    const ModulusDesign d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (int64_t p : d.primes)
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(p, d.dim, d.steps);
        spec.config.seed = s;
        // A double, as the run keys have always had it (see the header).
        spec.params = {{"p", static_cast<double>(p)}, {"seed", s}};
        specs.push_back(spec);
      }
    return specs;
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const ModulusDesign d = DesignAt(tier);
    return CirclesCurve(runs, "p", "modulus p", kModulusClaim,
                        absl::StrCat("d=", d.dim, ", ", d.steps, " steps, ",
                                     d.seeds, " seeds per p"),
                        false);
  }
};

class MaDecay : public DesignedExperiment<DecayDesign> {
 public:
  std::string Name() const override { return "MA-decay"; }
  std::string Description() const override {
    return "Modular addition: number of final circles vs weight decay (P1, "
           "descriptive).";
  }
  DecayDesign Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {11, 8, 30, 1, {0.1, 1.0}};
      case Tier::kCi: return {23, 32, 800, 3, {0.01, 0.1, 0.5, 1.5}};
      case Tier::kNightly:
        return {59, 128, kNightlySteps, 1,
                {0.00215, 0.01, 0.1, 0.3, 0.8, 1.5}};
      case Tier::kPaper:
        return {59, 128, 30000, 10,
                {0.00215, 0.00293, 0.00398, 0.00541, 0.00736, 0.01, 0.1, 0.2,
                 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4,
                 1.5}};
    }
    return {};
  }
  const DesignSchema<DecayDesign>& Schema() const override {
    return DecaySchema();
  }
  std::vector<ClaimSpec> ClaimSpecs() const override {
    return AtNightlyHorizon({CurveSpec(kDecayClaim, "weight decay", "decay",
                                       "P1 (circles vs weight decay)")});
  }
  std::vector<RunSpec> Plan(Tier tier) const override {
    const DecayDesign d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (double wd : d.decays)
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(d.p, d.dim, d.steps);
        spec.config.wd = wd;
        spec.config.seed = s;
        spec.params = {{"wd", wd}, {"seed", s}};
        specs.push_back(spec);
      }
    return specs;
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const DecayDesign d = DesignAt(tier);
    return CirclesCurve(runs, "wd", "weight decay", kDecayClaim,
                        absl::StrCat("p=", d.p, ", d=", d.dim, ", ", d.steps,
                                     " steps, ", d.seeds, " seeds per decay"),
                        true);
  }
};

REGISTER_EXPERIMENT(MaModulus);
REGISTER_EXPERIMENT(MaDecay);

}  // namespace
}  // namespace initrepro
