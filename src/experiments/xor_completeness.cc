// XOR-completeness (P2, multi-digit XOR) [reconstructed].
//
// Many seeds (mode vary_all, seed = run index). Per run, with cluster
// c = token mod 2^k: the Walsh-Hadamard signal of every character f of the
// cluster means at initialisation and at the end (WalshSignal), the
// surviving characters (final signal > 2 x mean over f = 0..2^k-1), whether
// they span GF(2)^k (Gf2Rank), the chosen basis (ChosenBasis: strongest
// independent survivors) and its percentile among all bases of GF(2)^k by
// summed initial signal (BasisPercentile), and the general Gram-alignment
// percentile of PAPER.md (identity relabelling among relabellings of the
// 2^k clusters; 16! is too many to enumerate, so 20000 uniform relabellings
// are sampled with the run's seed as sampling seed).
//
// Claims (ClaimSpecs, all reconstructed; the driver decides them):
//  1. survival vs initial signal, as MA-survival: Pearson r > 0 with p < 0.01.
//     Points are (run, f) for f = 1..2^k-1: x = initial signal of f in that
//     run, y = 1 if f survived in that run else 0 (a point-biserial r). With
//     vary_all every run has its own embedding, so there is no per-embedding
//     survival rate to average; pooling raw signals across runs is sound
//     because every run draws E ~ N(0, 1) at the same V and d.
//  2. Gram alignment, as RE-completeness: mean percentile > 0.5 and one-sided
//     sign test p < 0.01 (positives > 0.5, negatives < 0.5, ties dropped).
//  3. chosen basis: same rule on the basis percentile, over the runs whose
//     survivors span GF(2)^k (the others have no chosen basis; counted).
//  4. P2-hypercube (PAPER.md "Reviewer 1's observations as claims", declared
//     before its first run): the fraction of valid runs whose survivors are
//     exactly k independent characters (IsHypercube); reproduced when its
//     99 % Clopper-Pearson interval lies above 0.5 (HypercubeSpec says why
//     the engine's "at or above" decides the same).
// The fraction of runs whose survivors span GF(2)^k, and how often the
// survivors are exactly the k single-bit characters, are reported as data.
//
// Design per tier (Preset is the truth; k, V, d, steps, wd, seeds):
//   smoke    4, 16,   8,   30, 0.5,   2   plumbing only: decides nothing
//   ci       4, 16,  32, 1500, 0.5,  40
//   nightly  4, 64, 128, 5000, 0.5,  40
//   paper    4, 64, 128, 5000, 0.5, 100
// Scale choices.
//  Learning check (repro train, seeds 0/1, 1500 steps, d 32): k 4 at V 32
//  and at V 16 both reach test accuracy 1.0 (chance 1/16) with 4-5 clearly
//  surviving characters, not only single-bit ones, as PAPER.md's probe
//  found. At the defaults (V 64, d 128, 5000 steps, seeds 0/1): test
//  accuracy 1.0, five characters at ~17 and the rest at ~3, of which the
//  2 x mean rule keeps 4 and 5. k 3 was tried and rejected: with 4 strong
//  characters of 8 the "2 x mean" rule leaves none above threshold.
//  Finding, not a tuning: with k + 1 = 5 equally strong characters, PAPER.md's
//  fixed 2 x mean threshold sits at their own level, so it keeps 0-5 of them
//  and many runs' survivors do not span GF(2)^k; a largest-gap cut is
//  reported beside it as a diagnostic that no claim uses.
//  paper: PAPER.md defaults k 4, V 64 (r 4), d 128, wd 0.5, 100 seeds,
//  5000 steps. P2's step count is unknown; 5000 is inside the brief's range,
//  leaves (1 - lr wd)^5000 = 1e-11 of the initial embedding (so the Gram
//  alignment cannot be a left-over of the initial values), and at batch
//  3276 pairs a 30000-step run would cost ~4 x an MA run.
//  ci: k 4, V 16 (r 1: every token is its own cluster), d 32, wd 0.5, 1500
//  steps, 40 seeds, ~30 core-seconds. A labelled deviation for cost: at
//  V 32 (r 2) a step costs 4x as much (2.6 vs 0.63 ms), so 40 runs would
//  not fit the ci budget shared with RE-completeness and RE-audit. 1500
//  steps because decoupled decay alone leaves (1 - 0.005)^steps of the
//  initial embedding in the final one: 0.05 at 600 steps, 5e-4 at 1500, and
//  a non-negligible left-over would align G1 with G0 trivially.
//  Power at ci (stated before any ci run of this file): claim 1 from 600
//  (run, f) points; claims 2 and 3 with 40 runs (sign test needs >= 28
//  positives for p < 0.01; power 0.82 if 75 % of runs are positive).
//  nightly: the reconstructed defaults (k 4, V 64, d 128, wd 0.5), 5000
//  steps as the paper tier (kNightlySteps comes from MA-settling, which
//  measured modular addition, not this task), 40 seeds (the sign tests'
//  power, above).
// What each tier decides. smoke: nothing (plumbing and digests). ci: the
// effects are large (r 0.43, every percentile above 0.5), but 11 of 40 runs
// do not settle by 1500 steps, so every claim is undecided (too few valid
// runs). ci exists only to regress: signal-predicts-survival,
// gram-alignment, chosen-basis and P2-hypercube; nightly decides them.
// nightly (40 runs, ~0.27 core-hours) decides all four, 39 of 40 runs
// valid: claims 1-3 reproduced, P2-hypercube not reproduced (4 of 39 runs).
// `repro power XOR-completeness --tier=nightly` on that golden needs at
// most 17 runs for any claim (chosen-basis, 0.11 core-hours), so the 4
// core-hour re-plan kept the blessed 40-run design.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/analysis/clusters.h"
#include "src/analysis/walsh.h"
#include "src/experiments/common.h"
#include "src/experiments/completeness_common.h"

