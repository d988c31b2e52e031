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
// Claims (ClaimSpecs; PAPER.md rule, all reconstructed): mean percentile >
// 0.5 and one-sided sign test p < 0.01 (positives: percentile > 0.5,
// negatives: < 0.5, ties dropped).
//  gram-alignment      over all valid runs (Gram metric);
//  line-ordering       over the line-forming runs only (line R^2),
//                      undecided at any tier where fewer than kMinLineRuns
//                      runs form a line;
//  line-ordering-at-line-cell  the same at the line cell (PAPER.md
//                      "Reviewer 1's observations as claims": the cell of
//                      the committed RE-audit map of the same tier with the
//                      highest line fraction at weight decay 3, ties the
//                      smallest d), a variant of line-ordering, which stays
//                      the claim at the default cell beside it.
// The line cell is the design pair (line_cell_dim, line_cell_decay), same N
// and m. Until a tier's committed map picks a cell its preset is the main
// cell, and the variant is computed on the main runs and equals
// line-ordering; another cell adds `seeds` runs there (params "cell":
// "line"), cheap because a small d trains fast. Picked so far:
//   ci: d 2, wd 3, read off golden/RE-audit.ci.json (7e39046) by the rule:
//     line fractions at wd 3 were d 2: 3/3 = 1, d 4: 3/4, d 8: 0/4,
//     d 32: 0/64, so d 2 (set before the first run there).
//   nightly: d 2, wd 3, read off golden/RE-audit.nightly.json (eeb02cf):
//     line fractions at wd 3 were d 2: 2/2 (2 of 8 runs valid), d 3: 5/5,
//     d 4: 6/6, d 8: 6/8, d 16, 32: 0/8, d 128: 0/57; d 2, 3, 4 tie at 1,
//     so the smallest, d 2 (set before the first run there).
// The nightly line cell cannot decide its claim: 2 of its 8 map runs and
// 11 of its 40 own runs are valid (too_few_valid), and a pilot at 8000
// steps (session 6: `repro run RE-audit --tier=nightly --set dims=2 --set
// decays=3 --set seeds=16 --set default_seeds=1 --set default_dim=2 --set
// steps=8000 --set snapshots=2000,4000,6000`) left 12 of 16 untrained, so
// longer runs do not fix it: weight decay 3 at d 2 keeps most runs from
// fitting. PAPER.md's rule read a cell whose line fraction v2 calls no
// measurement (fewer than 80 % of its runs valid). So a variant claim,
// line-ordering-at-valid-line-cell (ours; declared with this design, before
// its first run), applies the same rule only to cells with >= 80 % of
// their runs valid; the PAPER.md claim stays beside it, unchanged.
//   ci: d 4, wd 3 (golden/RE-audit.ci.json at wd 3: d 2 1 with 3 of 4 runs
//     valid, excluded; d 4 0.75 with 4 of 4; d 8 0 of 4; d 32 0 of 64).
//   nightly: d 8, wd 3 (golden/RE-audit.nightly.json at wd 3: d 2, 3, 4
//     with 2, 5, 6 of 8 runs valid, excluded; d 8 0.75 with 8 of 8; d 16,
//     32 0 of 8; d 128 0 of 57).
//   smoke and paper: the main cell (no map of their own to read).
// Both the mean percentile and the fraction of runs whose chosen
// representation is the single best candidate are reported (reviewers:
// "exceeds the average but is not the maximum").
//
// Design per tier (Preset is the truth; N, m, d, wd, steps, seeds, line
// cell d, line cell wd, valid line cell d, valid line cell wd):
//   smoke    12, 6,   8, 3,    30,  2,   8, 3,   8, 3   plumbing only
//   ci       24, 6,  32, 3,   800, 40,   2, 3,   4, 3
//   nightly  60, 6, 128, 3,  2000, 40,   2, 3,   8, 3
//   paper    60, 6, 128, 3, 10000, 100, 128, 3, 128, 3
// Why these numbers.
//  Learning check (repro train, vary_all seed 0/1): the reconstructed
//  default (N 60, m 6, d 128, wd 3) reaches test accuracy 1.0 in 2000
//  steps (all-negative baseline 1 - 1/m = 0.833), but its six final cluster
//  means span three axes (shares 0.42 / 0.38 / 0.20), not a line, as
//  PAPER.md's own probe found; trained on to 30000 steps (seed 0) it ends
//  on a plane (0.71 / 0.29), still not a line. The ci variant below also
//  reaches 1.0 and shows the same 3-axis geometry; the harness reports the
//  geometry it finds.
//  paper: P2's step count is unknown; 10000 is inside the brief's
//  5000-30000 range and was chosen because at ci scale the geometry of some
//  runs still changes between 2000 and 8000 steps (3 axes -> 2), while
//  30000 x 100 runs would triple this experiment's cost (~3 core-hours at
//  ~5-10 ms/step). RE-audit covers 30000 steps.
//  ci: chosen for cost (the three clustered experiments share ~150
//  core-seconds): N 24 keeps 4 tokens per residue, d 32 is the trainer's
//  calibrated width, and 800 steps is where the clusters have collapsed
//  (within-cluster share ~1 %) with test accuracy 1.0. Run count chosen for
//  power, before any ci run of this file: with 40 runs the sign test needs
//  >= 28 positives for p < 0.01 and has power 0.82 if 75 % of runs are
//  positive.
//  nightly: the reconstructed defaults, 2000 steps, 40 seeds (sign test:
//  >= 28 of 40 positives for p < 0.01).
// What each tier decides. gram-alignment: decided at ci and nightly
// (reproduced in both goldens). line-ordering and its line-cell variant: no
// run formed a line at ci (0 of 40) or nightly, so both are undecided
// ("ceiling": fewer than kMinLineRuns line runs); at those tiers they exist
// to regress that path until a line cell where lines form is filled in.
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

