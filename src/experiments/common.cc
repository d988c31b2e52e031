#include "src/experiments/common.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "src/analysis/circles.h"
#include "src/analysis/fourier.h"
#include "src/model/params.h"

namespace initrepro {

TrainConfig MaConfig(int64_t p, int64_t dim, int64_t steps) {
  TrainConfig c;
  c.task.name = "modadd";
  c.task.p = p;
  c.dim = dim;
  c.steps = steps;
  c.log_every = std::max<int64_t>(1, steps / 20);
  return c;
}

std::vector<ClaimSpec> AtNightlyHorizon(std::vector<ClaimSpec> specs) {
  for (ClaimSpec& s : specs) s.nightly_depends_on = kHorizonClaim;
  return specs;
}

Matrix DrawnEmbedding(const TrainConfig& config) {
  const ParamLayout layout(ShapeFor(config).value());
  return EmbeddingOf(layout, DrawInitialParams(layout, config));
}

void PerRunSurvivalPoints(const std::vector<const RunRecord*>& runs,
                          std::vector<double>* x, std::vector<double>* y) {
  for (const RunRecord* r : runs) {
    if (!MaExclusion(*r).empty()) continue;
    const std::vector<double> signal = FourierSignal(r->initial_embedding);
    const std::vector<int64_t> survivors = SurvivorsOf(r->final_embedding);
    const int64_t p = r->initial_embedding.rows;
    for (int64_t k = 1; k <= (p - 1) / 2; ++k) {
      x->push_back(signal[k]);
      y->push_back(std::count(survivors.begin(), survivors.end(), k) ? 1.0
                                                                      : 0.0);
    }
  }
}

double Jaccard(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  int64_t both = 0;
  for (int64_t k : a) both += std::count(b.begin(), b.end(), k) ? 1 : 0;
  const int64_t either = static_cast<int64_t>(a.size() + b.size()) - both;
  return either == 0 ? 1.0 : static_cast<double>(both) / either;
}

std::vector<double> Linspace(double lo, double hi, int64_t n) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) {
    // numpy: lo + i * step, with the last point exactly hi.
    v[i] = (n == 1) ? lo : lo + i * ((hi - lo) / (n - 1));
  }
  if (n > 1) v[n - 1] = hi;
  return v;
}

std::vector<RunSpec> FixEmbeddingSweep(int64_t p, int64_t dim, int64_t steps,
                                       int64_t seeds, int64_t trials) {
  std::vector<RunSpec> specs;
  for (int64_t s0 = 0; s0 < seeds; ++s0) {
    for (int64_t t = 0; t < trials; ++t) {
      RunSpec spec;
      spec.config = MaConfig(p, dim, steps);
      spec.config.mode = "fix_embedding";
      spec.config.init_seed = s0;
      spec.config.seed = 1000 + t;
      spec.params = {{"reference_seed", s0}, {"trial", t}};
      specs.push_back(spec);
    }
  }
  return specs;
}

std::vector<int64_t> SurvivorsOf(const Matrix& final_embedding) {
  return SurvivingCircles(FourierSignal(final_embedding));
}

int64_t SettlingStep(const RunRecord& r) {
  const std::vector<int64_t> final_set = SurvivorsOf(r.final_embedding);
  int64_t settled = r.spec.config.steps;
  for (auto it = r.signals.rbegin(); it != r.signals.rend(); ++it) {
    if (!SameSurvivorSet(SurvivingCircles(it->second), final_set)) break;
    settled = it->first;
  }
  return settled;
}

Series SettledShareSeries(const std::vector<int64_t>& sorted_steps,
                          int64_t horizon, int64_t every, std::string label,
                          int64_t* step_95) {
  Series s;
  s.label = std::move(label);
  s.style = "lines";
  *step_95 = -1;
  for (int64_t t = 0; t <= horizon; t += every) {
    const int64_t done =
        std::upper_bound(sorted_steps.begin(), sorted_steps.end(), t) -
        sorted_steps.begin();
    const double share = sorted_steps.empty()
                             ? 0.0
                             : static_cast<double>(done) / sorted_steps.size();
    s.x.push_back(t);
    s.y.push_back(share);
    if (*step_95 < 0 && !sorted_steps.empty() && share >= kSettledShare)
      *step_95 = t;
  }
  return s;
}

std::string TrainingExclusion(const RunRecord& r) {
  return r.diverged ? "diverged" : !Trained(r) ? "not_trained" : "";
}

std::map<int64_t, std::vector<const RunRecord*>> GroupBy(
    const std::vector<RunRecord>& runs, const std::string& param) {
  std::map<int64_t, std::vector<const RunRecord*>> groups;
  for (const RunRecord& r : runs)
    groups[r.spec.params.at(param).get<int64_t>()].push_back(&r);
  return groups;
}

