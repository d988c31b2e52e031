// RE-completeness (P2, remainder equivalence) [reconstructed].
//
// Many seeds (mode vary_all, seed = run index). Per run: the geometry of the
// final cluster means (variance share of every principal axis, the line
// score = first share, and the within-cluster share of the embedding's
// variance, which says whether the tokens collapsed into clusters at all),
// and two completeness read-outs:
//  (1) P2's, only where a line forms (line score >= 0.9): the chosen
//      ordering (ChosenOrdering), the R^2 of every one of the m!/2 orderings
//      at initialisation (OrderingR2) and the chosen one's percentile;
//  (2) the general Gram-alignment metric of PAPER.md for every run, whatever
//      its geometry: the identity relabelling's percentile among all m!
//      relabellings (m = 6: all 720 enumerated, none sampled).
// Claims (PAPER.md rule, both reconstructed): mean percentile > 0.5 and
// one-sided sign test p < 0.01 (positives: percentile > 0.5, negatives:
// < 0.5, ties dropped). Claim 1 over all runs (Gram metric); claim 2 over the
// line-forming runs only (line R^2), undecided_at_this_scale at any tier
// where fewer than kMinLineRuns runs form a line. Both the mean percentile
// and the fraction of runs whose chosen representation is the single best
// candidate are reported (reviewers: "exceeds the average but is not the
// maximum").
//
// Scale choices.
//  Learning check (repro train, vary_all seed 0/1): the reconstructed
//  default (N 60, m 6, d 128, wd 3) reaches test accuracy 1.0 in 2000
//  steps (all-negative baseline 1 - 1/m = 0.833), but its six final cluster
//  means span three axes (shares 0.42 / 0.38 / 0.20), not a line, as
//  PAPER.md's own probe found; trained on to 30000 steps (seed 0) it ends
//  on a plane (0.71 / 0.29), still not a line. The ci variant below also
//  reaches 1.0 and shows the same 3-axis geometry; the harness reports the
//  geometry it finds.
//  paper: N 60, m 6, d 128, wd 3, 100 seeds, 10000 steps. P2's step count is
//  unknown; 10000 is inside the brief's 5000-30000 range and was chosen
//  because at ci scale the geometry of some runs still changes between 2000
//  and 8000 steps (3 axes -> 2), while 30000 x 100 runs would triple this
//  experiment's cost (~3 core-hours at ~5-10 ms/step). RE-audit covers
//  30000 steps.
//  ci: N 24, m 6, d 32, wd 3, 800 steps, 40 seeds. Chosen for cost (the
//  three experiments share ~150 core-seconds): N 24 keeps 4 tokens per
//  residue, d 32 is the trainer's calibrated width, and 800 steps is where
//  the clusters have collapsed (within-cluster share ~1 %) with test
//  accuracy 1.0. Run count chosen for power, before any ci run of this
//  file: with 40 runs the sign test needs >= 28 positives for p < 0.01 and
//  has power 0.82 if 75 % of runs are positive, so claim 1 is decided at ci.
//  Claim 2 is decided at ci by the same rule only if >= kMinLineRuns runs
//  form a line (exploratory runs at this scale formed none in 16, so it is
//  expected to be undecided).
//  smoke: N 12, m 6, d 8, 30 steps, 2 seeds.
//
//  nightly: the reconstructed defaults (N 60, m 6, d 128, wd 3), 2000
//  steps, 40 seeds (sign test: >= 28 of 40 positives for p < 0.01).
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/analysis/clusters.h"
#include "src/experiments/common.h"
#include "src/experiments/completeness_common.h"