// The design of one tier. (n, m, dim, wd) is the cell of the main claims;
// (line_cell_dim, line_cell_decay) the cell (same n and m) at which the
// line-ordering claim is decided as well (PAPER.md "Reviewer 1's
// observations": the RE-audit cell with the highest line fraction at weight
// decay 3). Its preset is the main cell, so the line-cell claim reuses the
// main runs; another cell adds `seeds` runs there.
struct Design {
  int64_t n, m, dim;
  double wd;
  int64_t steps, seeds;
  int64_t line_cell_dim;
  double line_cell_decay;
  // The valid line cell: the same rule over the map's cells with >= 80 %
  // of their runs valid (PAPER.md v2 item 2; header).
  int64_t valid_line_cell_dim;
  double valid_line_cell_decay;
};

const DesignSchema<Design>& Schema() {
  static const auto* schema =
      &(*new DesignSchema<Design>())
           .Int("n", &Design::n, 3, 4096, "tokens 0..N-1 (V = N)")
           .Int("m", &Design::m, 3, 10,
                "modulus: label 1 iff a = b (mod m); m clusters (m! "
                "relabellings enumerated up to m = 8, sampled above)")
           .Int("dim", &Design::dim, 2, 1024, "embedding width d")
           .Double("wd", &Design::wd, 0, 100, "decoupled weight decay")
           .Int("steps", &Design::steps, 1, 1000000, "training steps per run")
           .Int("seeds", &Design::seeds, 1, 10000,
                "runs per cell, vary_all with seed = run index")
           .Int("line_cell_dim", &Design::line_cell_dim, 2, 1024,
                "embedding width d of the line cell (the RE-audit cell with "
                "the highest line fraction at weight decay 3; preset: dim)")
           .Double("line_cell_decay", &Design::line_cell_decay, 0, 100,
                   "weight decay of the line cell (preset: wd)")
           .Int("valid_line_cell_dim", &Design::valid_line_cell_dim, 2, 1024,
                "embedding width d of the valid line cell (the line cell's "
                "rule over RE-audit cells with >= 80 % of runs valid; "
                "preset: dim)")
           .Double("valid_line_cell_decay", &Design::valid_line_cell_decay, 0,
                   100, "weight decay of the valid line cell (preset: wd)");
  return *schema;
}

// True when the line cell is the main cell: its claim reuses the main runs.
bool LineCellIsMain(const Design& d) {
  return d.line_cell_dim == d.dim && d.line_cell_decay == d.wd;
}

// True when the valid line cell is the main or the line cell, whose runs it
// then reads (a cell's runs are those trained at its d and weight decay).
bool ValidLineCellIsPlanned(const Design& d) {
  return (d.valid_line_cell_dim == d.dim && d.valid_line_cell_decay == d.wd) ||
         (d.valid_line_cell_dim == d.line_cell_dim &&
          d.valid_line_cell_decay == d.line_cell_decay);
}

