// MA-frozen (P2: frozen embeddings of growing dimension).
//
// The embedding is excluded from the optimiser, so only its random initial
// structure is available. Claims: larger d trains better
// (MA-frozen/larger-d-trains-better: Spearman rho(d, test loss) < -0.5),
// and runs with d >= p converge (test loss < 1) more often than runs with
// d < p (MA-frozen/d-at-least-p-converges: odds ratio > 1, Fisher's exact
// test). Both claims are tested at the last step (the bare ids, the claims
// of record) and again at each checkpoint of the design field
// `checkpoints` (P1's 500, 1000, 5000 and 10000 steps,
// plot_loss_embed_freeze.py:43) that the tier reaches before its last step,
// as evidence ids suffixed "@STEP" of the same per-checkpoint claim specs,
// each decided on its own by the driver: the checkpoints are not
// independent tests (the same runs), so they say when the effect appears,
// not how often it holds. Training success is the outcome here, so every
// run counts (PAPER.md v2), a diverged one as not converged.
//
// Design per tier (Preset is the table; every field is settable with --set,
// e.g. --set checkpoints=500,1000; a checkpoint must be a multiple of the
// logging interval log_every):
//   smoke:   p 11, 40 steps, d in {4, 16}, 1 seed: plumbing only.
//   ci:      p 23, d in {8, 16, 24, 32, 64}, 4 seeds, 1000 steps
//            (checkpoint 500, and the last step). Power reasoning of the ci
//            design: 20 points for the Spearman claim, which ci decides
//            (larger-d-trains-better reproduced, at 500 steps too); the
//            convergence comparison (8 runs with d < p vs 12 with d >= p) is
//            decided by Fisher's exact test and is unlikely to be decided at
//            ci (its golden: every run valid, the interval reaches 1; at 500
//            steps a margin is 0). ci exists only to regress:
//            d-at-least-p-converges and d-at-least-p-converges@500; nightly
//            is sized to decide them.
//   nightly: p 59, 5000 steps (checkpoints 500, 1000, and the last step), d
//            in {16, 32, 48, 64, 96, 128}, 8 seeds (48 runs, ~0.36
//            core-hours): 24 runs with d < p (16, 32, 48) vs 24 with d >= p.
//            Sized by `repro power MA-frozen --tier=nightly` (pilot: the
//            previous 30-run nightly golden, 5 seeds, same steps) to decide
//            every claim: the convergence claim at the last step needs 22
//            runs per group (it was undecided there, [0.845, inf]); at 500
//            and 1000 steps 9 per group, the Spearman claims 6-7 runs.
//   paper:   p 59, 10000 steps (checkpoints 500, 1000, 5000), nightly's d,
//            P1's grid: every d in 16..128 x 5 seeds (565 runs;
//            plot_loss_embed_freeze.py 30-31 reads dim_{16..128} x seed 0..4),
//            so each group has 215 (d < p) or 350 (d >= p) runs.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

struct Design {
  int64_t p, steps, seeds;
  std::vector<int64_t> dims;
  // P1's checkpoints (analysis/plot_loss_embed_freeze.py:43); those before
  // the last step are tested (the last step always is).
  std::vector<int64_t> checkpoints = {500, 1000, 5000, 10000};
  // Test metrics every log_every steps (capped at steps; the trainer also
  // logs the last step).
  int64_t log_every = 500;
};

const DesignSchema<Design>& FrozenSchema() {
  static const auto* schema =
      &(*new DesignSchema<Design>())
           .Prime("p", &Design::p, 3, 257, "modulus (prime): V = C = p")
           .Int("steps", &Design::steps, 1, 1000000, "training steps per run")
           .Int("seeds", &Design::seeds, 1, 1000,
                "runs per d, seeds 0..seeds-1 (frozen embedding, vary_all)")
           .IntList("dims", &Design::dims, 2, 1024,
                    "embedding widths d swept (the embedding is frozen)")
           .IntList("checkpoints", &Design::checkpoints, 1, 1000000,
                    "steps before the last at which both claims are tested "
                    "again (ids ID@STEP); each a multiple of log_every")
           .Int("log_every", &Design::log_every, 1, 1000000,
                "test metrics logged every N steps (capped at steps)");
  return *schema;
}

constexpr char kSpearmanClaim[] = "MA-frozen/larger-d-trains-better";
constexpr char kConvergenceClaim[] = "MA-frozen/d-at-least-p-converges";

// The loss a run that has no finite test loss at a step counts with: it
// ranks last and is never converged.
constexpr double kFailedLoss = 1e300;

