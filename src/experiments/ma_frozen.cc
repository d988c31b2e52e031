// MA-frozen (P2: frozen embeddings of growing dimension).
//
// The embedding is excluded from the optimiser, so only its random initial
// structure is available. Claims: larger d trains better (Spearman rho(d,
// final test loss) < -0.5), and runs with d >= p converge (test loss < 1)
// more often than runs with d < p. Both claims are tested at the last step
// (the ids of record) and again at each of P1's earlier checkpoints (500,
// 1000, 5000 steps; plot_loss_embed_freeze.py:43) that the tier reaches,
// as claims with ids suffixed "@STEP", each decided on its own by Decide:
// the checkpoints are not independent tests (the same runs), so they say
// when the effect appears, not how often it holds.
//
// ci: p 23, d in {8, 16, 24, 32, 64}, 4 seeds, 1000 steps (checkpoints 500
// and 1000). Power reasoning of the ci design: 20 points for the Spearman
// claim; the convergence comparison (8 runs with d < p vs 12 with d >= p)
// is decided by Fisher's exact test and is unlikely to be decided at ci.
//
// nightly: p 59, 5000 steps (checkpoints 500, 1000, 5000), d in {16, 32,
// 48, 64, 96, 128}, 5 seeds (30 runs): 15 runs with d < p (16, 32, 48) vs
// 15 with d >= p for Fisher's exact test (this comment said 10 vs 20 before
// the run; the design itself is unchanged).
#include <algorithm>
#include <cmath>

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

// P1's checkpoints (analysis/plot_loss_embed_freeze.py:43).
const int64_t kCheckpoints[] = {500, 1000, 5000, 10000};

// The loss a run that has no finite test loss at a step counts with: it
// ranks last and is never converged.
constexpr double kFailedLoss = 1e300;

// The steps tested: every checkpoint the tier reaches before its last step,
// then the last step (the claims of record).
std::vector<int64_t> TestedSteps(const Design& d) {
  std::vector<int64_t> steps;
  for (int64_t step : kCheckpoints)
    if (step < d.steps) steps.push_back(step);
  steps.push_back(d.steps);
  return steps;
}

// Test loss of run `r` after `step` steps (its metrics are logged every 500
// steps, so every checkpoint the tier reaches is logged); kFailedLoss for a
// diverged run at its last step, or where the logged loss is not finite.
absl::StatusOr<double> TestLossAt(const RunRecord& r, int64_t step) {
  if (r.diverged && step == r.spec.config.steps) return kFailedLoss;
  for (const StepMetrics& m : r.metrics)
    if (m.step == step)
      return std::isfinite(m.test_loss) ? m.test_loss : kFailedLoss;
  if (r.diverged) return kFailedLoss;  // stopped before `step`
  return absl::InternalError(
      absl::StrCat("MA-frozen: no test loss logged at step ", step));
}

// One row per run at one step, and the 2 x 2 convergence counts.
struct StepTable {
  int64_t step = 0;
  std::vector<double> dims, losses;
  int64_t small_ok = 0, small = 0, large_ok = 0, large = 0;
};

absl::StatusOr<StepTable> TableAt(const std::vector<RunRecord>& runs,
                                  int64_t p, int64_t step) {
  StepTable t;
  t.step = step;
  for (const RunRecord& r : runs) {
    absl::StatusOr<double> loss = TestLossAt(r, step);
    if (!loss.ok()) return loss.status();
    t.dims.push_back(r.spec.config.dim);
    t.losses.push_back(*loss);
    const bool converged = *loss < 1.0;
    if (r.spec.config.dim >= p) {
      ++t.large;
      t.large_ok += converged;
    } else {
      ++t.small;
      t.small_ok += converged;
    }
  }
  return t;
}

double Rate(int64_t ok, int64_t n) {
  return n ? static_cast<double>(ok) / n : 0.0;
}

// "" for the last step (the claim ids of record), else "@STEP".
std::string IdSuffix(const StepTable& t, const Design& d) {
  return t.step == d.steps ? "" : absl::StrCat("@", t.step);
}

std::string WhenText(const StepTable& t, const Design& d) {
  return t.step == d.steps ? "final"
                           : absl::StrCat("after ", t.step, " steps");
}

// Training success is the outcome here (PAPER.md v2: the exception to run
// validity): every run counts, a diverged one as not converged.
RunTally AllRuns(const std::vector<RunRecord>& runs) {
  RunTally tally;
  for (size_t i = 0; i < runs.size(); ++i) tally.Add("");
  return tally;
}

ClaimTest SpearmanTest(const StepTable& t, const Design& d,
                       const std::string& design_text, RunTally tally) {
  ClaimTest c;
  c.id = absl::StrCat("MA-frozen/larger-d-trains-better", IdSuffix(t, d));
  c.statement = "With a frozen embedding, larger d trains better.";
  c.rule = absl::StrCat("Spearman rho(d, ", WhenText(t, d),
                        " test loss) < -0.5");
  c.design = design_text;
  c.statistic = Statistic::kSpearman;
  c.side = Side::kLess;
  c.threshold = -0.5;
  c.unit = "run";
  c.x = t.dims;
  c.y = t.losses;
  c.runs = std::move(tally);
  if (t.step != d.steps) c.observed["step"] = t.step;
  return c;
}