namespace initrepro {
namespace {

constexpr int64_t kGramSamples = 20000;
constexpr double kLr = 0.01;  // PAPER.md (P1 code)

struct Design {
  int64_t k, v, dim, steps;
  double wd;
  int64_t seeds;
};

const DesignSchema<Design>& Schema() {
  static const auto* schema =
      &(*new DesignSchema<Design>())
           .Int("k", &Design::k, 2, kMaxBasisK,
                "binary digits: 2^k clusters and classes (bases of GF(2)^k "
                "are enumerated up to k = 5)")
           .Int("v", &Design::v, 4, 4096,
                "tokens 0..V-1, V = r 2^k (a multiple of 2^k)")
           .Int("dim", &Design::dim, 2, 1024, "embedding width d")
           .Int("steps", &Design::steps, 1, 1000000, "training steps per run")
           .Double("wd", &Design::wd, 0, 100, "decoupled weight decay")
           .Int("seeds", &Design::seeds, 1, 10000,
                "runs, vary_all with seed = run index");
  return *schema;
}

constexpr char kSurvivalClaim[] = "XOR-completeness/signal-predicts-survival";
constexpr char kGramClaim[] = "XOR-completeness/gram-alignment";
constexpr char kBasisClaim[] = "XOR-completeness/chosen-basis";
constexpr char kHypercubeClaim[] = "XOR-completeness/P2-hypercube";
constexpr char kPaper[] = "P2 (multi-digit XOR)";

// Claim 1: point-biserial Pearson r over the pooled (run, f) points.
ClaimSpec SurvivalSpec() {
  ClaimSpec c;
  c.id = kSurvivalClaim;
  c.statement =
      "Walsh characters with a higher initial signal survive more often.";
  c.paper = kPaper;
  c.reconstructed = true;
  c.statistic = Statistic::kPearson;
  c.quantity = "(initial signal of f in a run, 1 if f survived in that run)";
  // Every run draws its own embedding (vary_all): rows of different runs
  // are independent draws, so pooling (run, f) rows is sound here.
  c.unit = "(run, f)";
  c.threshold = 0;
  c.max_p = 0.01;
  c.scope =
      "over all (run, f) of valid runs, f = 1..2^k-1 (rows pooled across "
      "runs: under vary_all every run draws its own embedding)";
  return c;
}

// Claim 2: the identity relabelling's Gram-alignment percentile, per run.
ClaimSpec GramSpec() {
  return PercentileSignSpec(
      kGramClaim,
      "The chosen representation is more complete than average at "
      "initialisation (general Gram-alignment metric).",
      kPaper,
      "percentile of the identity relabelling among relabellings of the 2^k "
      "clusters by Gram alignment (all (2^k)! enumerated up to k = 3, else "
      "20000 uniform samples per run, sampling seed = run seed)",
      "run", "over valid runs");
}

// Claim 3: the chosen basis's percentile among all bases of GF(2)^k, over
// the runs that have one; the others are counted, not dropped silently.
ClaimSpec BasisSpec() {
  return PercentileSignSpec(
      kBasisClaim,
      "The chosen axis set has a higher summed initial signal than the "
      "average basis of GF(2)^k.",
      kPaper,
      "percentile of the chosen basis among all bases of GF(2)^k by summed "
      "initial signal",
      "run with a spanning survivor set",
      "over valid runs whose survivors span GF(2)^k");
}

std::string Bits(int64_t f, int64_t k) {
  std::string s;
  for (int64_t b = k - 1; b >= 0; --b) s += ((f >> b) & 1) ? '1' : '0';
  return s;
}

// Diagnostic only, NOT PAPER.md's survival rule: the characters f >= 1
// above the largest ratio gap of their sorted final signals (descending,
// ties by smaller f; the gap after position i is s_i / s_{i+1}; the first
// largest gap wins). It shows whether the fixed "2 x mean" threshold cuts
// through a group of equally strong characters; no claim uses it.
std::vector<int64_t> GapSurvivors(const std::vector<double>& signal) {
  std::vector<int64_t> f;
  for (int64_t i = 1; i < static_cast<int64_t>(signal.size()); ++i)
    f.push_back(i);
  std::stable_sort(f.begin(), f.end(), [&](int64_t a, int64_t b) {
    return signal[a] > signal[b];
  });
  size_t cut = f.size();
  double best = 0;
  for (size_t i = 0; i + 1 < f.size(); ++i) {
    const double next = signal[f[i + 1]];
    const double ratio = next > 0 ? signal[f[i]] / next
                                  : std::numeric_limits<double>::infinity();
    if (ratio > best) {
      best = ratio;
      cut = i + 1;
    }
  }
  f.resize(cut);
  return f;
}

struct RunAnalysis {
  int64_t seed = 0;
  double test_accuracy = 0;
  std::vector<double> initial_signal, final_signal;
  std::vector<int64_t> survivors, basis, gap_survivors;
  int64_t rank = 0;
  bool spans = false, single_bits = false, gap_spans = false;
  bool hypercube = false;  // exactly k independent survivors (P2-hypercube)
  PercentileResult basis_pct, gram;
};

using Analyses = ValidRuns<RunAnalysis>;

// Settled: the same surviving Walsh characters at SettleStep and at the
// end (PAPER.md v2): a set, so characters that swap rank are still the
// same representation. The survivors of `e` (V x d), ascending, as
// "f1 f2 ... ".
std::string SurvivorSignature(const Matrix& e, int64_t clusters) {
  std::vector<int64_t> survivors =
      SurvivingCharacters(WalshSignal(ClusterMeans(e, clusters)));
  std::sort(survivors.begin(), survivors.end());
  std::string sig;
  for (int64_t f : survivors) absl::StrAppend(&sig, f, " ");
  return sig;
}

// True when the survivors are exactly the k single-bit characters (f a
// power of two), P2's "one axis per digit" picture.
bool SingleBitSurvivors(const std::vector<int64_t>& survivors, int64_t k) {
  if (static_cast<int64_t>(survivors.size()) != k) return false;
  for (int64_t f : survivors)
    if ((f & (f - 1)) != 0) return false;
  return true;
}

// One valid run's read-outs on its 2^k cluster means (2^k x d) at
// initialisation and at the end: Walsh signals (one per character f), the
// survivors and their GF(2) rank, the chosen basis's and the Gram
// alignment's percentiles. The Gram metric samples relabellings with the
// run's seed (16! is too many to enumerate).
RunAnalysis AnalyzeRun(const RunRecord& r, const Design& d) {
  const int64_t clusters = int64_t{1} << d.k;
  RunAnalysis a;
  a.seed = r.spec.params.at("seed").get<int64_t>();
  a.test_accuracy = FinalTestAccuracy(r);
  const Matrix mu0 = ClusterMeans(r.initial_embedding, clusters);
  const Matrix mu1 = ClusterMeans(r.final_embedding, clusters);
  a.initial_signal = WalshSignal(mu0);
  a.final_signal = WalshSignal(mu1);
  a.survivors = SurvivingCharacters(a.final_signal);
  a.rank = Gf2Rank(a.survivors);
  a.spans = a.rank == d.k;
  a.single_bits = SingleBitSurvivors(a.survivors, d.k);
  a.hypercube = IsHypercube(a.survivors, d.k);
  a.gap_survivors = GapSurvivors(a.final_signal);
  a.gap_spans = Gf2Rank(a.gap_survivors) == d.k;
  a.basis = ChosenBasis(a.survivors, d.k);
  a.basis_pct = BasisPercentile(a.initial_signal, a.basis, d.k);
  a.gram = GramAlignmentPercentile(mu0, mu1, r.spec.config.seed,
                                   /*max_enumerate=*/40320, kGramSamples);
  return a;
}

// Claim 1's unit table: one point per (run, f), f = 1..2^k-1, x = initial
// signal of f in that run, y = 1 if f survived in that run else 0.
struct SurvivalPoints {
  std::vector<double> x, y;
};
SurvivalPoints PooledSurvivalPoints(const std::vector<RunAnalysis>& all,
                                    int64_t clusters) {
  SurvivalPoints p;
  for (const RunAnalysis& a : all) {
    std::vector<bool> survived(clusters, false);
    for (int64_t f : a.survivors) survived[f] = true;
    for (int64_t f = 1; f < clusters; ++f) {
      p.x.push_back(a.initial_signal[f]);
      p.y.push_back(survived[f] ? 1.0 : 0.0);
    }
  }
  return p;
}

// Counts over the valid runs for the summary and notes, and the two
// percentile samples of claims 2 (Gram, every run) and 3 (basis, runs
// whose survivors span GF(2)^k, i.e. with a finite basis percentile).
struct Aggregate {
  std::vector<double> acc;  // final test accuracy per run
  std::map<int64_t, int64_t> survivor_counts, gap_counts;  // size -> runs
  int64_t spans = 0, single = 0, gap_spans = 0, hypercube = 0;
  PercentileSample gram, basis;
};
Aggregate AggregateRuns(const std::vector<RunAnalysis>& all) {
  Aggregate g;
  for (const RunAnalysis& a : all) {
    g.acc.push_back(a.test_accuracy);
    ++g.survivor_counts[static_cast<int64_t>(a.survivors.size())];
    ++g.gap_counts[static_cast<int64_t>(a.gap_survivors.size())];
    if (a.gap_spans) ++g.gap_spans;
    g.gram.Add(a.gram);
    if (a.spans) ++g.spans;
    if (a.single_bits) ++g.single;
    if (a.hypercube) ++g.hypercube;
    if (std::isfinite(a.basis_pct.percentile)) g.basis.Add(a.basis_pct);
  }
  return g;
}

// data.columns / data.runs: one row per valid run.
void AddRunTable(const std::vector<RunAnalysis>& all,
                 ExperimentResult* result) {
  result->data["columns"] = {
      "seed", "test_accuracy", "initial_signal", "final_signal",
      "survivors", "gf2_rank", "chosen_basis", "basis_percentile",
      "basis_chosen_is_best", "gram_percentile", "gram_chosen_is_best",
      "diagnostic_gap_survivors"};
  nlohmann::json table = nlohmann::json::array();
  for (const RunAnalysis& a : all) {
    table.push_back({a.seed, a.test_accuracy, a.initial_signal,
                     a.final_signal, a.survivors, a.rank, a.basis,
                     Num(a.basis_pct.percentile),
                     std::isfinite(a.basis_pct.percentile)
                         ? nlohmann::json(a.basis_pct.chosen_is_best)
                         : nlohmann::json(nullptr),
                     Num(a.gram.percentile), a.gram.chosen_is_best,
                     a.gap_survivors});
  }
  result->data["runs"] = table;
}

// Survivor-set sizes as {"size": runs}.
nlohmann::json CountsJson(const std::map<int64_t, int64_t>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [n, c] : counts) out[std::to_string(n)] = c;
  return out;
}

// data.summary: spanning, single-bit and hypercube fractions (NaN-free: null without
// runs), survivor-set sizes under the PAPER.md and the diagnostic gap rule.
nlohmann::json Summary(const Analyses& an, const Aggregate& g,
                       const Design& d, double residual) {
  const size_t runs = an.runs.size();
  const double n_runs = static_cast<double>(std::max<size_t>(1, runs));
  auto fraction = [&](int64_t count) {
    return runs == 0 ? nlohmann::json(nullptr) : Num(count / n_runs);
  };
  return {{"runs", runs},
          {"diverged_runs", an.diverged},
          {"fraction_spanning", fraction(g.spans)},
          {"fraction_single_bit_survivors", fraction(g.single)},
          {"hypercube_runs", g.hypercube},
          {"fraction_hypercube", fraction(g.hypercube)},
          {"runs_by_survivor_count", CountsJson(g.survivor_counts)},
          {"diagnostic_gap_rule",
           {{"runs_by_count", CountsJson(g.gap_counts)},
            {"fraction_spanning", fraction(g.gap_spans)}}},
          {"chance_accuracy", 1.0 / static_cast<double>(int64_t{1} << d.k)},
          {"initial_left_over_factor", residual}};
}

std::string DesignText(const Design& d) {
  return absl::StrCat("k=", d.k, ", V=", d.v, ", d=", d.dim, ", wd=", d.wd,
                      ", ", d.steps, " steps, ", d.seeds,
                      " seeds (vary_all, seed = run index)");
}

// Claim 4 (PAPER.md "Reviewer 1's observations as claims", declared before
// its first run): P2's "the clusters form a hypercube", a fraction of runs.
// PAPER.md: reproduced when the interval lies *above* 0.5; the engine's
// fraction rule is "at or above" (inclusive) for every fraction claim, and
// it stays so. The two agree here because a 99 % Clopper-Pearson lower end
// is never exactly 0.5 (xor_completeness_test checks every n <= 400), so
// the threshold is 0.5 itself, the engine unchanged, and the not_reproduced
// side (the whole interval below 0.5) as for every fraction claim.
ClaimSpec HypercubeSpec() {
  ClaimSpec c;
  c.id = kHypercubeClaim;
  c.statement = "The clusters form a hypercube: the surviving Walsh "
                "characters are exactly k independent ones.";
  c.paper = "P2 (multi-digit XOR); P2's reviews (Reviewer 1)";
  c.reconstructed = true;
  c.statistic = Statistic::kFraction;
  c.side = Side::kGreater;
  c.quantity =
      "valid runs whose surviving Walsh characters are exactly k independent "
      "ones (k survivors of GF(2) rank k and no other survivor)";
  c.unit = "run";
  c.threshold = 0.5;
  c.scope =
      "over valid (trained and settled) runs; PAPER.md asks the interval to "
      "lie above 0.5, which is the same here: a 99 % Clopper-Pearson lower "
      "end is never exactly 0.5";
  return c;
}

// Claim 4's evidence: one {hypercube runs, valid runs} count.
ClaimEvidence HypercubeEvidence(const std::string& design,
                                const Aggregate& g, int64_t valid_runs,
                                const RunTally& tally) {
  ClaimEvidence c;
  c.claim_id = kHypercubeClaim;
  c.design = design;
  c.counts = {{g.hypercube, valid_runs}};
  c.runs = tally;
  c.observed = {{"hypercube_runs", g.hypercube},
                {"valid_runs", valid_runs},
                {"single_bit_runs", g.single},
                {"spanning_runs", g.spans}};
  return c;
}

// Claim 3's evidence: also how many valid runs had no basis.
ClaimEvidence BasisEvidence(const std::string& design,
                            const PercentileSample& basis, int64_t valid_runs,
                            const RunTally& tally) {
  ClaimEvidence c = PercentileSignEvidence(kBasisClaim, design, basis, tally);
  c.observed["runs_without_basis"] =
      valid_runs - Summarise(basis.results).n;
  return c;
}

// The survival rate in 10 bins of equal count (points sorted by signal,
// ties by input order): x = mean signal of the bin, y = its survival rate.
Series DecileSurvivalRate(const SurvivalPoints& p) {
  std::vector<size_t> order(p.x.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p.x[a] < p.x[b]; });
  Series binned;
  binned.label = "survival rate (deciles of signal)";
  binned.style = "linespoints";
  constexpr size_t kBins = 10;
  for (size_t b = 0; b < kBins; ++b) {
    const size_t lo = b * order.size() / kBins;
    const size_t hi = (b + 1) * order.size() / kBins;
    if (hi <= lo) continue;
    double sx = 0, sy = 0;
    for (size_t i = lo; i < hi; ++i) {
      sx += p.x[order[i]];
      sy += p.y[order[i]];
    }
    binned.x.push_back(sx / (hi - lo));
    binned.y.push_back(sy / (hi - lo));
  }
  return binned;
}