// The steps tested: every checkpoint the tier reaches before its last step,
// then the last step (the claims of record).
// In step order and without repeats, whatever order --set gave.
std::vector<int64_t> TestedSteps(const Design& d) {
  std::vector<int64_t> steps;
  for (int64_t step : d.checkpoints)
    if (step < d.steps) steps.push_back(step);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  steps.push_back(d.steps);
  return steps;
}

int64_t LogEvery(const Design& d) { return std::min(d.log_every, d.steps); }

// Every tested checkpoint must be a logged step, or its test loss does not
// exist; checked before anything runs.
absl::Status CheckCheckpoints(const Design& d) {
  for (int64_t step : TestedSteps(d))
    if (step != d.steps && step % LogEvery(d) != 0)
      return absl::InvalidArgumentError(absl::StrCat(
          "--set checkpoints / log_every: checkpoint ", step,
          " (below steps = ", d.steps, ") is not a multiple of log_every = ",
          LogEvery(d), ", so no test loss is logged there; expected "
          "checkpoints that are multiples of log_every"));
  return absl::OkStatus();
}

// Test loss of run `r` after `step` steps (its metrics are logged every
// log_every steps, and CheckCheckpoints holds every checkpoint to that, so
// every tested step is logged); kFailedLoss for a
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

// Training success is the outcome here (PAPER.md v2: the exception to run
// validity): every run counts, a diverged one as not converged.
RunTally AllRuns(const std::vector<RunRecord>& runs) {
  RunTally tally;
  for (size_t i = 0; i < runs.size(); ++i) tally.Add("");
  return tally;
}

ClaimEvidence SpearmanEvidence(const StepTable& t, const Design& d,
                               const std::string& design_text,
                               RunTally tally) {
  ClaimEvidence c;
  c.claim_id = absl::StrCat(kSpearmanClaim, IdSuffix(t, d));
  c.design = design_text;
  c.x = t.dims;
  c.y = t.losses;
  c.runs = std::move(tally);
  if (t.step != d.steps) c.observed["step"] = t.step;
  return c;
}