ClaimTest ConvergenceTest(const StepTable& t, const Design& d,
                          const std::string& design_text, RunTally tally) {
  ClaimTest c;
  c.id = absl::StrCat("MA-frozen/d-at-least-p-converges", IdSuffix(t, d));
  c.statement = "Runs with d >= p converge more often than runs with d < p.";
  c.rule = absl::StrCat("fraction(", WhenText(t, d), " test loss < 1 | d >= "
                        "p) > fraction(test loss < 1 | d < p): odds ratio > "
                        "1, Fisher's exact test");
  c.design = design_text;
  c.statistic = Statistic::kOddsRatio;
  c.unit = "run";
  c.counts = {{t.large_ok, t.large - t.large_ok},
              {t.small_ok, t.small - t.small_ok}};
  c.runs = std::move(tally);
  c.observed = {{"rate_d_at_least_p", Rate(t.large_ok, t.large)},
                {"rate_d_below_p", Rate(t.small_ok, t.small)},
                {"runs_d_at_least_p", t.large},
                {"runs_d_below_p", t.small}};
  if (t.step != d.steps) c.observed["step"] = t.step;
  return c;
}

// Test loss against d, one series per tested step, with P1's d = p line
// (plot_loss_embed_freeze.py:54-55, 72) and the convergence threshold.
Figure LossFigure(const std::vector<StepTable>& tables, const Design& d) {
  Figure fig;
  fig.name = "loss";
  fig.title = "MA-frozen: test loss vs d (frozen embedding)";
  fig.xlabel = "embedding dimension d";
  fig.ylabel = "test loss";
  fig.log_y = true;
  fig.integer_x = true;
  fig.ref_lines = {{"x", static_cast<double>(d.p),
                    absl::StrCat("d = p = ", d.p)},
                   {"y", 1.0, "converged: test loss < 1"}};
  fig.legend = "below";
  fig.caption = "Test loss should fall with d at every checkpoint, and runs "
                "right of the d = p line should end below loss 1 more "
                "often; diverged runs are not drawn.";
  fig.paper_figure = "P1 Sec. 3.1, analysis/plot_loss_embed_freeze.py";
  for (const StepTable& t : tables) {
    Series s;
    s.label = absl::StrCat("after ", t.step, " steps");
    for (size_t i = 0; i < t.dims.size(); ++i) {
      if (t.losses[i] == kFailedLoss) continue;
      s.x.push_back(t.dims[i]);
      s.y.push_back(t.losses[i]);
    }
    fig.series.push_back(s);
  }
  return fig;
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
    std::vector<StepTable> tables;
    for (int64_t step : TestedSteps(design)) {
      absl::StatusOr<StepTable> t = TableAt(runs, design.p, step);
      if (!t.ok()) return t.status();
      tables.push_back(*std::move(t));
    }
    const StepTable& last = tables.back();
    ExperimentResult result;
    result.data["columns"] = {"dim", "seed", "final_test_loss", "diverged"};
    result.data["runs"] = RunRows(runs, last);
    result.stats["spearman"] = CorrelationJson(Spearman(last.dims, last.losses));
    result.data["converged_rate_d_below_p"] = Rate(last.small_ok, last.small);
    result.data["converged_rate_d_at_least_p"] = Rate(last.large_ok, last.large);
    const std::string design_text = absl::StrCat(
        "p=", design.p, ", ", design.steps, " steps, ", design.seeds,
        " seeds per d, d in ", nlohmann::json(design.dims).dump());
    // The last step's claims first (the ids of record), then each earlier
    // checkpoint's in step order.
    std::vector<const StepTable*> order = {&last};
    for (size_t i = 0; i + 1 < tables.size(); ++i) order.push_back(&tables[i]);
    for (const StepTable* t : order) {
      result.claims.push_back(
          Decide(tier, SpearmanTest(*t, design, design_text, AllRuns(runs))));
      result.claims.push_back(Decide(
          tier, ConvergenceTest(*t, design, design_text, AllRuns(runs))));
    }
    result.data["checkpoints"] = CheckpointSummary(tables);
    result.figures.push_back(LossFigure(tables, design));
    return result;
  }

 private:
  // One row per run: dim, seed, test loss at the last step, diverged.
  static nlohmann::json RunRows(const std::vector<RunRecord>& runs,
                                const StepTable& last) {
    nlohmann::json table = nlohmann::json::array();
    for (size_t i = 0; i < runs.size(); ++i)
      table.push_back({runs[i].spec.config.dim, runs[i].spec.params.at("seed"),
                       last.losses[i], runs[i].diverged});
    return table;
  }

  // Per tested step: Spearman rho and the convergence rates.
  static nlohmann::json CheckpointSummary(const std::vector<StepTable>& tables) {
    nlohmann::json out = nlohmann::json::array();
    for (const StepTable& t : tables)
      out.push_back({{"step", t.step},
                     {"spearman_rho", Spearman(t.dims, t.losses).r},
                     {"converged_rate_d_below_p", Rate(t.small_ok, t.small)},
                     {"converged_rate_d_at_least_p",
                      Rate(t.large_ok, t.large)}});
    return out;
  }
};

REGISTER_EXPERIMENT(MaFrozen);

}  // namespace
}  // namespace initrepro