// Figure for claim 1: the raw 0/1 (run, f) points of the valid runs and the
// decile rate; title and caption say how many runs it draws and what the
// rate did (issue 19: the title said "all runs").
Figure SurvivalFigure(const SurvivalPoints& p, const RunTally& tally) {
  Figure fs;
  fs.name = "survival";
  fs.title = absl::StrCat(
      "XOR-completeness: survival vs initial Walsh signal (", tally.valid,
      " valid runs of ", tally.planned, ")");
  fs.xlabel = "initial signal of character f";
  fs.ylabel = "survived (0/1); survival rate per bin";
  fs.caption = "Expected (claim 1): the survival rate per signal bin rises "
               "with the character's initial Walsh signal.";
  if (!p.x.empty()) {
    Series raw;
    raw.label = "(run, f)";
    raw.x = p.x;
    raw.y = p.y;
    const Series rate = DecileSurvivalRate(p);
    fs.series = {raw, rate};
    absl::StrAppend(
        &fs.caption,
        absl::StrFormat(" Here it goes from %.2f in the lowest decile to "
                        "%.2f in the highest.",
                        rate.y.front(), rate.y.back()));
  }
  fs.y_min = -0.05;
  fs.y_max = 1.05;
  fs.legend = "right";
  return fs;
}

