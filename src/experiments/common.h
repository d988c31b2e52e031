// Helpers shared by the experiments: configs, survival statistics, claims.
#ifndef INITREPRO_SRC_EXPERIMENTS_COMMON_H_
#define INITREPRO_SRC_EXPERIMENTS_COMMON_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "src/harness/experiment.h"
#include "src/stats/stats.h"

namespace initrepro {

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

// The sequence a, a*r, ... as P1's numpy.linspace(lo, hi, n).
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
// non-diverged runs in which k survived.
struct SurvivalPoint {
  int64_t group = 0, k = 0;
  double initial_signal = 0, survival_rate = 0;
};
std::vector<SurvivalPoint> SurvivalTable(const std::vector<RunRecord>& runs,
                                         const std::string& group_param);

// JSON forms for results.
nlohmann::json CorrelationJson(const Correlation& c);
nlohmann::json TTestJson(const TTest& t);

// Verdict words. At the smoke tier nothing is decided; at the ci tier an
// experiment states up front (in code, before any run) whether its design
// has the power to decide; the paper tier always decides.
std::string Verdict(Tier tier, bool ci_decides, bool rule_holds);
std::string ScaleNote(Tier tier, bool ci_decides, const std::string& design);

// A scatter series per group, for survival-style figures.
std::vector<Series> SurvivalSeries(const std::vector<SurvivalPoint>& points,
                                   const std::string& group_name);

// Mean of the final test losses and accuracies (non-diverged runs).
nlohmann::json FinalMetricsSummary(const std::vector<RunRecord>& runs);

}  // namespace initrepro

#endif  // INITREPRO_SRC_EXPERIMENTS_COMMON_H_
