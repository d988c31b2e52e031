// Helpers shared by the clustered-task experiments (RE-completeness,
// XOR-completeness, RE-audit): the percentile verdict rule of PAPER.md and
// the figures that show it.
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

namespace initrepro {

// A double as JSON, with non-finite values as null.
nlohmann::json Num(double x);

// Share of the embedding's total variance (about the mean token) that lies
// within clusters (about the cluster means): ~0 when tokens collapsed.
double WithinClusterShare(const Matrix& e, const Matrix& means);

// The PAPER.md percentile rule over a set of runs: mean percentile > 0.5
// and one-sided sign test p < 0.01 (ties excluded).
struct SignSummary {
  int64_t n = 0, positives = 0, negatives = 0, ties = 0, best = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();
  double p = std::numeric_limits<double>::quiet_NaN();
  double fraction_best = std::numeric_limits<double>::quiet_NaN();
  bool holds = false;
};
SignSummary Summarise(const std::vector<const PercentileResult*>& results);
nlohmann::json SignJson(const SignSummary& s, int64_t candidates);

// Run validity for the clustered tasks (PAPER.md v2, item 2): "" when the
// run is trained (final test accuracy >= 0.99) and its measured
// representation settled, i.e. `signature` of its embedding is the same at
// SettleStep and at the end; else "diverged", "not_trained" or
// "not_settled".
std::string ClusteredExclusion(
    const RunRecord& run,
    const std::function<std::string(const Matrix& embedding)>& signature);

// The remainder-equivalence geometry signature: how many principal axes of
// the centred cluster means it takes to reach 90 % of their variance, and,
// on a line (one axis), the chosen ordering.
std::string ReGeometrySignature(const Matrix& embedding, int64_t m);

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