// A series of one value per character f = 0..clusters-1.
Series PerCharacter(const std::string& label,
                    const std::vector<double>& signal, int64_t clusters) {
  Series s;
  s.label = label;
  s.style = "linespoints";
  for (int64_t f = 0; f < clusters; ++f) {
    s.x.push_back(static_cast<double>(f));
    s.y.push_back(signal[f]);
  }
  return s;
}

// One run's initial and final Walsh signal per character, the 2 x mean
// survival threshold across the plot and the survivors marked.
Figure ExampleWalshFigure(const RunAnalysis& a, int64_t clusters) {
  Figure fw;
  fw.name = "example_walsh";
  fw.title = absl::StrCat("XOR-completeness: seed ", a.seed,
                          ", Walsh signal per character");
  fw.xlabel = "character f";
  fw.ylabel = "signal";
  double mean = 0;
  for (int64_t f = 0; f < clusters; ++f) mean += a.final_signal[f];
  mean /= static_cast<double>(clusters);
  Series thr, surv;
  surv.label = "final, survivors";
  for (int64_t f : a.survivors) {
    surv.x.push_back(static_cast<double>(f));
    surv.y.push_back(a.final_signal[f]);
  }
  thr.label = "survival threshold (2 x mean final)";
  thr.x = {0.0, static_cast<double>(clusters - 1)};
  thr.y = {2 * mean, 2 * mean};
  thr.style = "hline";  // across the whole plot
  fw.series = {PerCharacter("initial", a.initial_signal, clusters),
               PerCharacter("final", a.final_signal, clusters), thr};
  fw.integer_x = true;
  fw.caption = "One example run (the lowest seed, not chosen by "
               "outcome): characters above the dashed threshold "
               "survived.";
  if (!surv.x.empty()) fw.series.push_back(surv);
  return fw;
}