ClaimEvidence ConvergenceEvidence(const StepTable& t, const Design& d,
                                  const std::string& design_text,
                                  RunTally tally) {
  ClaimEvidence c;
  c.claim_id = absl::StrCat(kConvergenceClaim, IdSuffix(t, d));
  c.design = design_text;
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
// (plot_loss_embed_freeze.py:54-55, 72) and the convergence threshold. The
// steps' series would hide each other at one d, so each is drawn shifted
// sideways by a fixed share of the smallest gap between the d values
// (the x numbers are d plus that shift; data.runs keeps d itself). A run
// without a finite test loss at a step (diverged) has no place on the log
// axis: the caption lists it.
Figure LossFigure(const std::vector<StepTable>& tables, const Design& d) {
  Figure fig;
  fig.name = "loss";
  fig.title = "MA-frozen: test loss vs d (frozen embedding)";
  fig.xlabel = "embedding dimension d (each step's points shifted sideways)";
  fig.ylabel = "test loss";
  fig.log_y = true;
  fig.integer_x = true;
  fig.ref_lines = {{"x", static_cast<double>(d.p),
                    absl::StrCat("d = p = ", d.p)},
                   {"y", 1.0, "converged: test loss < 1"}};
  fig.legend = "below";
  fig.paper_figure = "P1 Sec. 3.1, analysis/plot_loss_embed_freeze.py";
  std::vector<int64_t> dims = d.dims;
  std::sort(dims.begin(), dims.end());
  double gap = 1;
  for (size_t i = 1; i < dims.size(); ++i)
    if (dims[i] > dims[i - 1])
      gap = i == 1 ? dims[i] - dims[i - 1]
                   : std::min<double>(gap, dims[i] - dims[i - 1]);
  const double centre = (static_cast<double>(tables.size()) - 1) / 2;
  std::vector<std::string> observed, missing;
  for (size_t c = 0; c < tables.size(); ++c) {
    const StepTable& t = tables[c];
    const double shift = 0.08 * gap * (static_cast<double>(c) - centre);
    Series s;
    s.label = absl::StrCat("after ", t.step, " steps");
    std::vector<std::string> failed;
    for (size_t i = 0; i < t.dims.size(); ++i) {
      if (t.losses[i] == kFailedLoss) {
        failed.push_back(absl::StrCat("d = ", t.dims[i]));
        continue;
      }
      s.x.push_back(t.dims[i] + shift);
      s.y.push_back(t.losses[i]);
    }
    fig.series.push_back(s);
    const Correlation rho = Spearman(t.dims, t.losses);
    observed.push_back(absl::StrCat(
        t.step, " steps: rho ",
        std::isfinite(rho.r) ? absl::StrFormat("%.3g", rho.r) : "undefined",
        ", converged ", t.large_ok, "/", t.large, " with d >= p vs ",
        t.small_ok, "/", t.small, " with d < p"));
    if (!failed.empty())
      missing.push_back(absl::StrCat(t.step, " steps: ", failed.size(),
                                     " (", absl::StrJoin(failed, ", "), ")"));
  }
  fig.caption = absl::StrCat(
      "Expected: test loss falls with d at every step, and runs right of the "
      "d = p line end below loss 1 more often. Observed: ",
      absl::StrJoin(observed, "; "), ". Runs without a finite test loss "
      "(diverged), not drawn: ",
      missing.empty() ? "none" : absl::StrJoin(missing, "; "), ".");
  return fig;
}

class MaFrozen : public DesignedExperiment<Design> {
 public:
  std::string Name() const override { return "MA-frozen"; }
  std::string Description() const override {
    return "Modular addition with a frozen random embedding: test loss vs "
           "embedding dimension d (P2).";
  }
  Design Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {11, 40, 1, {4, 16}};
      case Tier::kCi: return {23, 1000, 4, {8, 16, 24, 32, 64}};
      case Tier::kNightly: return {59, 5000, 8, {16, 32, 48, 64, 96, 128}};
      case Tier::kPaper: {
        // P1 plot_loss_embed_freeze.py 30-31: every d in 16..128, 5 seeds.
        std::vector<int64_t> dims;
        for (int64_t d = 16; d <= 128; ++d) dims.push_back(d);
        return {59, 10000, 5, dims};
      }
    }
    return {};
  }
  const DesignSchema<Design>& Schema() const override {
    return FrozenSchema();
  }
  // The schema bounds each field; a checkpoint that is not a logged step
  // is a relation between two fields, checked here for every tier.
  absl::Status SetOverrides(
      const std::vector<DesignOverride>& overrides) override {
    for (Tier t : {Tier::kSmoke, Tier::kCi, Tier::kNightly, Tier::kPaper}) {
      Design d = Preset(t);
      absl::Status s = Schema().Apply(overrides, &d);
      if (s.ok()) s = CheckCheckpoints(d);
      if (!s.ok()) return s;
    }
    return DesignedExperiment<Design>::SetOverrides(overrides);
  }

  std::vector<ClaimSpec> ClaimSpecs() const override {
    ClaimSpec rho;
    rho.id = kSpearmanClaim;
    rho.statement = "With a frozen embedding, larger d trains better.";
    rho.paper = "P1 Sec. 3.1; P2";
    rho.p1_script = "analysis/plot_loss_embed_freeze.py";
    rho.statistic = Statistic::kSpearman;
    rho.side = Side::kLess;
    rho.quantity = "(d, test loss)";
    rho.unit = "run";
    rho.scale_field = "seeds";
    rho.threshold = -0.5;
    rho.scope =
        "every run (a diverged one ranks last), at the last step and at each "
        "earlier checkpoint (ID@STEP)";
    rho.per_checkpoint = true;
    ClaimSpec conv = rho;
    conv.id = kConvergenceClaim;
    conv.statement =
        "Runs with d >= p converge more often than runs with d < p.";
    conv.statistic = Statistic::kOddsRatio;
    conv.side = Side::kGreater;
    conv.quantity = "converging (test loss < 1; groups d >= p and d < p)";
    conv.threshold = 0;
    conv.scale_field = "seeds";
    conv.scope =
        "every run (a diverged one as not converged), at the last step and at "
        "each earlier checkpoint (ID@STEP)";
    rho.design_card = conv.design_card = true;
    return {rho, conv};
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (int64_t dim : d.dims) {
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(d.p, dim, d.steps);
        spec.config.freeze_embedding = true;
        spec.config.seed = s;
        spec.config.log_every = LogEvery(d);
        spec.params = {{"dim", dim}, {"seed", s}};
        specs.push_back(spec);
      }
    }
    return specs;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design design = DesignAt(tier);
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
      result.evidence.push_back(
          SpearmanEvidence(*t, design, design_text, AllRuns(runs)));
      result.evidence.push_back(
          ConvergenceEvidence(*t, design, design_text, AllRuns(runs)));
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