namespace initrepro {
namespace {

constexpr double kLr = 0.01;          // PAPER.md (P1 code)
constexpr int64_t kMinLineRuns = 10;  // brief: fewer -> undecided

struct Design {
  int64_t n, m, dim, steps;
  double wd;
  int64_t seeds;
};

Design DesignFor(Tier tier) {
  switch (tier) {
    case Tier::kSmoke: return {12, 6, 8, 30, 3.0, 2};
    case Tier::kCi: return {24, 6, 32, 800, 3.0, 40};
    case Tier::kNightly: return {60, 6, 128, 2000, 3.0, 40};
    case Tier::kPaper: return {60, 6, 128, 10000, 3.0, 100};
  }
  return {};
}


struct RunAnalysis {
  int64_t seed = 0;
  double test_accuracy = 0;
  ClusterGeometry geometry;       // of the final cluster means
  PercentileResult gram;
  std::vector<int64_t> ordering;  // line runs only
  PercentileResult order;         // line runs only
};

using Analyses = ValidRuns<RunAnalysis>;

// One valid run's read-outs on its m cluster means (m x d) at
// initialisation and at the end: the final geometry, the Gram-alignment
// percentile (all m! relabellings) and, where a line forms, the chosen
// ordering and its line-R^2 percentile among the m!/2 orderings.
RunAnalysis AnalyzeRun(const RunRecord& r, const Design& d) {
  RunAnalysis a;
  a.seed = r.spec.params.at("seed").get<int64_t>();
  a.test_accuracy = FinalTestAccuracy(r);
  const Matrix mu0 = ClusterMeans(r.initial_embedding, d.m);
  const Matrix mu1 = ClusterMeans(r.final_embedding, d.m);
  a.geometry = FinalGeometry(r.final_embedding, mu1);
  a.gram = GramAlignmentPercentile(mu0, mu1, r.spec.config.seed);
  if (a.geometry.line) {
    a.ordering = ChosenOrdering(mu1);
    a.order = OrderingPercentile(mu0, a.ordering);
  }
  return a;
}

// The two percentile samples (claim 1: Gram, every run; claim 2: line R^2,
// line-forming runs) and the accuracies of the task check.
struct Aggregate {
  std::vector<double> acc;  // final test accuracy per run
  int64_t lines = 0;        // line-forming runs
  PercentileSample gram, order;
};
Aggregate AggregateRuns(const std::vector<RunAnalysis>& all) {
  Aggregate g;
  for (const RunAnalysis& a : all) {
    g.gram.Add(a.gram);
    g.acc.push_back(a.test_accuracy);
    if (a.geometry.line) {
      ++g.lines;
      g.order.Add(a.order);
    }
  }
  return g;
}

// Mean variance share per principal axis (m values) over the runs, and how
// many runs have >= 0.9 of the variance in their top 2 and top 3 axes: the
// geometry the runs form instead of a line.
struct GeometryCounts {
  std::vector<double> mean_shares;
  int64_t plane = 0, three = 0;
};
GeometryCounts CountGeometry(const std::vector<RunAnalysis>& all, int64_t m) {
  GeometryCounts c;
  c.mean_shares.assign(m, 0.0);
  for (const RunAnalysis& a : all) {
    const std::vector<double>& s = a.geometry.shares;
    for (int64_t i = 0; i < m; ++i) c.mean_shares[i] += s[i];
    if (s[0] + s[1] >= kLineThreshold) ++c.plane;
    if (s[0] + s[1] + s[2] >= kLineThreshold) ++c.three;
  }
  for (double& s : c.mean_shares) s /= std::max<size_t>(1, all.size());
  return c;
}

// data.columns / data.runs: one row per valid run; the ordering columns
// are null for runs that formed no line.
void AddRunTable(const std::vector<RunAnalysis>& all,
                 ExperimentResult* result) {
  result->data["columns"] = {
      "seed", "test_accuracy", "variance_shares", "line_score",
      "within_cluster_share", "gram_percentile", "gram_chosen_score",
      "gram_chosen_is_best", "line", "chosen_ordering", "order_percentile",
      "order_chosen_r2", "order_chosen_is_best"};
  nlohmann::json table = nlohmann::json::array();
  for (const RunAnalysis& a : all) {
    const ClusterGeometry& geo = a.geometry;
    table.push_back(
        {a.seed, a.test_accuracy, NumArray(geo.shares), Num(geo.line_score),
         Num(geo.within_share), Num(a.gram.percentile),
         Num(a.gram.chosen_score), a.gram.chosen_is_best, geo.line,
         geo.line ? nlohmann::json(a.ordering) : nlohmann::json(nullptr),
         geo.line ? Num(a.order.percentile) : nlohmann::json(nullptr),
         geo.line ? Num(a.order.chosen_score) : nlohmann::json(nullptr),
         geo.line ? nlohmann::json(a.order.chosen_is_best)
                  : nlohmann::json(nullptr)});
  }
  result->data["runs"] = table;
}

// The accuracy an all-negative classifier gets: 1 - 1/m.
double AllNegativeBaseline(const Design& d) {
  return 1.0 - 1.0 / static_cast<double>(d.m);
}

// data.accuracy, data.geometry and the two claims' stats.
void AddData(const std::vector<RunRecord>& runs, const Analyses& an,
             const Aggregate& g, const GeometryCounts& geo, const Design& d,
             double residual, ExperimentResult* result) {
  result->data["final_metrics"] = FinalMetricsSummary(runs);
  result->data["accuracy"] = {
      {"mean_test_accuracy", Num(MeanOrNan(g.acc))},
      {"min_test_accuracy", Num(MinOrNan(g.acc))},
      {"all_negative_baseline", AllNegativeBaseline(d)}};
  result->data["geometry"] = {{"mean_variance_shares", geo.mean_shares},
                              {"runs", an.runs.size()},
                              {"line_runs", g.lines},
                              {"top2_axes_ge_0.9", geo.plane},
                              {"top3_axes_ge_0.9", geo.three},
                              {"diverged_runs", an.diverged},
                              {"initial_left_over_factor", residual}};
  result->stats["gram"] =
      SignJson(Summarise(g.gram.results), g.gram.candidates);
  result->stats["line_r2"] =
      SignJson(Summarise(g.order.results), g.order.candidates);
}

std::string DesignText(const Design& d) {
  return absl::StrCat("N=", d.n, ", m=", d.m, ", d=", d.dim, ", wd=", d.wd,
                      ", ", d.steps, " steps, ", d.seeds,
                      " seeds (vary_all, seed = run index)");
}

// Claim 1: the identity relabelling's Gram-alignment percentile, per run.
ClaimTest GramClaim(const std::string& design, const PercentileSample& gram,
                    const RunTally& tally) {
  return PercentileSignClaim(
      {"RE-completeness/gram-alignment",
       "The chosen representation is more complete than average at "
       "initialisation (general Gram-alignment metric, all valid runs).",
       "Identity relabelling's percentile among all m! relabellings: mean "
       "percentile > 0.5 and one-sided sign test p < 0.01 (positives > "
       "0.5, negatives < 0.5, ties dropped)",
       design, "run"},
      gram, tally);
}

// Claim 2: the chosen ordering's line-R^2 percentile over line-forming
// runs; it cannot be measured with fewer than kMinLineRuns of them.
ClaimTest LineOrderingClaim(const std::string& design,
                            const PercentileSample& order, int64_t lines,
                            size_t valid_runs, const RunTally& tally) {
  ClaimTest c = PercentileSignClaim(
      {"RE-completeness/line-ordering",
       "Where the final clusters form a line, the chosen ordering is more "
       "complete (R^2 of an affine fit at initialisation) than average.",
       absl::StrCat(
           "Over valid runs with line score >= 0.9: chosen ordering's "
           "percentile among all m!/2 orderings, mean > 0.5 and one-sided "
           "sign test p < 0.01; undecided if fewer than ",
           kMinLineRuns, " runs form a line"),
       design, "line-forming run"},
      order, tally);
  c.observed["line_runs"] = lines;
  c.observed["valid_runs"] = valid_runs;
  if (lines < kMinLineRuns)
    c.cannot_measure = absl::StrCat(
        "Only ", lines, " of ", valid_runs,
        " valid runs formed a line (line score >= 0.9); at least ",
        kMinLineRuns, " are needed.");
  return c;
}

// Histogram of claim 1's percentiles, with the average candidate at 0.5.
Figure GramFigure(const PercentileSample& gram) {
  Figure hg = PercentileFigure(
      "gram_percentiles",
      absl::StrCat("RE-completeness: Gram-alignment percentile of the "
                   "chosen relabelling (",
                   Summarise(gram.results).n, " runs)"),
      "percentile among all relabellings", gram.finite, "all runs");
  hg.integer_y = true;
  hg.ref_lines = {{"x", 0.5, "average candidate (0.5)"}};
  hg.caption = "The claim: runs pile up right of 0.5, i.e. the chosen "
               "relabelling is more complete at init than the average one.";
  return hg;
}

// Histogram of claim 2's percentiles, with the average ordering at 0.5.
Figure LineFigure(const PercentileSample& order, int64_t lines,
                  size_t valid_runs) {
  Figure hl = PercentileFigure(
      "line_r2_percentiles",
      absl::StrCat("RE-completeness: line R^2 percentile of the "
                   "chosen ordering (",
                   lines, " line runs of ", valid_runs, ")"),
      "percentile among all m!/2 orderings", order.finite,
      "line-forming runs");
  hl.integer_y = true;
  hl.ref_lines = {{"x", 0.5, "average ordering (0.5)"}};
  hl.caption = "Over line-forming runs only: the chosen ordering's "
               "percentile should lie right of 0.5.";
  return hl;
}

// Variance share of principal axes 1..m-1 per run (a band around the mean)
// against the 0.9 line threshold.
Figure GeometryFigure(const std::vector<RunAnalysis>& all,
                      const GeometryCounts& counts, int64_t m) {
  Figure geo;
  geo.name = "geometry";
  geo.title = "RE-completeness: variance share of each principal axis of "
              "the final cluster means";
  geo.xlabel = "principal axis";
  geo.ylabel = "variance share";
  Series pts;
  pts.label = "runs";
  pts.style = "mean_band";
  Series mean;
  mean.label = "mean over runs";
  mean.style = "none";  // the band's own mean
  for (int64_t i = 0; i + 1 < m; ++i) {
    for (const RunAnalysis& a : all) {
      const double share = a.geometry.shares[i];
      pts.x.push_back(static_cast<double>(i + 1));
      pts.y.push_back(std::isfinite(share) ? share : 0.0);
    }
    mean.x.push_back(static_cast<double>(i + 1));
    mean.y.push_back(counts.mean_shares[i]);
  }
  Series thr;
  thr.label = "line threshold 0.9";
  thr.x = {1.0, static_cast<double>(m - 1)};
  thr.y = {kLineThreshold, kLineThreshold};
  thr.style = "hline";  // drawn across the whole plot
  geo.integer_x = true;
  geo.y_min = -0.05;
  geo.y_max = 1.05;
  geo.caption = "A line forms when the first axis holds >= 0.9 of the "
                "variance (dashed); where most runs sit below it the "
                "line-ordering claim has few runs to decide on.";
  if (!all.empty()) geo.series = {pts, mean, thr};
  return geo;
}

// Example runs: the first run (lowest seed) for the Gram metric; the first
// line-forming run for the line metric. Not selected by outcome.
void AddExampleFigures(const std::vector<RunAnalysis>& all,
                       ExperimentResult* result) {
  if (!all.empty() && !all.front().gram.scores.empty()) {
    result->figures.push_back(ScoreDistribution(
        "example_gram",
        absl::StrCat("RE-completeness: seed ", all.front().seed,
                     ", Gram alignment of every relabelling"),
        "Pearson r(G0, pi(G1)) off-diagonal", all.front().gram));
  }
  for (const RunAnalysis& a : all) {
    if (!a.geometry.line) continue;
    result->figures.push_back(ScoreDistribution(
        "example_line_r2",
        absl::StrCat("RE-completeness: seed ", a.seed, " (first line run), "
                     "initial R^2 of every ordering"),
        "R^2 of affine fit at initialisation", a.order));
    break;
  }
}

// Notes on the task check and the geometry the runs formed.
void AddTaskAndGeometryNotes(const Analyses& an, const Aggregate& g,
                             const GeometryCounts& geo, const Design& d,
                             ExperimentResult* result) {
  result->notes.push_back(absl::StrFormat(
      "Task check: mean final test accuracy %.4f (min %.4f); the "
      "all-negative baseline is 1 - 1/m = %.4f, so accuracy near 1 means "
      "the task was learned, not the majority label.",
      MeanOrNan(g.acc), MinOrNan(g.acc), AllNegativeBaseline(d)));
  std::vector<std::string> share_txt;
  for (int64_t i = 0; i + 1 < d.m; ++i)
    share_txt.push_back(absl::StrFormat("%.3f", geo.mean_shares[i]));
  result->notes.push_back(absl::StrCat(
      "Geometry: mean variance shares of the principal axes of the final "
      "cluster means ",
      absl::StrJoin(share_txt, " / "), ". ", g.lines, " of ", an.runs.size(),
      " runs formed a line (line score >= 0.9); the top 2 axes hold >= 0.9 "
      "in ",
      geo.plane, " runs and the top 3 in ", geo.three,
      " runs. P2's line is not the typical final geometry at this scale."));
}

// Notes on the two metrics' candidate sets and best-of counts, the initial
// left-over and divergences.
void AddMetricNotes(const Analyses& an, const Aggregate& g, double residual,
                    ExperimentResult* result) {
  const SignSummary gram = Summarise(g.gram.results);
  const SignSummary order = Summarise(g.order.results);
  const int64_t gram_candidates = g.gram.candidates;
  result->notes.push_back(absl::StrCat(
      "Gram metric: all ", gram_candidates,
      " relabellings enumerated (none sampled). Chosen relabelling was the "
      "single best in ",
      gram.best, " of ", gram.n, " runs (chance ",
      absl::StrFormat("%.4f", gram_candidates ? 1.0 / gram_candidates : 0.0),
      " per run)."));
  if (g.lines > 0) {
    result->notes.push_back(absl::StrCat(
        "Line metric: chosen ordering was the single best of ",
        g.order.candidates, " in ", order.best, " of ", order.n,
        " line runs."));
  } else {
    result->notes.push_back(
        "Line metric: no run formed a line, so no ordering was ranked and "
        "no example R^2 distribution is drawn.");
  }
  result->notes.push_back(absl::StrFormat(
      "Decoupled weight decay alone leaves (1 - lr wd)^steps = %.2g of the "
      "initial embedding in the final one; the Gram alignment is not a "
      "left-over of the initial values when this is negligible (at the "
      "smoke tier it is not, so its percentiles there are trivial).",
      residual));
  if (an.diverged > 0)
    result->notes.push_back(
        absl::StrCat(an.diverged, " runs diverged and were left out."));
}

class ReCompleteness : public Experiment {
 public:
  std::string Name() const override { return "RE-completeness"; }
  std::string Description() const override {
    return "Remainder equivalence [reconstructed]: percentile of the chosen "
           "representation's initial completeness (line R^2 where a line "
           "forms; Gram alignment always) (P2).";
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignFor(tier);
    std::vector<RunSpec> specs;
    for (int64_t s = 0; s < d.seeds; ++s) {
      RunSpec spec;
      TrainConfig& c = spec.config;
      c.task.name = "remainder";
      c.task.n = d.n;
      c.task.m = d.m;
      c.dim = d.dim;
      c.steps = d.steps;
      c.wd = d.wd;
      c.lr = kLr;
      c.mode = "vary_all";
      c.seed = static_cast<uint64_t>(s);
      c.log_every = std::max<int64_t>(1, d.steps / 10);
      spec.params = {{"seed", s}};
      specs.push_back(spec);
    }
    return specs;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design d = DesignFor(tier);
    // Settled: the same geometry signature at SettleStep and at the end.
    const Analyses an = AnalyzeValidRuns<RunAnalysis>(
        runs, [&](const Matrix& e) { return ReGeometrySignature(e, d.m); },
        [&](const RunRecord& r) { return AnalyzeRun(r, d); });
    const Aggregate g = AggregateRuns(an.runs);
    const GeometryCounts geo = CountGeometry(an.runs, d.m);
    const double residual = InitialLeftOverFactor(kLr, d.wd, d.steps);

    ExperimentResult result;
    AddRunTable(an.runs, &result);
    AddData(runs, an, g, geo, d, residual, &result);

    const std::string design = DesignText(d);
    result.claims.push_back(Decide(tier, GramClaim(design, g.gram, an.tally)));
    result.claims.push_back(
        Decide(tier, LineOrderingClaim(design, g.order, g.lines,
                                       an.runs.size(), an.tally)));

    result.figures.push_back(GramFigure(g.gram));
    result.figures.push_back(LineFigure(g.order, g.lines, an.runs.size()));
    result.figures.push_back(GeometryFigure(an.runs, geo, d.m));
    AddExampleFigures(an.runs, &result);

    AddTaskAndGeometryNotes(an, g, geo, d, &result);
    AddMetricNotes(an, g, residual, &result);
    return result;
  }
};

REGISTER_EXPERIMENT(ReCompleteness);

}  // namespace
}  // namespace initrepro