// Example figures of one run (the first, lowest seed, not selected by
// outcome): its Walsh signals, and the candidate distributions behind its
// basis (if it has one) and Gram percentiles.
void AddExampleFigures(const RunAnalysis& a, int64_t clusters,
                       ExperimentResult* result) {
  result->figures.push_back(ExampleWalshFigure(a, clusters));
  if (std::isfinite(a.basis_pct.percentile)) {
    result->figures.push_back(ScoreDistribution(
        "example_basis",
        absl::StrCat("XOR-completeness: seed ", a.seed,
                     ", summed initial signal of every basis"),
        "summed initial signal", a.basis_pct));
  }
  result->figures.push_back(ScoreDistribution(
      "example_gram",
      absl::StrCat("XOR-completeness: seed ", a.seed,
                   ", Gram alignment of sampled relabellings"),
      "Pearson r(G0, pi(G1)) off-diagonal", a.gram));
}

// Figures in report order: survival, the two percentile histograms, and
// the example run's figures.
void AddFigures(const Analyses& an, const Aggregate& g,
                const SurvivalPoints& points, int64_t clusters,
                ExperimentResult* result) {
  result->figures.push_back(SurvivalFigure(points, an.tally));
  result->figures.push_back(PercentileFigure(
      "basis_percentiles",
      absl::StrCat("XOR-completeness: chosen basis percentile (",
                   Summarise(g.basis.results).n,
                   " runs with a spanning survivor set)"),
      "percentile among all bases by summed initial signal", g.basis.finite,
      "runs"));
  result->figures.push_back(PercentileFigure(
      "gram_percentiles",
      absl::StrCat("XOR-completeness: Gram-alignment percentile (",
                   Summarise(g.gram.results).n, " runs)"),
      "percentile among sampled relabellings", g.gram.finite, "runs"));
  if (!an.runs.empty()) AddExampleFigures(an.runs.front(), clusters, result);
}

