// Helpers shared by the clustered-task experiments (RE-completeness,
// XOR-completeness, RE-audit): the percentile verdict rule of PAPER.md and
// the figures that show it.
#ifndef INITREPRO_SRC_EXPERIMENTS_COMPLETENESS_COMMON_H_
#define INITREPRO_SRC_EXPERIMENTS_COMPLETENESS_COMMON_H_

#include <cstdint>
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
