#include "src/experiments/completeness_common.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/analysis/walsh.h"
#include "src/experiments/common.h"
#include "src/stats/stats.h"

namespace initrepro {

nlohmann::json Num(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

double WithinClusterShare(const Matrix& e, const Matrix& means) {
  const int64_t m = means.rows;
  std::vector<double> grand(e.cols, 0.0);
  for (int64_t t = 0; t < e.rows; ++t)
    for (int64_t j = 0; j < e.cols; ++j) grand[j] += e.at(t, j);
  for (double& g : grand) g /= static_cast<double>(e.rows);
  double within = 0, total = 0;
  for (int64_t t = 0; t < e.rows; ++t) {
    for (int64_t j = 0; j < e.cols; ++j) {
      const double a = e.at(t, j) - means.at(t % m, j);
      const double b = e.at(t, j) - grand[j];
      within += a * a;
      total += b * b;
    }
  }
  return total > 0 ? within / total
                   : std::numeric_limits<double>::quiet_NaN();
}

SignSummary Summarise(const std::vector<const PercentileResult*>& results) {
  SignSummary s;
  std::vector<double> pct;
  for (const PercentileResult* r : results) {
    if (!std::isfinite(r->percentile)) continue;
    pct.push_back(r->percentile);
    if (r->percentile > 0.5) ++s.positives;
    else if (r->percentile < 0.5) ++s.negatives;
    else ++s.ties;
    if (r->chosen_is_best) ++s.best;
  }
  s.n = static_cast<int64_t>(pct.size());
  if (s.n == 0) return s;
  s.mean = Mean(pct);
  s.p = SignTestPGreater(s.positives, s.negatives);
  s.fraction_best = static_cast<double>(s.best) / s.n;
  return s;
}

nlohmann::json SignJson(const SignSummary& s, int64_t candidates) {
  return {{"runs", s.n},
          {"mean_percentile", Num(s.mean)},
          {"positives", s.positives},
          {"negatives", s.negatives},
          {"ties", s.ties},
          {"p_sign", Num(s.p)},
          {"fraction_chosen_is_best", Num(s.fraction_best)},
          {"chance_fraction_best",
           candidates > 0 ? Num(1.0 / candidates) : nlohmann::json(nullptr)}};
}

void PercentileSample::Add(const PercentileResult& r) {
  results.push_back(&r);
  if (std::isfinite(r.percentile)) finite.push_back(r.percentile);
  candidates = r.num_candidates;
  sampled = r.sampled;
}

ClaimSpec PercentileSignSpec(const std::string& id,
                             const std::string& statement,
                             const std::string& paper,
                             const std::string& quantity,
                             const std::string& unit,
                             const std::string& scope) {
  ClaimSpec c;
  c.id = id;
  c.statement = statement;
  c.paper = paper;
  c.reconstructed = true;
  c.statistic = Statistic::kSignTest;
  c.quantity = quantity;
  c.unit = unit;
  c.max_p = 0.01;
  c.scope = scope;
  return c;
}

ClaimEvidence PercentileSignEvidence(const std::string& claim_id,
                                     const std::string& design,
                                     const PercentileSample& sample,
                                     const RunTally& tally) {
  ClaimEvidence e;
  e.claim_id = claim_id;
  e.design = design;
  e.a = sample.finite;
  e.runs = tally;
  e.observed = SignJson(Summarise(sample.results), sample.candidates);
  return e;
}

Figure PercentileFigure(const std::string& name, const std::string& title,
                        const std::string& xlabel,
                        const std::vector<double>& percentiles,
                        const std::string& label) {
  Figure fig;
  fig.name = name;
  fig.title = title;
  fig.xlabel = xlabel;
  fig.ylabel = "runs";
  if (!percentiles.empty())
    fig.series.push_back(PercentileHistogram(percentiles, label));
  return fig;
}

double InitialLeftOverFactor(double lr, double wd, int64_t steps) {
  double residual = 1.0;
  for (int64_t t = 0; t < steps; ++t) residual *= 1.0 - lr * wd;
  return residual;
}

double FinalTestAccuracy(const RunRecord& run) {
  return run.metrics.empty() ? 0.0 : run.metrics.back().test_accuracy;
}

double MeanOrNan(const std::vector<double>& values) {
  return values.empty() ? std::numeric_limits<double>::quiet_NaN()
                        : Mean(values);
}

double MinOrNan(const std::vector<double>& values) {
  return values.empty() ? std::numeric_limits<double>::quiet_NaN()
                        : *std::min_element(values.begin(), values.end());
}

nlohmann::json NumArray(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (double v : values) out.push_back(Num(v));
  return out;
}

ClusterGeometry FinalGeometry(const Matrix& final_embedding,
                              const Matrix& means) {
  ClusterGeometry g;
  g.shares = PrincipalVarianceShares(means);
  g.line_score = g.shares.front();
  g.within_share = WithinClusterShare(final_embedding, means);
  g.line = std::isfinite(g.line_score) && g.line_score >= kLineThreshold;
  return g;
}

bool IsHypercube(const std::vector<int64_t>& survivors, int64_t k) {
  return static_cast<int64_t>(survivors.size()) == k &&
         Gf2Rank(survivors) == k;
}

Series PercentileHistogram(const std::vector<double>& values,
                           const std::string& label) {
  constexpr int kBins = 10;
  Series s;
  s.label = label;
  s.style = "boxes";
  std::vector<double> count(kBins, 0.0);
  for (double v : values) {
    int b = static_cast<int>(v * kBins);
    count[std::clamp(b, 0, kBins - 1)] += 1;
  }
  for (int b = 0; b < kBins; ++b) {
    s.x.push_back((b + 0.5) / kBins);
    s.y.push_back(count[b]);
  }
  return s;
}

Figure ScoreDistribution(const std::string& name, const std::string& title,
                         const std::string& xlabel,
                         const PercentileResult& r) {
  Figure fig;
  fig.name = name;
  fig.title = title;
  fig.xlabel = xlabel;
  fig.ylabel = "number of candidates";
  double lo = 0, hi = 0;
  bool first = true;
  for (double v : r.scores) {
    if (!std::isfinite(v)) continue;
    if (first || v < lo) lo = v;
    if (first || v > hi) hi = v;
    first = false;
  }
  if (first) return fig;
  // 24 bins over [lo, hi] plus one empty bin on each side, so that a
  // chosen score at either end is not drawn on the frame.
  constexpr int kInner = 24;
  constexpr int kBins = kInner + 2;
  const double width = hi > lo ? (hi - lo) / kInner : 1.0;
  lo -= width;
  std::vector<double> count(kBins, 0.0);
  for (double v : r.scores) {
    if (!std::isfinite(v)) continue;
    int b = static_cast<int>((v - lo) / width);
    count[std::clamp(b, 1, kBins - 2)] += 1;
  }
  Series hist;
  hist.label = absl::StrCat(r.sampled ? "" : "all ", r.num_candidates,
                            r.sampled ? " sampled" : "", " candidates");
  hist.style = "boxes";
  double top = 0;
  for (int b = 0; b < kBins; ++b) {
    hist.x.push_back(lo + (b + 0.5) * width);
    hist.y.push_back(count[b]);
    top = std::max(top, count[b]);
  }
  Series mark;
  mark.label = absl::StrFormat("chosen (percentile %.3f)", r.percentile);
  mark.style = "lines";
  mark.x = {r.chosen_score, r.chosen_score};
  mark.y = {0.0, top * 1.05};
  Series dot;
  dot.label = "chosen score";
  dot.x = {r.chosen_score};
  dot.y = {top * 1.05};
  fig.series = {hist, mark, dot};
  return fig;
}

std::string ClusteredExclusion(
    const RunRecord& run,
    const std::function<std::string(const Matrix& embedding)>& signature) {
  if (run.diverged) return "diverged";
  if (run.metrics.empty() || run.metrics.back().step != run.spec.config.steps ||
      run.metrics.back().test_accuracy < kTrainedAccuracy)
    return "not_trained";
  auto it = run.snapshots.find(SettleStep(run.spec.config.steps));
  if (it == run.snapshots.end() ||
      signature(it->second) != signature(run.final_embedding))
    return "not_settled";
  return "";
}

std::string ReGeometrySignature(const Matrix& embedding, int64_t m) {
  const Matrix mu = ClusterMeans(embedding, m);
  const std::vector<double> shares = PrincipalVarianceShares(mu);
  int64_t axes = 0;
  double total = 0;
  for (double s : shares) {
    if (!std::isfinite(s)) return "undefined";
    ++axes;
    total += s;
    if (total >= 0.9) break;
  }
  std::string out = absl::StrCat(axes, " axes");
  if (axes == 1)
    for (int64_t r : ChosenOrdering(mu)) absl::StrAppend(&out, " ", r);
  return out;
}

}  // namespace initrepro
