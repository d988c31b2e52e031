// MA-modulus and MA-decay (P1: number of circles vs p and vs weight decay).
//
// Descriptive: P1 reports the curves without a claim, so each experiment's
// one claim has verdict "descriptive" and its observed numbers are the mean
// number of final circles per setting.
//
// Grids are P1's (analysis/plot_num_circles.py 35-124) or subsets of them:
//   P1's primes: 13, 19, 23, ..., 89 (data/small_p, 100 trials) then 97,
//     101, 103, 107, 109, 113, 127 (data/big_p). P1 skips 17, 41 and 71,
//     and its figure also mixes in a second data set (every p in 16..101, 20
//     trials) because `entries` is not reset between the two; we sweep the
//     prime list once.
//   P1's decays: 10^linspace(-4, -2, 16) kept from 0.002 and rounded to 5
//     places (0.00215 ... 0.01), then round(linspace(0.1, 1.5, 16), 1),
//     which lists 0.8 twice; we run 0.8 once (21 values in all).
//
// ci: d 32, 800 steps, 3 seeds per point; MA-modulus over P1's primes up to
// 29 ({13, 19, 23, 29}), MA-decay over {0.01, 0.1, 0.5, 1.5} at p 23.
//
// nightly: d 128, kNightlySteps, 2 seeds per point (the tier's 4 core-hour
// budget; the figure's band is then a range, not an interval); MA-modulus
// over {13, 23, 31, 43, 59, 73, 89}, MA-decay over {0.00215, 0.01, 0.1,
// 0.3, 0.8, 1.5} at p 59. paper: P1's grids, 10 seeds (P1:
// 100 or 50 trials). Descriptive.
#include "absl/strings/str_cat.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

struct SweepDesign {
  int64_t dim, steps, seeds;
  std::vector<double> values;
};

// Shared analysis: mean and per-run number of circles per swept value.
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
  result.claims.push_back(Descriptive(
      id,
      absl::StrCat("P1 reports the number of circles vs ", label,
                   " (no claim)."),
      "descriptive: report the curve of valid runs", design, tally, observed));
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
  fig.caption = absl::StrCat("Descriptive: the number of circles of valid "
                             "runs against ", label,
                             ", each run drawn, with the mean and its 95 % "
                             "band; excluded runs hollow at -0.5.");
  fig.paper_figure = "P1, analysis/plot_num_circles.py";
  result.figures.push_back(fig);
  return result;
}

class MaModulus : public Experiment {
 public:
  std::string Name() const override { return "MA-modulus"; }
  std::string Description() const override {
    return "Modular addition: number of final circles vs the modulus p (P1, "
           "descriptive).";
  }
  static SweepDesign DesignFor(Tier tier) {
    switch (tier) {
      case Tier::kSmoke: return {8, 30, 1, {7, 11}};
      case Tier::kCi: return {32, 800, 3, {13, 19, 23, 29}};
      case Tier::kNightly:
        return {128, kNightlySteps, 2, {13, 23, 31, 43, 59, 73, 89}};
      case Tier::kPaper:
        return {128, 30000, 10,
                {13, 19, 23, 29, 31, 37, 43, 47, 53, 59, 61, 67, 73, 79, 83,
                 89, 97, 101, 103, 107, 109, 113, 127}};
    }
    return {};
  }
  std::vector<RunSpec> Plan(Tier tier) const override {
    const SweepDesign d = DesignFor(tier);
    std::vector<RunSpec> specs;
    for (double p : d.values)
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(static_cast<int64_t>(p), d.dim, d.steps);
        spec.config.seed = s;
        spec.params = {{"p", p}, {"seed", s}};
        specs.push_back(spec);
      }
    return specs;
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const SweepDesign d = DesignFor(tier);
    return CirclesCurve(runs, "p", "modulus p", "MA-modulus/circles-vs-p",
                        absl::StrCat("d=", d.dim, ", ", d.steps, " steps, ",
                                     d.seeds, " seeds per p"),
                        false);
  }
};

class MaDecay : public Experiment {
 public:
  std::string Name() const override { return "MA-decay"; }
  std::string Description() const override {
    return "Modular addition: number of final circles vs weight decay (P1, "
           "descriptive).";
  }
  static SweepDesign DesignFor(Tier tier) {
    switch (tier) {
      case Tier::kSmoke: return {8, 30, 1, {0.1, 1.0}};
      case Tier::kCi: return {32, 800, 3, {0.01, 0.1, 0.5, 1.5}};
      case Tier::kNightly:
        return {128, kNightlySteps, 2,
                {0.00215, 0.01, 0.1, 0.3, 0.8, 1.5}};
      case Tier::kPaper:
        return {128, 30000, 10,
                {0.00215, 0.00293, 0.00398, 0.00541, 0.00736, 0.01, 0.1, 0.2,
                 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4,
                 1.5}};
    }
    return {};
  }
  static int64_t PFor(Tier tier) { return tier == Tier::kSmoke ? 11 : tier == Tier::kCi ? 23 : 59; }
  std::vector<RunSpec> Plan(Tier tier) const override {
    const SweepDesign d = DesignFor(tier);
    std::vector<RunSpec> specs;
    for (double wd : d.values)
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(PFor(tier), d.dim, d.steps);
        spec.config.wd = wd;
        spec.config.seed = s;
        spec.params = {{"wd", wd}, {"seed", s}};
        specs.push_back(spec);
      }
    return specs;
  }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const SweepDesign d = DesignFor(tier);
    return CirclesCurve(runs, "wd", "weight decay", "MA-decay/circles-vs-decay",
                        absl::StrCat("p=", PFor(tier), ", d=", d.dim, ", ",
                                     d.steps, " steps, ", d.seeds,
                                     " seeds per decay"),
                        true);
  }
};

REGISTER_EXPERIMENT(MaModulus);
REGISTER_EXPERIMENT(MaDecay);

}  // namespace
}  // namespace initrepro
