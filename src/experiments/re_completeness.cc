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

constexpr double kLineThreshold = 0.9;  // PAPER.md: a line "forms"
constexpr double kLr = 0.01;            // PAPER.md (P1 code)
constexpr int64_t kMinLineRuns = 10;     // brief: fewer -> undecided

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
  std::vector<double> shares;
  double line_score = 0, within_share = 0;
  bool line = false;
  PercentileResult gram;
  std::vector<int64_t> ordering;  // line runs only
  PercentileResult order;         // line runs only
};

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
    std::vector<RunAnalysis> all;
    int64_t diverged = 0;
    RunTally tally;
    for (const RunRecord& r : runs) {
      const std::string why = ClusteredExclusion(
          r, [&](const Matrix& e) { return ReGeometrySignature(e, d.m); });
      tally.Add(why);
      if (why == "diverged") ++diverged;
      if (!why.empty()) continue;
      RunAnalysis a;
      a.seed = r.spec.params.at("seed").get<int64_t>();
      a.test_accuracy =
          r.metrics.empty() ? 0.0 : r.metrics.back().test_accuracy;
      const Matrix mu0 = ClusterMeans(r.initial_embedding, d.m);
      const Matrix mu1 = ClusterMeans(r.final_embedding, d.m);
      a.shares = PrincipalVarianceShares(mu1);
      a.line_score = a.shares.front();
      a.within_share = WithinClusterShare(r.final_embedding, mu1);
      a.line = std::isfinite(a.line_score) && a.line_score >= kLineThreshold;
      a.gram = GramAlignmentPercentile(mu0, mu1, r.spec.config.seed);
      if (a.line) {
        a.ordering = ChosenOrdering(mu1);
        a.order = OrderingPercentile(mu0, a.ordering);
      }
      all.push_back(std::move(a));
    }

    std::vector<const PercentileResult*> gram_results, order_results;
    std::vector<double> gram_pct, order_pct, acc;
    int64_t gram_candidates = 0, order_candidates = 0, lines = 0;
    for (const RunAnalysis& a : all) {
      gram_results.push_back(&a.gram);
      gram_candidates = a.gram.num_candidates;
      if (std::isfinite(a.gram.percentile))
        gram_pct.push_back(a.gram.percentile);
      acc.push_back(a.test_accuracy);
      if (a.line) {
        ++lines;
        order_results.push_back(&a.order);
        order_candidates = a.order.num_candidates;
        if (std::isfinite(a.order.percentile))
          order_pct.push_back(a.order.percentile);
      }
    }
    const SignSummary gram = Summarise(gram_results);
    const SignSummary order = Summarise(order_results);

    ExperimentResult result;
    // Per-run table.
    result.data["columns"] = {
        "seed", "test_accuracy", "variance_shares", "line_score",
        "within_cluster_share", "gram_percentile", "gram_chosen_score",
        "gram_chosen_is_best", "line", "chosen_ordering", "order_percentile",
        "order_chosen_r2", "order_chosen_is_best"};
    nlohmann::json table = nlohmann::json::array();
    for (const RunAnalysis& a : all) {
      nlohmann::json shares = nlohmann::json::array();
      for (double s : a.shares) shares.push_back(Num(s));
      table.push_back(
          {a.seed, a.test_accuracy, shares, Num(a.line_score),
           Num(a.within_share), Num(a.gram.percentile),
           Num(a.gram.chosen_score), a.gram.chosen_is_best, a.line,
           a.line ? nlohmann::json(a.ordering) : nlohmann::json(nullptr),
           a.line ? Num(a.order.percentile) : nlohmann::json(nullptr),
           a.line ? Num(a.order.chosen_score) : nlohmann::json(nullptr),
           a.line ? nlohmann::json(a.order.chosen_is_best)
                  : nlohmann::json(nullptr)});
    }
    result.data["runs"] = table;
    result.data["final_metrics"] = FinalMetricsSummary(runs);
    const double baseline = 1.0 - 1.0 / static_cast<double>(d.m);
    result.data["accuracy"] = {
        {"mean_test_accuracy", Num(acc.empty() ? NAN : Mean(acc))},
        {"min_test_accuracy",
         Num(acc.empty() ? NAN : *std::min_element(acc.begin(), acc.end()))},
        {"all_negative_baseline", baseline}};
    // Mean variance share per principal axis.
    std::vector<double> mean_shares(d.m, 0.0);
    int64_t plane = 0, three = 0;
    for (const RunAnalysis& a : all) {
      for (int64_t i = 0; i < d.m; ++i) mean_shares[i] += a.shares[i];
      if (a.shares[0] + a.shares[1] >= kLineThreshold) ++plane;
      if (a.shares[0] + a.shares[1] + a.shares[2] >= kLineThreshold) ++three;
    }
    for (double& s : mean_shares) s /= std::max<size_t>(1, all.size());
    result.data["geometry"] = {
        {"mean_variance_shares", mean_shares},
        {"runs", all.size()},
        {"line_runs", lines},
        {"top2_axes_ge_0.9", plane},
        {"top3_axes_ge_0.9", three},
        {"diverged_runs", diverged}};
    result.stats["gram"] = SignJson(gram, gram_candidates);
    result.stats["line_r2"] = SignJson(order, order_candidates);

    const std::string design = absl::StrCat(
        "N=", d.n, ", m=", d.m, ", d=", d.dim, ", wd=", d.wd, ", ", d.steps,
        " steps, ", d.seeds, " seeds (vary_all, seed = run index)");
    ClaimTest c1;
    c1.id = "RE-completeness/gram-alignment";
    c1.statement =
        "The chosen representation is more complete than average at "
        "initialisation (general Gram-alignment metric, all valid runs).";
    c1.rule =
        "Identity relabelling's percentile among all m! relabellings: mean "
        "percentile > 0.5 and one-sided sign test p < 0.01 (positives > "
        "0.5, negatives < 0.5, ties dropped)";
    c1.design = design;
    c1.statistic = Statistic::kSignTest;
    c1.unit = "run";
    c1.max_p = 0.01;
    c1.a = gram_pct;
    c1.runs = tally;
    c1.observed = SignJson(gram, gram_candidates);
    c1.observed.erase("p");
    c1.reconstructed = true;
    result.claims.push_back(Decide(tier, c1));

    ClaimTest c2;
    c2.id = "RE-completeness/line-ordering";
    c2.statement =
        "Where the final clusters form a line, the chosen ordering is more "
        "complete (R^2 of an affine fit at initialisation) than average.";
    c2.rule = absl::StrCat(
        "Over valid runs with line score >= 0.9: chosen ordering's "
        "percentile among all m!/2 orderings, mean > 0.5 and one-sided sign "
        "test p < 0.01; undecided if fewer than ",
        kMinLineRuns, " runs form a line");
    c2.design = design;
    c2.statistic = Statistic::kSignTest;
    c2.unit = "line-forming run";
    c2.max_p = 0.01;
    c2.a = order_pct;
    c2.runs = tally;
    c2.observed = SignJson(order, order_candidates);
    c2.observed.erase("p");
    c2.observed["line_runs"] = lines;
    c2.observed["valid_runs"] = all.size();
    if (lines < kMinLineRuns)
      c2.cannot_measure = absl::StrCat(
          "Only ", lines, " of ", all.size(),
          " valid runs formed a line (line score >= 0.9); at least ",
          kMinLineRuns, " are needed.");
    c2.reconstructed = true;
    result.claims.push_back(Decide(tier, c2));

    // Figures.
    Figure hg;
    hg.name = "gram_percentiles";
    hg.title = absl::StrCat("RE-completeness: Gram-alignment percentile of the "
                            "chosen relabelling (", gram.n, " runs)");
    hg.xlabel = "percentile among all relabellings";
    hg.ylabel = "runs";
    if (!gram_pct.empty())
      hg.series.push_back(PercentileHistogram(gram_pct, "all runs"));
    hg.integer_y = true;
    hg.ref_lines = {{"x", 0.5, "average candidate (0.5)"}};
    hg.caption = "The claim: runs pile up right of 0.5, i.e. the chosen "
                 "relabelling is more complete at init than the average one.";
    result.figures.push_back(hg);

    Figure hl;
    hl.name = "line_r2_percentiles";
    hl.title = absl::StrCat("RE-completeness: line R^2 percentile of the "
                            "chosen ordering (", lines, " line runs of ",
                            all.size(), ")");
    hl.xlabel = "percentile among all m!/2 orderings";
    hl.ylabel = "runs";
    if (!order_pct.empty())
      hl.series.push_back(PercentileHistogram(order_pct, "line-forming runs"));
    hl.integer_y = true;
    hl.ref_lines = {{"x", 0.5, "average ordering (0.5)"}};
    hl.caption = "Over line-forming runs only: the chosen ordering's "
                 "percentile should lie right of 0.5.";
    result.figures.push_back(hl);

    Figure geo;
    geo.name = "geometry";
    geo.title = "RE-completeness: variance share of each principal axis of "
                "the final cluster means";
    geo.xlabel = "principal axis";
    geo.ylabel = "variance share";
    Series pts;
    pts.label = "runs";
    Series mean;
    mean.label = "mean over runs";
    mean.style = "linespoints";
    for (int64_t i = 0; i + 1 < d.m; ++i) {
      for (const RunAnalysis& a : all) {
        pts.x.push_back(static_cast<double>(i + 1));
        pts.y.push_back(std::isfinite(a.shares[i]) ? a.shares[i] : 0.0);
      }
      mean.x.push_back(static_cast<double>(i + 1));
      mean.y.push_back(mean_shares[i]);
    }
    Series thr;
    thr.label = "line threshold 0.9";
    thr.style = "lines";
    thr.x = {1.0, static_cast<double>(d.m - 1)};
    thr.y = {kLineThreshold, kLineThreshold};
    thr.style = "hline";  // drawn across the whole plot
    pts.style = "mean_band";
    mean.style = "none";  // the band's own mean
    geo.integer_x = true;
    geo.y_min = -0.05;
    geo.y_max = 1.05;
    geo.caption = "A line forms when the first axis holds >= 0.9 of the "
                  "variance (dashed); where most runs sit below it the "
                  "line-ordering claim has few runs to decide on.";
    if (!all.empty()) geo.series = {pts, mean, thr};
    result.figures.push_back(geo);

    // Example runs: the first run (lowest seed) for the Gram metric; the
    // first line-forming run for the line metric. Not selected by outcome.
    if (!all.empty() && !all.front().gram.scores.empty()) {
      result.figures.push_back(ScoreDistribution(
          "example_gram",
          absl::StrCat("RE-completeness: seed ", all.front().seed,
                       ", Gram alignment of every relabelling"),
          "Pearson r(G0, pi(G1)) off-diagonal", all.front().gram));
    }
    for (const RunAnalysis& a : all) {
      if (!a.line) continue;
      result.figures.push_back(ScoreDistribution(
          "example_line_r2",
          absl::StrCat("RE-completeness: seed ", a.seed, " (first line run), "
                       "initial R^2 of every ordering"),
          "R^2 of affine fit at initialisation", a.order));
      break;
    }

    // Notes.
    result.notes.push_back(absl::StrFormat(
        "Task check: mean final test accuracy %.4f (min %.4f); the "
        "all-negative baseline is 1 - 1/m = %.4f, so accuracy near 1 means "
        "the task was learned, not the majority label.",
        acc.empty() ? NAN : Mean(acc),
        acc.empty() ? NAN : *std::min_element(acc.begin(), acc.end()),
        baseline));
    std::vector<std::string> share_txt;
    for (int64_t i = 0; i + 1 < d.m; ++i)
      share_txt.push_back(absl::StrFormat("%.3f", mean_shares[i]));
    result.notes.push_back(absl::StrCat(
        "Geometry: mean variance shares of the principal axes of the final "
        "cluster means ",
        absl::StrJoin(share_txt, " / "), ". ", lines, " of ", all.size(),
        " runs formed a line (line score >= 0.9); the top 2 axes hold >= 0.9 "
        "in ",
        plane, " runs and the top 3 in ", three,
        " runs. P2's line is not the typical final geometry at this scale."));
    result.notes.push_back(absl::StrCat(
        "Gram metric: all ", gram_candidates,
        " relabellings enumerated (none sampled). Chosen relabelling was the "
        "single best in ",
        gram.best, " of ", gram.n, " runs (chance ",
        absl::StrFormat("%.4f", gram_candidates ? 1.0 / gram_candidates : 0.0),
        " per run)."));
    if (lines > 0) {
      result.notes.push_back(absl::StrCat(
          "Line metric: chosen ordering was the single best of ",
          order_candidates, " in ", order.best, " of ", order.n,
          " line runs."));
    } else {
      result.notes.push_back(
          "Line metric: no run formed a line, so no ordering was ranked and "
          "no example R^2 distribution is drawn.");
    }
    // (1 - lr wd)^steps by repeated multiplication (no libm pow: bits).
    double residual = 1.0;
    for (int64_t t = 0; t < d.steps; ++t)
      residual *= 1.0 - kLr * d.wd;
    result.data["geometry"]["initial_left_over_factor"] = residual;
    result.notes.push_back(absl::StrFormat(
        "Decoupled weight decay alone leaves (1 - lr wd)^steps = %.2g of the "
        "initial embedding in the final one; the Gram alignment is not a "
        "left-over of the initial values when this is negligible (at the "
        "smoke tier it is not, so its percentiles there are trivial).",
        residual));
    if (diverged > 0)
      result.notes.push_back(
          absl::StrCat(diverged, " runs diverged and were left out."));
    return result;
  }
};

REGISTER_EXPERIMENT(ReCompleteness);

}  // namespace
}  // namespace initrepro