constexpr char kGramClaim[] = "RE-completeness/gram-alignment";
constexpr char kLineClaim[] = "RE-completeness/line-ordering";
constexpr char kLineCellClaim[] = "RE-completeness/line-ordering-at-line-cell";
constexpr char kValidLineCellClaim[] =
    "RE-completeness/line-ordering-at-valid-line-cell";
constexpr char kPaper[] = "P2 (remainder equivalence)";

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

// The design of a cell in words: the main cell (dim, wd) or the line cell.
std::string DesignText(const Design& d, int64_t dim, double wd) {
  return absl::StrCat("N=", d.n, ", m=", d.m, ", d=", dim, ", wd=", wd, ", ",
                      d.steps, " steps, ", d.seeds,
                      " seeds (vary_all, seed = run index)");
}

ClaimSpec GramSpec() {
  return PercentileSignSpec(
      kGramClaim,
      "The chosen representation is more complete than average at "
      "initialisation (general Gram-alignment metric, all valid runs).",
      kPaper,
      "percentile of the identity relabelling among the m! relabellings of "
      "the clusters (all enumerated for m <= 8, 20000 uniform samples above) "
      "by Gram alignment (Pearson r of the off-diagonal initial and "
      "relabelled final Gram entries)",
      "run", "over valid runs");
}

ClaimSpec LineOrderingSpec() {
  return PercentileSignSpec(
      kLineClaim,
      "Where the final clusters form a line, the chosen ordering is more "
      "complete (R^2 of an affine fit at initialisation) than average.",
      kPaper,
      "percentile of the chosen ordering among all m!/2 orderings by the R^2 "
      "of an affine fit of the initial cluster means",
      "line-forming run",
      absl::StrCat("over valid runs with line score >= 0.9; undecided if "
                   "fewer than ",
                   kMinLineRuns, " runs form a line"));
}

// The line-ordering claim at a cell of the RE-audit map other than the
// default: `where` words the cell for the statement, `cell_rule` for the
// rule.
ClaimSpec LineOrderingAtCellSpec(const std::string& id,
                                 const std::string& where,
                                 const std::string& paper,
                                 const std::string& cell_rule) {
  ClaimSpec c = LineOrderingSpec();
  c.id = id;
  c.statement = absl::StrCat(
      "At the cell where lines form most often (weight decay 3)", where,
      ", the chosen ordering of line-forming runs is more complete (R^2 of an "
      "affine fit at initialisation) than average.");
  c.paper = paper;
  c.variant_of = kLineClaim;
  c.scope = absl::StrCat("over valid runs with line score >= 0.9 at ",
                         cell_rule, "; undecided if fewer than ", kMinLineRuns,
                         " runs form a line");
  return c;
}

// PAPER.md "Reviewer 1's observations as claims": decided at the RE-audit
// cell with the highest line fraction at weight decay 3, and at the
// default beside it.
ClaimSpec LineOrderingAtLineCellSpec() {
  ClaimSpec c = LineOrderingAtCellSpec(
      kLineCellClaim, "",
      "P2 (remainder equivalence); P2's reviews (Reviewer 1)",
      "the line cell (design fields line_cell_dim, line_cell_decay: the "
      "RE-audit cell of the same tier with the highest line fraction at "
      "weight decay 3, ties the smallest d)");
  // Header: what the next tier would not fix, said instead of sending the
  // user there (the paper tier has no map of its own and reads d 128).
  c.validity_finding =
      "at the nightly line cell (d 2, weight decay 3) most runs do not "
      "train: 11 of 40 were valid at 2000 steps, and a pilot at 8000 steps "
      "(session 6, the command is in RE-completeness's header) left 12 of "
      "16 untrained, so longer runs do not lift the share of valid runs; "
      "the paper tier reads its main cell (d 128), where no run forms a "
      "line. line-ordering-at-valid-line-cell applies the same rule to "
      "cells whose runs are valid";
  return c;
}

// Ours, declared in session 6 before its first run (header): PAPER.md's
// line-cell rule applied only to map cells whose line fraction is a
// measurement by v2's own rule (>= 80 % of planned runs valid). A variant
// beside the PAPER.md claim, never replacing it.
ClaimSpec LineOrderingAtValidLineCellSpec() {
  return LineOrderingAtCellSpec(
      kValidLineCellClaim, " among cells whose runs are valid",
      "ours, after P2's reviews (Reviewer 1) and PAPER.md's line cell",
      "the valid line cell (design fields valid_line_cell_dim, "
      "valid_line_cell_decay: the RE-audit cell of the same tier with the "
      "highest line fraction at weight decay 3 among cells with >= 80 % of "
      "their runs valid, ties the smallest d)");
}

