// MA-perturb (P1: scaling one circle of the initial embedding).
//
// For each seed, the drawn embedding's Fourier component at +-k (P1: k = 25,
// i.e. F_25 and F_34 at p = 59) is multiplied by alpha; everything else is
// unchanged. Survival rate of k vs alpha. Claim: the rate rises with alpha
// (pooled Spearman rho > 0.8 over (seed, alpha) points, and rate(max alpha)
// > rate(min alpha) for every seed).
//
// P1's code kept a complex array after the inverse FFT and read the plot's
// x-axis from an already-scaled embedding; we scale the real embedding and
// plot alpha itself, as the paper meant.
//
// ci: p 23, k 5 (fixed before running; P1's k = 25 does not exist at
// p 23), d 32, 600 steps, alpha in {0.85, 1.0, 1.15}, 2 seeds x 6 trials
// (36 runs). Only exercises the code: 6 trials per rate cannot resolve a
// +-15% perturbation. The paper tier decides.
//
// nightly: p 59, P1's k = 25, d 128, kNightlySteps, 7 alphas x 4 reference
// seeds x 5 trials (140 runs). Power: 28 (seed, alpha) units give a
// Bonett-Wright 99 % interval of about +-0.25 at rho ~ 0.8, enough to
// exclude 0; the v1 threshold 0.8 on the estimate and "every seed rises"
// decide the rest. P1's k = 25 may be a frequency that always or never
// survives for a seed (issue 9), which would show as a flat seed.
#include "absl/strings/str_cat.h"
#include "src/analysis/fourier.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

struct Design {
  int64_t p, k, dim, steps, seeds, trials, alphas;
};

Design DesignFor(Tier tier) {
  switch (tier) {
    case Tier::kSmoke: return {11, 3, 8, 30, 1, 2, 2};
    case Tier::kCi: return {23, 5, 32, 600, 2, 6, 3};
    case Tier::kNightly: return {59, 25, 128, kNightlySteps, 4, 5, 7};
    case Tier::kPaper: return {59, 25, 128, 30000, 8, 50, 50};
  }
  return {};
}

class MaPerturb : public Experiment {
 public:
  std::string Name() const override { return "MA-perturb"; }
  std::string Description() const override {
    return "Modular addition: survival rate of one circle vs a scale alpha "
           "applied to its initial Fourier component (P1).";
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignFor(tier);
    std::vector<RunSpec> specs;
    for (double alpha : Linspace(0.85, 1.15, d.alphas)) {
      for (int64_t s0 = 0; s0 < d.seeds; ++s0) {
        for (int64_t t = 0; t < d.trials; ++t) {
          RunSpec spec;
          spec.config = MaConfig(d.p, d.dim, d.steps);
          spec.config.mode = "fix_embedding";
          spec.config.init_seed = s0;
          spec.config.seed = 1000 + t;
          spec.params = {{"alpha", alpha}, {"k", d.k},
                         {"reference_seed", s0}, {"trial", t}};
          specs.push_back(spec);
        }
      }
    }
    return specs;
  }

  absl::StatusOr<InitialState> InitialStateFor(
      const RunSpec& spec) const override {
    InitialState init;
    init.embedding = ScaleFrequencies(DrawnEmbedding(spec.config),
                                      {spec.params.at("k").get<int64_t>()},
                                      spec.params.at("alpha").get<double>());
    return init;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design d = DesignFor(tier);
    // rate[seed][alpha]
    std::map<int64_t, std::map<double, std::pair<int64_t, int64_t>>> counts;
    ClaimTest test;
    for (const RunRecord& r : runs) {
      const std::string why = MaExclusion(r);
      test.runs.Add(why);
      if (!why.empty()) continue;
      const std::vector<int64_t> survivors = SurvivorsOf(r.final_embedding);
      auto& c = counts[r.spec.params.at("reference_seed").get<int64_t>()]
                      [r.spec.params.at("alpha").get<double>()];
      c.first += std::count(survivors.begin(), survivors.end(), d.k) > 0;
      c.second += 1;
    }
    std::vector<double> alphas, rates;
    bool every_seed_rises = true;
    Figure fig;
    fig.name = "rate";
    fig.title = absl::StrCat("MA-perturb: survival rate of k=", d.k,
                             " vs alpha");
    fig.xlabel = "alpha (scale of F_k and F_{p-k})";
    fig.ylabel = "survival rate";
    fig.y_min = -0.05;
    fig.y_max = 1.05;
    fig.ref_lines = {{"x", 1.0, "alpha = 1 (unperturbed)"}};
    fig.legend = "below";
    fig.caption = "The survival rate of the perturbed frequency should rise "
                  "with alpha for every reference seed.";
    fig.paper_figure = "P1 Sec. 3.2.1, analysis/plot_init_signal_perturb.py";
    nlohmann::json table = nlohmann::json::array();
    for (const auto& [seed, by_alpha] : counts) {
      Series s;
      s.label = absl::StrCat("reference seed ", seed);
      s.style = "rate";
      for (const auto& [alpha, c] : by_alpha) {
        const double rate = static_cast<double>(c.first) / c.second;
        alphas.push_back(alpha);
        rates.push_back(rate);
        s.x.push_back(alpha);
        s.y.push_back(rate);
        s.trials.push_back(c.second);
        table.push_back({seed, alpha, rate});
      }
      if (!(s.y.back() > s.y.front())) every_seed_rises = false;
      fig.series.push_back(s);
    }
    ExperimentResult result;
    result.data["columns"] = {"reference_seed", "alpha", "survival_rate"};
    result.data["points"] = table;
    test.id = "MA-perturb/rate-rises-with-alpha";
    test.statement = "Scaling up a circle's initial signal raises its survival "
                     "rate.";
    test.rule = "pooled Spearman rho(alpha, rate) > 0.8 and rate(1.15) > "
                "rate(0.85) for every seed; one rate per (reference seed, "
                "alpha) over valid runs";
    test.design = absl::StrCat("p=", d.p, ", k=", d.k, ", d=", d.dim, ", ",
                               d.steps, " steps, ", d.alphas, " alphas x ",
                               d.seeds, " seeds x ", d.trials, " trials");
    test.statistic = Statistic::kSpearman;
    test.unit = "(reference seed, alpha)";
    test.threshold = 0.8;
    test.x = alphas;
    test.y = rates;
    test.conditions = {{"rate(max alpha) > rate(min alpha) for every seed",
                        every_seed_rises}};
    test.observed = {{"every_seed_rises", every_seed_rises}};
    result.claims.push_back(Decide(tier, test));
    result.figures.push_back(fig);
    result.notes.push_back(
        "P1's perturbation plot reads its x-axis from an already-scaled "
        "embedding; we plot alpha, as the paper meant. (The complex array "
        "kept after the inverse FFT is a slip of P1's ablation.py, not of "
        "perturbation.py.)");
    return result;
  }
};

REGISTER_EXPERIMENT(MaPerturb);

}  // namespace
}  // namespace initrepro