std::vector<SurvivalPoint> SurvivalTable(const std::vector<RunRecord>& runs,
                                         const std::string& group_param,
                                         RunTally* tally) {
  std::vector<SurvivalPoint> points;
  for (const auto& [group, members] : GroupBy(runs, group_param)) {
    const Matrix& e0 = members.front()->initial_embedding;
    const int64_t p = e0.rows;
    const std::vector<double> signal = FourierSignal(e0);
    std::vector<int64_t> survived(p, 0);
    int64_t counted = 0;
    for (const RunRecord* r : members) {
      const std::string why = MaExclusion(*r);
      if (tally) tally->Add(why);
      if (!why.empty()) continue;
      ++counted;
      for (int64_t k : SurvivorsOf(r->final_embedding)) ++survived[k];
    }
    if (counted == 0) continue;
    for (int64_t k = 1; k <= (p - 1) / 2; ++k) {
      points.push_back({group, k, signal[k],
                        static_cast<double>(survived[k]) / counted, counted});
    }
  }
  return points;
}

nlohmann::json CorrelationJson(const Correlation& c) {
  return {{"r", c.r},
          {"p_two_sided", c.p_two_sided},
          {"p_greater", c.p_greater},
          {"n", c.n}};
}

nlohmann::json TTestJson(const TTest& t) {
  return {{"t", t.t},         {"df", t.df}, {"p_two_sided", t.p_two_sided},
          {"p_greater", t.p_greater}, {"n1", t.n1}, {"n2", t.n2}};
}

bool Trained(const RunRecord& run) {
  return !run.diverged && !run.metrics.empty() &&
         run.metrics.back().step == run.spec.config.steps &&
         run.metrics.back().test_accuracy >= kTrainedAccuracy;
}

std::vector<int64_t> SettleSurvivorsOf(const RunRecord& run) {
  auto it = run.snapshots.find(SettleStep(run.spec.config.steps));
  if (it == run.snapshots.end()) return {};
  return SurvivorsOf(it->second);
}

std::string MaExclusion(const RunRecord& run) {
  if (run.diverged) return "diverged";
  if (!Trained(run)) return "not_trained";
  const std::vector<int64_t> final_set = SurvivorsOf(run.final_embedding);
  if (!SameSurvivorSet(SettleSurvivorsOf(run), final_set)) return "not_settled";
  if (final_set.empty()) return "no_circle";
  return "";
}

bool SameSurvivorSet(std::vector<int64_t> a, std::vector<int64_t> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

int64_t CircleCountCeiling(int64_t p) { return (p - 1) / 4; }

std::vector<const RunRecord*> ValidMaRuns(const std::vector<RunRecord>& runs,
                                          RunTally* tally) {
  std::vector<const RunRecord*> valid;
  for (const RunRecord& r : runs) {
    const std::string why = MaExclusion(r);
    if (tally) tally->Add(why);
    if (why.empty()) valid.push_back(&r);
  }
  return valid;
}

std::vector<Series> SurvivalSeries(const std::vector<SurvivalPoint>& points,
                                   const std::string& group_name) {
  std::map<int64_t, Series> by_group;
  for (const SurvivalPoint& pt : points) {
    Series& s = by_group[pt.group];
    s.label = absl::StrCat(group_name, " ", pt.group);
    s.x.push_back(pt.initial_signal);
    s.y.push_back(pt.survival_rate);
  }
  std::vector<Series> out;
  for (auto& [g, s] : by_group) out.push_back(std::move(s));
  return out;
}

Series BinnedSurvivalRate(const std::vector<SurvivalPoint>& points,
                          int bins) {
  Series s{"pooled rate per S_k bin", "rate"};
  if (points.empty() || bins < 1) return s;
  double lo = points[0].initial_signal, hi = lo;
  for (const SurvivalPoint& pt : points) {
    lo = std::min(lo, pt.initial_signal);
    hi = std::max(hi, pt.initial_signal);
  }
  const double width = hi > lo ? (hi - lo) / bins : 1.0;
  std::vector<double> survived(bins, 0), trials(bins, 0);
  for (const SurvivalPoint& pt : points) {
    const int b = std::min(
        bins - 1, static_cast<int>((pt.initial_signal - lo) / width));
    survived[b] += std::round(pt.survival_rate * pt.runs);
    trials[b] += pt.runs;
  }
  for (int b = 0; b < bins; ++b) {
    if (trials[b] == 0) continue;
    s.x.push_back(lo + (b + 0.5) * width);
    s.y.push_back(survived[b] / trials[b]);
    s.trials.push_back(trials[b]);
  }
  return s;
}

nlohmann::json FinalMetricsSummary(const std::vector<RunRecord>& runs) {
  std::vector<double> loss, acc;
  for (const RunRecord& r : runs) {
    if (r.diverged || r.metrics.empty()) continue;
    loss.push_back(r.metrics.back().test_loss);
    acc.push_back(r.metrics.back().test_accuracy);
  }
  return {{"mean_final_test_loss", loss.empty() ? 0.0 : Mean(loss)},
          {"mean_final_test_accuracy", acc.empty() ? 0.0 : Mean(acc)},
          {"runs", loss.size()}};
}

}  // namespace initrepro