// Claim 2 (and its line-cell variant): the chosen ordering's line-R^2
// percentile over line-forming runs; it cannot be measured with fewer than
// kMinLineRuns of them.
ClaimEvidence LineOrderingEvidence(const std::string& claim_id,
                                   const std::string& design,
                                   const PercentileSample& order,
                                   int64_t lines, size_t valid_runs,
                                   const RunTally& tally) {
  ClaimEvidence c = PercentileSignEvidence(claim_id, design, order, tally);
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
  const SignSummary sum = Summarise(gram.results);
  hg.caption = absl::StrCat(
      "Expected (the claim): runs pile up right of 0.5, i.e. the chosen "
      "relabelling is more complete at init than the average one. Here ",
      sum.positives, " of ", sum.n, " runs lie right of 0.5 and ",
      sum.negatives, " left of it.");
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
  const SignSummary sum = Summarise(order.results);
  hl.caption = absl::StrCat(
      "Over line-forming runs only (here ", lines, " of ", valid_runs,
      "): expected right of 0.5 (the claim)",
      lines > 0 ? absl::StrCat("; ", sum.positives, " of ", sum.n,
                               " lie right of it.")
                : "; no run formed a line, so nothing is drawn.");
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
  int64_t lines = 0;
  for (const RunAnalysis& a : all) lines += a.geometry.line ? 1 : 0;
  geo.caption = absl::StrCat(
      "A line forms when the first axis holds >= 0.9 of the variance "
      "(dashed); here ", lines, " of ", all.size(), " runs reach it",
      lines < kMinLineRuns
          ? absl::StrCat(", fewer than the ", kMinLineRuns,
                         " the line-ordering claim needs.")
          : ".");
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
      "Gram metric: ",
      g.gram.sampled ? absl::StrCat(gram_candidates - 1,
                                    " uniform relabellings sampled per run")
                     : absl::StrCat("all ", gram_candidates,
                                    " relabellings enumerated (none sampled)"),
      ". Chosen relabelling was the "
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

// The runs of one cell: seeds 0..seeds-1 at (dim, wd); `line_cell` tags the
// line cell's own runs (only planned when it is not the main cell).
std::vector<RunSpec> CellRuns(const Design& d, int64_t dim, double wd,
                              const std::string& cell) {
  std::vector<RunSpec> specs;
  for (int64_t s = 0; s < d.seeds; ++s) {
    RunSpec spec;
    TrainConfig& c = spec.config;
    c.task.name = "remainder";
    c.task.n = d.n;
    c.task.m = d.m;
    c.dim = dim;
    c.steps = d.steps;
    c.wd = wd;
    c.lr = kLr;
    c.mode = "vary_all";
    c.seed = static_cast<uint64_t>(s);
    c.log_every = std::max<int64_t>(1, d.steps / 10);
    spec.params = {{"seed", s}};
    if (!cell.empty()) spec.params["cell"] = cell;
    specs.push_back(spec);
  }
  return specs;
}

// The runs trained at one cell (d, weight decay); the cells of a design
// differ in one of the two, or are the same cell and share its runs.
std::vector<RunRecord> RunsAt(const std::vector<RunRecord>& runs, int64_t dim,
                              double wd) {
  std::vector<RunRecord> at;
  for (const RunRecord& r : runs)
    if (r.spec.config.dim == dim && r.spec.config.wd == wd) at.push_back(r);
  return at;
}

class ReCompleteness : public DesignedExperiment<Design> {
 public:
  std::string Name() const override { return "RE-completeness"; }
  std::string Description() const override {
    return "Remainder equivalence [reconstructed]: percentile of the chosen "
           "representation's initial completeness (line R^2 where a line "
           "forms; Gram alignment always) (P2).";
  }
  Design Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {12, 6, 8, 3.0, 30, 2, 8, 3.0, 8, 3.0};
      case Tier::kCi: return {24, 6, 32, 3.0, 800, 40, 2, 3.0, 4, 3.0};
      case Tier::kNightly:
        return {60, 6, 128, 3.0, 2000, 40, 2, 3.0, 8, 3.0};
      case Tier::kPaper:
        return {60, 6, 128, 3.0, 10000, 100, 128, 3.0, 128, 3.0};
    }
    return {};
  }
  const DesignSchema<Design>& Schema() const override {
    return initrepro::Schema();
  }
  std::vector<ClaimSpec> ClaimSpecs() const override {
    std::vector<ClaimSpec> specs = {GramSpec(), LineOrderingSpec(),
                                    LineOrderingAtLineCellSpec(),
                                    LineOrderingAtValidLineCellSpec()};
    // One unit per run, `seeds` runs per cell (the line cell's too).
    for (ClaimSpec& s : specs) s.scale_field = "seeds";
    return specs;
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignAt(tier);
    std::vector<RunSpec> specs = CellRuns(d, d.dim, d.wd, "");
    if (!LineCellIsMain(d)) {
      const std::vector<RunSpec> line =
          CellRuns(d, d.line_cell_dim, d.line_cell_decay, "line");
      specs.insert(specs.end(), line.begin(), line.end());
    }
    if (!ValidLineCellIsPlanned(d)) {
      const std::vector<RunSpec> valid = CellRuns(
          d, d.valid_line_cell_dim, d.valid_line_cell_decay, "valid_line");
      specs.insert(specs.end(), valid.begin(), valid.end());
    }
    return specs;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design d = DesignAt(tier);
    const std::vector<RunRecord> main_runs = RunsAt(runs, d.dim, d.wd);
    // Settled: the same geometry signature at SettleStep and at the end.
    auto signature = [&](const Matrix& e) {
      return ReGeometrySignature(e, d.m);
    };
    auto analyze = [&](const RunRecord& r) { return AnalyzeRun(r, d); };
    const Analyses an =
        AnalyzeValidRuns<RunAnalysis>(main_runs, signature, analyze);
    const Aggregate g = AggregateRuns(an.runs);
    const GeometryCounts geo = CountGeometry(an.runs, d.m);
    const double residual = InitialLeftOverFactor(kLr, d.wd, d.steps);

    ExperimentResult result;
    AddRunTable(an.runs, &result);
    AddData(main_runs, an, g, geo, d, residual, &result);

    const std::string design = DesignText(d, d.dim, d.wd);
    result.evidence.push_back(
        PercentileSignEvidence(kGramClaim, design, g.gram, an.tally));
    result.evidence.push_back(LineOrderingEvidence(
        kLineClaim, design, g.order, g.lines, an.runs.size(), an.tally));
    // The other cells' claims; a cell that is the main cell reuses its
    // analyses rather than analysing its runs again.
    auto add_cell = [&](const char* claim_id, const char* key, int64_t dim,
                        double wd) {
      const bool main = dim == d.dim && wd == d.wd;
      AddCell(claim_id, key, dim, wd,
              main ? an
                   : AnalyzeValidRuns<RunAnalysis>(RunsAt(runs, dim, wd),
                                                   signature, analyze),
              d, &result);
    };
    add_cell(kLineCellClaim, "line_cell", d.line_cell_dim, d.line_cell_decay);
    add_cell(kValidLineCellClaim, "valid_line_cell", d.valid_line_cell_dim,
             d.valid_line_cell_decay);

    result.figures.push_back(GramFigure(g.gram));
    result.figures.push_back(LineFigure(g.order, g.lines, an.runs.size()));
    result.figures.push_back(GeometryFigure(an.runs, geo, d.m));
    AddExampleFigures(an.runs, &result);

    AddTaskAndGeometryNotes(an, g, geo, d, &result);
    AddMetricNotes(an, g, residual, &result);
    return result;
  }

 private:
  // The line-ordering claim at one more cell (the line cell, the valid
  // line cell) from the analyses of its runs; its numbers go to data[key].
  void AddCell(const std::string& claim_id, const std::string& key,
               int64_t dim, double wd, const Analyses& an, const Design& d,
               ExperimentResult* result) const {
    const Aggregate g = AggregateRuns(an.runs);
    result->evidence.push_back(LineOrderingEvidence(
        claim_id, DesignText(d, dim, wd), g.order, g.lines, an.runs.size(),
        an.tally));
    result->data[key] = {
        {"dim", dim},
        {"wd", wd},
        {"same_runs_as_main_cell", dim == d.dim && wd == d.wd},
        {"runs", an.tally.ToJson()},
        {"line_runs", g.lines},
        {"line_r2", SignJson(Summarise(g.order.results), g.order.candidates)}};
  }
};

REGISTER_EXPERIMENT(ReCompleteness);

}  // namespace
}  // namespace initrepro