// "c runs with n, ..." over survivor-set sizes n.
std::string CountsText(const std::map<int64_t, int64_t>& counts) {
  std::vector<std::string> txt;
  for (const auto& [n, c] : counts)
    txt.push_back(absl::StrCat(c, " runs with ", n));
  return absl::StrJoin(txt, ", ");
}

// Notes on the task check and the survivor sets (PAPER.md rule, the
// diagnostic gap rule, the example run's survivors as bit strings).
void AddSurvivorNotes(const Analyses& an, const Aggregate& g, const Design& d,
                      ExperimentResult* result) {
  const int64_t clusters = int64_t{1} << d.k;
  result->notes.push_back(absl::StrFormat(
      "Task check: mean final test accuracy %.4f (min %.4f); chance is "
      "1/2^k = %.4f.",
      MeanOrNan(g.acc), MinOrNan(g.acc), 1.0 / static_cast<double>(clusters)));
  result->notes.push_back(absl::StrCat(
      "Survivors: ", CountsText(g.survivor_counts),
      " surviving characters; they span GF(2)^", d.k, " in ", g.spans, " of ",
      an.runs.size(), " runs and are exactly the ", d.k,
      " single-bit characters in ", g.single, " runs."));
  result->notes.push_back(absl::StrCat(
      "Diagnostic (not PAPER.md's rule, used by no claim): cutting the "
      "sorted final signals at their largest ratio gap instead of at 2 x "
      "mean gives ",
      CountsText(g.gap_counts), " strong characters, spanning GF(2)^", d.k,
      " in ", g.gap_spans, " of ", an.runs.size(),
      " runs. When k + 1 characters share the signal, 2 x mean (which "
      "includes them) sits close to their level, so the fixed rule can "
      "drop some of them."));
  if (!an.runs.empty()) {
    std::vector<std::string> s;
    for (int64_t f : an.runs.front().survivors) s.push_back(Bits(f, d.k));
    result->notes.push_back(absl::StrCat("Example (seed ",
                                         an.runs.front().seed,
                                         ") survivors: ",
                                         absl::StrJoin(s, ", "), "."));
  }
}

