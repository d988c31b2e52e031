// Helpers shared by the clustered-task experiments (RE-completeness,
// XOR-completeness, RE-audit): run validity, the percentile rule of PAPER.md
// as a claim spec and its evidence (the driver decides it), and the figures
// that show it.
#ifndef INITREPRO_SRC_EXPERIMENTS_COMPLETENESS_COMMON_H_
#define INITREPRO_SRC_EXPERIMENTS_COMPLETENESS_COMMON_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/analysis/clusters.h"
#include "src/core/matrix.h"
#include "src/harness/experiment.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {

// A double as JSON, with non-finite values as null.
nlohmann::json Num(double x);

// Share of the embedding's total variance (about the mean token) that lies
// within clusters (about the cluster means): ~0 when tokens collapsed.
double WithinClusterShare(const Matrix& e, const Matrix& means);

// The PAPER.md percentile rule's numbers over a set of runs (mean
// percentile, sign-test counts and p, ties excluded, and how often the
// chosen candidate is the single best). Numbers only: whether the rule holds
// is the verdict engine's to decide (src/verdict/verdict.h).
struct SignSummary {
  int64_t n = 0, positives = 0, negatives = 0, ties = 0, best = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();
  double p = std::numeric_limits<double>::quiet_NaN();
  double fraction_best = std::numeric_limits<double>::quiet_NaN();
};
SignSummary Summarise(const std::vector<const PercentileResult*>& results);
nlohmann::json SignJson(const SignSummary& s, int64_t candidates);

// One completeness metric's percentiles over a set of runs, gathered for
// the rule above: `results` feeds Summarise, `finite` (the percentiles that
// are numbers, in run order) is the sign test's unit table. All runs of one
// design rank the same candidate set, so `candidates` and `sampled` are
// those of the last result added.
struct PercentileSample {
  std::vector<const PercentileResult*> results;
  std::vector<double> finite;
  int64_t candidates = 0;
  bool sampled = false;
  // Keeps a pointer to `r`: it must outlive the sample.
  void Add(const PercentileResult& r);
};

// The PAPER.md percentile rule as a reconstructed claim spec: mean
// `quantity` > 0.5 and one-sided sign test p < 0.01 (positives > 0.5,
// negatives < 0.5, ties dropped), one unit per `unit`, `scope` saying which
// units enter. `quantity` names the percentile, e.g. "percentile of the
// chosen basis among all bases of GF(2)^k".
ClaimSpec PercentileSignSpec(const std::string& id,
                             const std::string& statement,
                             const std::string& paper,
                             const std::string& quantity,
                             const std::string& unit,
                             const std::string& scope);

// The evidence for a PercentileSignSpec claim: one row per unit of `sample`
// (its finite percentiles), the run tally, and the SignSummary numbers
// (SignJson) as observed data. Callers add claim-specific observed numbers
// or cannot_measure.
ClaimEvidence PercentileSignEvidence(const std::string& claim_id,
                                     const std::string& design,
                                     const PercentileSample& sample,
                                     const RunTally& tally);

// A histogram of per-run percentiles in [0, 1] ("runs" on the y axis),
// left without series when there are none.
Figure PercentileFigure(const std::string& name, const std::string& title,
                        const std::string& xlabel,
                        const std::vector<double>& percentiles,
                        const std::string& label);

// Share of the initial embedding that decoupled weight decay alone leaves
// after `steps` steps, (1 - lr wd)^steps, by repeated multiplication (no
// libm pow, whose bits may differ across machines). Non-negligible values
// mean a Gram alignment could be a left-over of the initial values.
double InitialLeftOverFactor(double lr, double wd, int64_t steps);

// Final test accuracy of a run (0 when no metrics were logged).
double FinalTestAccuracy(const RunRecord& run);

// Mean and minimum, NaN for no values (JSON: null via Num).
double MeanOrNan(const std::vector<double>& values);
double MinOrNan(const std::vector<double>& values);

// Values as a JSON array, non-finite ones as null.
nlohmann::json NumArray(const std::vector<double>& values);

// The remainder-equivalence line rule (PAPER.md): a line "forms" when the
// first principal axis of the final cluster means holds >= 0.9 of their
// variance.
inline constexpr double kLineThreshold = 0.9;

// Geometry of a remainder-equivalence run's final cluster means `means` (m
// x d) of its final embedding (N x d): variance share of every principal
// axis, the line score (first share), the within-cluster share of the
// embedding's variance (~0 when tokens collapsed) and whether a line forms.
struct ClusterGeometry {
  std::vector<double> shares;
  double line_score = 0, within_share = 0;
  bool line = false;
};
ClusterGeometry FinalGeometry(const Matrix& final_embedding,
                              const Matrix& means);

// Run validity for the clustered tasks (PAPER.md v2, item 2): "" when the
// run is trained (final test accuracy >= kTrainedAccuracy, common.h) and
// its measured representation settled, i.e. `signature` of its embedding is
// the same at SettleStep and at the end; else "diverged", "not_trained" or
// "not_settled".
std::string ClusteredExclusion(
    const RunRecord& run,
    const std::function<std::string(const Matrix& embedding)>& signature);

// The runs of a clustered-task experiment that are trained and settled
// (ClusteredExclusion with `signature`), each analysed by `analyze`, in
// run order; every run enters the tally, and divergences are counted for
// the notes.
template <typename Analysis>
struct ValidRuns {
  std::vector<Analysis> runs;
  RunTally tally;
  int64_t diverged = 0;
};
template <typename Analysis>
ValidRuns<Analysis> AnalyzeValidRuns(
    const std::vector<RunRecord>& runs,
    const std::function<std::string(const Matrix& embedding)>& signature,
    const std::function<Analysis(const RunRecord& run)>& analyze) {
  ValidRuns<Analysis> out;
  for (const RunRecord& r : runs) {
    const std::string why = ClusteredExclusion(r, signature);
    out.tally.Add(why);
    if (why == "diverged") ++out.diverged;
    if (!why.empty()) continue;
    out.runs.push_back(analyze(r));
  }
  return out;
}

// The remainder-equivalence geometry signature: how many principal axes of
// the centred cluster means it takes to reach 90 % of their variance, and,
// on a line (one axis), the chosen ordering.
std::string ReGeometrySignature(const Matrix& embedding, int64_t m);

// P2's hypercube (PAPER.md "Reviewer 1's observations as claims"): the
// surviving Walsh characters (values in 1..2^k-1, any order) are exactly k
// independent ones, i.e. k survivors of GF(2) rank k and no other survivor.
bool IsHypercube(const std::vector<int64_t>& survivors, int64_t k);

// Histogram of values in [0, 1] (10 bins; 1.0 in the last bin).
Series PercentileHistogram(const std::vector<double>& values,
                           const std::string& label);

// One run's candidate scores as a histogram, plus a vertical mark at the
// chosen candidate's score.
Figure ScoreDistribution(const std::string& name, const std::string& title,
                         const std::string& xlabel,
                         const PercentileResult& r);

}  // namespace initrepro

#endif  // INITREPRO_SRC_EXPERIMENTS_COMPLETENESS_COMMON_H_
