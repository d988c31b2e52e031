// Helpers shared by the experiments: configs, survival statistics, claims.
#ifndef INITREPRO_SRC_EXPERIMENTS_COMMON_H_
#define INITREPRO_SRC_EXPERIMENTS_COMMON_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "src/harness/experiment.h"
#include "src/stats/stats.h"
#include "src/verdict/verdict.h"

namespace initrepro {

// The nightly tier's step count (PAPER.md "Designs (v3)", item 1): the step
// by which >= 95 % of runs have settled at the d used, read off MA-settling's
// paper-tier settling study (golden/MA-settling.paper.json: p 59, 30000
// steps, survivor set every 250 steps, fix_embedding and vary_all). At
// d = 128 (16 runs) the settling steps are 500, 750 x4, 1000 x3, 2000,
// 2250 x2, 2500, 3000, 4500, 4750 and 11500: 95 % of 16 runs is all 16, so
// step_95 = 11500 (15 of 16 settle by 4750; one changes its survivor set
// after step 9000, the count every earlier nightly golden was trained at).
// At d = 16, 32, 64 (6 runs each) step_95 is 1250, 750, 750, so every
// nightly run at d <= 64 is long enough at this count too; one count is
// kept for every d because each nightly experiment that varies d also
// trains d = 128. It raises the tier's cost by 28 % over 9000: the nightly
// designs must be re-planned (repro power) to fit the 4 core-hour budget
// before their next run; until then the committed nightly goldens are of
// the old designs (9000 steps, result format 2).
inline constexpr int64_t kNightlySteps = 11500;

// The claim that lets a nightly verdict read off survivor sets at
// kNightlySteps speak for P1's 30000-step runs (MA-horizon: fresh runs, at
// this count).
inline constexpr char kHorizonClaim[] = "MA-horizon/nightly-equals-paper";

// `specs` with nightly_depends_on = kHorizonClaim: for the claims of an
// experiment whose nightly runs train kNightlySteps and whose claims read
// their final survivor sets.
std::vector<ClaimSpec> AtNightlyHorizon(std::vector<ClaimSpec> specs);

// Modular addition with P1's settings except the scale knobs.
TrainConfig MaConfig(int64_t p, int64_t dim, int64_t steps);

// The embedding the config's seeds draw (before any experiment edits it).
Matrix DrawnEmbedding(const TrainConfig& config);

// Per-run points (x = initial S_k of the run's own embedding, y = 1 if k
// survived else 0) over k = 1..(p-1)/2, for runs whose embeddings differ.
void PerRunSurvivalPoints(const std::vector<const RunRecord*>& runs,
                          std::vector<double>* x, std::vector<double>* y);

// Jaccard similarity of two circle sets (1 when both are empty).
double Jaccard(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// n evenly spaced values from lo to hi inclusive (arithmetic, as P1's
// numpy.linspace(lo, hi, n)).
std::vector<double> Linspace(double lo, double hi, int64_t n);

// P1's fix_embedding sweep: reference seeds s0 = 0..seeds-1 fix the
// embedding, trials t = 0..trials-1 (seed 1000 + t) vary the MLP and split.
// params: {"reference_seed": s0, "trial": t}.
std::vector<RunSpec> FixEmbeddingSweep(int64_t p, int64_t dim, int64_t steps,
                                       int64_t seeds, int64_t trials);

// Surviving circle set (k in 1..(p-1)/2) of a final embedding, PAPER.md rule.
std::vector<int64_t> SurvivorsOf(const Matrix& final_embedding);

// Runs grouped by an integer key of their params (e.g. reference seed).
std::map<int64_t, std::vector<const RunRecord*>> GroupBy(
    const std::vector<RunRecord>& runs, const std::string& param);

// Per-(group, k) survival table: initial signal (of the group's first run;
// the same for all of them when the embedding is fixed) and the fraction of
// the group's valid runs (MaExclusion: trained and settled) in which k
// survived; a group with no valid run gives no points. One row per (group, k): the unit of every survival claim.
struct SurvivalPoint {
  int64_t group = 0, k = 0;
  double initial_signal = 0, survival_rate = 0;
  int64_t runs = 0;  // valid runs behind the rate
};
std::vector<SurvivalPoint> SurvivalTable(const std::vector<RunRecord>& runs,
                                         const std::string& group_param,
                                         RunTally* tally = nullptr);

// Pooled survival rate per equal-width bin of initial S_k (`bins` bins over
// the points' range; empty bins skipped), as a "rate" series: x = bin
// centre, y = survivals / valid runs, trials = valid runs, drawn with 95 %
// Clopper-Pearson bars. A reading aid beside the per-(group, k) points, not
// a unit of any test.
Series BinnedSurvivalRate(const std::vector<SurvivalPoint>& points,
                          int bins);

// JSON forms for results.
nlohmann::json CorrelationJson(const Correlation& c);
nlohmann::json TTestJson(const TTest& t);

// Run validity (PAPER.md "Verdicts (v2)", item 2). A run enters a claim
// about final representations only if it is trained (final test accuracy
// >= kTrainedAccuracy) and settled (the same survivor set at SettleStep and
// at the end). Returns "" for a valid run, else the reason it is excluded:
// "diverged", "not_trained", "not_settled" or, for a trained run with no
// circle above the 2 x mean threshold (a failed measurement, never "0
// circles"), "no_circle".
inline constexpr double kTrainedAccuracy = 0.99;
bool Trained(const RunRecord& run);
std::string MaExclusion(const RunRecord& run);

// True when two survivor lists hold the same frequencies. SurvivorsOf lists
// them strongest first, and two circles that swap rank are still the same
// representation: settledness is about the set (PAPER.md v2).
bool SameSurvivorSet(std::vector<int64_t> a, std::vector<int64_t> b);

// Survivor set of the run's embedding at SettleStep (empty if not stored).
std::vector<int64_t> SettleSurvivorsOf(const RunRecord& run);

// The run's settling step (MA-settling): the first of its recorded S_k
// steps (RunSpec::signal_steps) from which the survivor set equals the
// final embedding's at every later recorded step; the run's step count
// when even the last recorded set differs.
int64_t SettlingStep(const RunRecord& run);

// PAPER.md: a step count is long enough once >= 95 % of trained runs have
// settled by it.
inline constexpr double kSettledShare = 0.95;

// Per recorded step t = 0, every, ..., horizon: the share of `sorted_steps`
// (settling steps of trained runs, ascending) that are <= t, as a "lines"
// series labelled `label`. *step_95 is the first t whose share is >=
// kSettledShare, -1 when none is (or there are no runs; the shares are 0).
Series SettledShareSeries(const std::vector<int64_t>& sorted_steps,
                          int64_t horizon, int64_t every, std::string label,
                          int64_t* step_95);

// Why a run is left out of an analysis that measures settling (and so does
// not require it): "diverged", "not_trained", or "" for a trained run.
std::string TrainingExclusion(const RunRecord& run);

// The counting rule's ceiling: n equally strong circles are all counted
// only while n < p / 4. The largest countable n.
int64_t CircleCountCeiling(int64_t p);

// Valid runs of `runs` (MaExclusion == ""), with the tally of all of them.
std::vector<const RunRecord*> ValidMaRuns(const std::vector<RunRecord>& runs,
                                          RunTally* tally);

// A scatter series per group, for survival-style figures.
std::vector<Series> SurvivalSeries(const std::vector<SurvivalPoint>& points,
                                   const std::string& group_name);

// Mean of the final test losses and accuracies (non-diverged runs).
nlohmann::json FinalMetricsSummary(const std::vector<RunRecord>& runs);

}  // namespace initrepro

#endif  // INITREPRO_SRC_EXPERIMENTS_COMMON_H_