// Notes on the method: per-run survival points, the percentile metrics'
// candidate sets and best-of counts, the initial left-over, divergences.
void AddMethodNotes(const Analyses& an, const Aggregate& g, double residual,
                    ExperimentResult* result) {
  const SignSummary gram = Summarise(g.gram.results);
  const SignSummary basis = Summarise(g.basis.results);
  result->notes.push_back(absl::StrCat(
      "Survival claim uses per-run points (x = initial signal of f in that "
      "run, y = survived 0/1; point-biserial Pearson r), since under "
      "vary_all no two runs share an embedding."));
  result->notes.push_back(absl::StrCat(
      "Gram metric: ", g.gram.candidates - 1,
      " uniform relabellings sampled per run (2^k! is too many to "
      "enumerate), sampling seed = run seed; chosen was the single best in ",
      gram.best, " of ", gram.n, " runs. Chosen basis was the single best "
      "of ",
      g.basis.candidates, " bases in ", basis.best, " of ", basis.n,
      " runs."));
  result->notes.push_back(absl::StrFormat(
      "Decoupled weight decay alone leaves (1 - lr wd)^steps = %.2g of the "
      "initial embedding in the final one; the Gram alignment is not a "
      "left-over of the initial values when this is negligible.",
      residual));
  if (an.diverged > 0)
    result->notes.push_back(
        absl::StrCat(an.diverged, " runs diverged and were left out."));
}

