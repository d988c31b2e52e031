// MA-frozen (P2: frozen embeddings of growing dimension).
//
// The embedding is excluded from the optimiser, so only its random initial
// structure is available. Claims: larger d trains better (Spearman rho(d,
// final test loss) < -0.5), and runs with d >= p converge (test loss < 1)
// more often than runs with d < p. Test loss is reported after each of
// P2's checkpoints (500, 1000, 5000, 10000 steps) that the tier reaches.
//
// ci: p 23, d in {8, 16, 24, 32, 64}, 4 seeds, 1000 steps (checkpoints 500
// and 1000). Power reasoning of the ci design: 20 points for the Spearman
// claim; the convergence comparison (8 runs with d < p vs 12 with d >= p)
// is decided by Fisher's exact test and is unlikely to be decided at ci.
//
// nightly: p 59, 5000 steps (checkpoints 500, 1000, 5000), d in {16, 32,
// 48, 64, 96, 128}, 5 seeds (30 runs): 10 runs with d < p vs 20 with
// d >= p for Fisher's exact test.
#include "absl/strings/str_cat.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

struct Design {
  int64_t p, steps, seeds;
  std::vector<int64_t> dims;
};

Design DesignFor(Tier tier) {
  switch (tier) {
    case Tier::kSmoke: return {11, 40, 1, {4, 16}};
    case Tier::kCi: return {23, 1000, 4, {8, 16, 24, 32, 64}};
    case Tier::kNightly: return {59, 5000, 5, {16, 32, 48, 64, 96, 128}};
    case Tier::kPaper: return {59, 10000, 5, {16, 32, 48, 64, 96, 128}};
  }
  return {};
}

const int64_t kCheckpoints[] = {500, 1000, 5000, 10000};

double TestLossAt(const RunRecord& r, int64_t step) {
  for (const StepMetrics& m : r.metrics)
    if (m.step == step) return m.test_loss;
  return r.metrics.back().test_loss;
}

class MaFrozen : public Experiment {
 public:
  std::string Name() const override { return "MA-frozen"; }
  std::string Description() const override {
    return "Modular addition with a frozen random embedding: test loss vs "
           "embedding dimension d (P2).";
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignFor(tier);
    std::vector<RunSpec> specs;
    for (int64_t dim : d.dims) {
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(d.p, dim, d.steps);
        spec.config.freeze_embedding = true;
        spec.config.seed = s;
        spec.config.log_every = std::min<int64_t>(500, d.steps);
        spec.params = {{"dim", dim}, {"seed", s}};
        specs.push_back(spec);
      }
    }
    return specs;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design design = DesignFor(tier);
    ExperimentResult result;
    std::vector<double> dims, losses;
    int64_t small_ok = 0, small = 0, large_ok = 0, large = 0;
    Figure fig;
    fig.name = "loss";
    fig.title = "MA-frozen: test loss vs d (frozen embedding)";
    fig.xlabel = "embedding dimension d";
    fig.ylabel = "test loss";
    fig.log_y = true;
    fig.integer_x = true;
    fig.ref_lines = {{"x", static_cast<double>(design.p),
                      absl::StrCat("d = p = ", design.p)},
                     {"y", 1.0, "converged: test loss < 1"}};
    fig.legend = "below";
    fig.caption = "Test loss should fall with d, and runs right of the d = p "
                  "line should end below loss 1 more often.";
    fig.paper_figure = "P1 Sec. 3.1, analysis/plot_loss_embed_freeze.py";
    nlohmann::json table = nlohmann::json::array();
    for (int64_t step : kCheckpoints) {
      if (step > design.steps) continue;
      Series s;
      s.label = absl::StrCat("after ", step, " steps");
      for (const RunRecord& r : runs) {
        if (r.diverged) continue;
        s.x.push_back(r.spec.config.dim);
        s.y.push_back(TestLossAt(r, step));
      }
      fig.series.push_back(s);
    }
    // Training success is the outcome here (PAPER.md v2: the exception to
    // run validity): every run counts, a diverged one as not converged.
    RunTally tally;
    for (const RunRecord& r : runs) {
      tally.Add("");
      const double loss = r.diverged ? 1e300 : r.metrics.back().test_loss;
      dims.push_back(r.spec.config.dim);
      losses.push_back(loss);
      const bool converged = !r.diverged && loss < 1.0;
      if (r.spec.config.dim >= design.p) {
        ++large;
        large_ok += converged;
      } else {
        ++small;
        small_ok += converged;
      }
      table.push_back({r.spec.config.dim, r.spec.params.at("seed"), loss,
                       r.diverged});
    }
    result.data["columns"] = {"dim", "seed", "final_test_loss", "diverged"};
    result.data["runs"] = table;
    const Correlation rho = Spearman(dims, losses);
    result.stats["spearman"] = CorrelationJson(rho);
    const double rate_small = small ? static_cast<double>(small_ok) / small : 0;
    const double rate_large = large ? static_cast<double>(large_ok) / large : 0;
    result.data["converged_rate_d_below_p"] = rate_small;
    result.data["converged_rate_d_at_least_p"] = rate_large;
    const std::string design_text = absl::StrCat(
        "p=", design.p, ", ", design.steps, " steps, ", design.seeds,
        " seeds per d, d in ", nlohmann::json(design.dims).dump());
    ClaimTest c1;
    c1.id = "MA-frozen/larger-d-trains-better";
    c1.statement = "With a frozen embedding, larger d trains better.";
    c1.rule = "Spearman rho(d, final test loss) < -0.5";
    c1.design = design_text;
    c1.statistic = Statistic::kSpearman;
    c1.side = Side::kLess;
    c1.threshold = -0.5;
    c1.unit = "run";
    c1.x = dims;
    c1.y = losses;
    c1.runs = tally;
    result.claims.push_back(Decide(tier, c1));
    ClaimTest c2;
    c2.id = "MA-frozen/d-at-least-p-converges";
    c2.statement = "Runs with d >= p converge more often than runs with d < p.";
    c2.rule = "fraction(test loss < 1 | d >= p) > fraction(test loss < 1 | "
              "d < p): odds ratio > 1, Fisher's exact test";
    c2.design = design_text;
    c2.statistic = Statistic::kOddsRatio;
    c2.unit = "run";
    c2.counts = {{large_ok, large - large_ok}, {small_ok, small - small_ok}};
    c2.runs = tally;
    c2.observed = {{"rate_d_at_least_p", rate_large},
                   {"rate_d_below_p", rate_small},
                   {"runs_d_at_least_p", large},
                   {"runs_d_below_p", small}};
    result.claims.push_back(Decide(tier, c2));
    result.figures.push_back(fig);
    return result;
  }
};

REGISTER_EXPERIMENT(MaFrozen);

}  // namespace
}  // namespace initrepro