class XorCompleteness : public DesignedExperiment<Design> {
 public:
  std::string Name() const override { return "XOR-completeness"; }
  std::string Description() const override {
    return "Multi-digit XOR [reconstructed]: survival of each Walsh character "
           "vs its initial signal; percentile of the chosen basis and Gram "
           "alignment (P2).";
  }
  Design Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {4, 16, 8, 30, 0.5, 2};
      case Tier::kCi: return {4, 16, 32, 1500, 0.5, 40};
      case Tier::kNightly: return {4, 64, 128, 5000, 0.5, 40};
      case Tier::kPaper: return {4, 64, 128, 5000, 0.5, 100};
    }
    return {};
  }
  const DesignSchema<Design>& Schema() const override {
    return initrepro::Schema();
  }
  std::vector<ClaimSpec> ClaimSpecs() const override {
    std::vector<ClaimSpec> specs = {SurvivalSpec(), GramSpec(), BasisSpec(),
                                    HypercubeSpec()};
    // Units are runs (or (run, f) rows): `seeds` runs.
    for (ClaimSpec& s : specs) s.scale_field = "seeds";
    return specs;
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (int64_t s = 0; s < d.seeds; ++s) {
      RunSpec spec;
      TrainConfig& c = spec.config;
      c.task.name = "xor";
      c.task.k = d.k;
      c.task.v = d.v;
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
    const Design d = DesignAt(tier);
    const int64_t clusters = int64_t{1} << d.k;
    // Settled: the same survivors at SettleStep and at the end (PAPER.md v2).
    const Analyses an = AnalyzeValidRuns<RunAnalysis>(
        runs,
        [&](const Matrix& e) { return SurvivorSignature(e, clusters); },
        [&](const RunRecord& r) { return AnalyzeRun(r, d); });
    const SurvivalPoints points = PooledSurvivalPoints(an.runs, clusters);
    const Aggregate g = AggregateRuns(an.runs);
    const double residual = InitialLeftOverFactor(kLr, d.wd, d.steps);

    ExperimentResult result;
    AddRunTable(an.runs, &result);
    result.data["final_metrics"] = FinalMetricsSummary(runs);
    result.data["summary"] = Summary(an, g, d, residual);
    result.stats["survival_pearson"] = CorrelationJson(Pearson(points.x, points.y));
    result.stats["survival_spearman"] =
        CorrelationJson(Spearman(points.x, points.y));
    result.stats["gram"] =
        SignJson(Summarise(g.gram.results), g.gram.candidates);
    result.stats["basis"] =
        SignJson(Summarise(g.basis.results), g.basis.candidates);

    const std::string design = DesignText(d);
    ClaimEvidence survival;
    survival.claim_id = kSurvivalClaim;
    survival.design = design;
    survival.x = points.x;
    survival.y = points.y;
    survival.runs = an.tally;
    result.evidence.push_back(survival);
    result.evidence.push_back(
        PercentileSignEvidence(kGramClaim, design, g.gram, an.tally));
    result.evidence.push_back(BasisEvidence(
        design, g.basis, static_cast<int64_t>(an.runs.size()), an.tally));
    result.evidence.push_back(HypercubeEvidence(
        design, g, static_cast<int64_t>(an.runs.size()), an.tally));

    AddFigures(an, g, points, clusters, &result);
    AddSurvivorNotes(an, g, d, &result);
    AddMethodNotes(an, g, residual, &result);
    return result;
  }
};

REGISTER_EXPERIMENT(XorCompleteness);

}  // namespace
}  // namespace initrepro
