// MA-handcrafted (P1: embeddings built with exactly two circles).
//
// The initial embedding holds two circles at a random pair of frequencies
// per seed (P1's training script fixed them at k = 1, 2 although its
// analysis expects a random pair per seed; we draw the pair, as meant),
// with signals S and S*m, and every other frequency at signal 1e-6. P1 uses
// S = 80 at p = 59, d = 128 (about 0.92 sqrt(p d), the typical S_k of an
// N(0, 1) embedding); at other (p, d) we keep that ratio. Claims: the larger
// circle survives (rate >= 0.9 at every m); the smaller one's survival rate
// rises with m (Spearman rho(m, rate) > 0.8).
//
// ci: p 23, d 32, 600 steps, m = exp(linspace(-4, 0, 8)), 5 seeds per m (40
// runs). Only exercises the code (5 seeds per rate). The paper tier decides.
//
// nightly: p 59, d 128, kNightlySteps, 8 values of m x 12 seeds (96 runs).
// Power: claim 2 has 8 m units (Spearman); claim 1 ("rate >= 0.9 at every
// m") needs about 50 runs per m before a 99 % Clopper-Pearson bound can
// reach 0.9, more than the nightly budget allows: it is expected to stay
// undecided at nightly (the paper tier's 100 seeds per m decide it).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/analysis/fourier.h"
#include "src/core/fmath.h"
#include "src/core/rng.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

struct Design {
  int64_t p, dim, steps, ms, seeds;
};

Design DesignFor(Tier tier) {
  switch (tier) {
    case Tier::kSmoke: return {11, 8, 30, 2, 1};
    case Tier::kCi: return {23, 32, 600, 8, 5};
    case Tier::kNightly: return {59, 128, kNightlySteps, 8, 12};
    case Tier::kPaper: return {59, 128, 30000, 16, 100};
  }
  return {};
}

// The two frequencies of a seed: distinct, uniform in 1..(p-1)/2.
std::pair<int64_t, int64_t> CirclePair(uint64_t seed, int64_t p) {
  const Stream stream(seed, Purpose::kRandomCircles);
  const uint32_t half = static_cast<uint32_t>((p - 1) / 2);
  uint64_t used = 0, position = 0;
  const int64_t a = 1 + stream.UniformInt(position, half, &used);
  position += used;
  int64_t b = a;
  while (b == a) {
    b = 1 + stream.UniformInt(position, half, &used);
    position += used;
  }
  return {a, b};
}

class MaHandcrafted : public Experiment {
 public:
  std::string Name() const override { return "MA-handcrafted"; }
  std::string Description() const override {
    return "Modular addition: embeddings with exactly two circles of "
           "signals S and S*m; survival of each vs m (P1).";
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignFor(tier);
    std::vector<RunSpec> specs;
    std::vector<double> exponents = Linspace(-4.0, 0.0, d.ms);
    for (size_t i = 0; i < exponents.size(); ++i) {
      const double m = fmath::Exp(exponents[i]);
      for (int64_t s = 0; s < d.seeds; ++s) {
        RunSpec spec;
        spec.config = MaConfig(d.p, d.dim, d.steps);
        spec.config.seed = s;
        const auto [big, small] = CirclePair(s, d.p);
        spec.params = {{"m", m}, {"m_index", i}, {"seed", s},
                       {"k_large", big}, {"k_small", small}};
        specs.push_back(spec);
      }
    }
    return specs;
  }

  absl::StatusOr<InitialState> InitialStateFor(
      const RunSpec& spec) const override {
    const int64_t p = spec.config.task.p, d = spec.config.dim;
    const double large =
        (p == 59 && d == 128) ? 80.0
                              : 80.0 / std::sqrt(59.0 * 128.0) *
                                    std::sqrt(static_cast<double>(p * d));
    const double m = spec.params.at("m").get<double>();
    const int64_t k_large = spec.params.at("k_large").get<int64_t>();
    const int64_t k_small = spec.params.at("k_small").get<int64_t>();
    const Stream directions(spec.config.seed, Purpose::kHandcraftedDirections);
    std::vector<int64_t> ks;
    std::vector<std::vector<double>> re, im;
    uint64_t index = 0;
    for (int64_t k = 1; k <= (p - 1) / 2; ++k) {
      std::vector<double> a(d), b(d);
      directions.FillNormal(index, absl::MakeSpan(a));
      directions.FillNormal(index + d, absl::MakeSpan(b));
      index += 2 * d;
      double norm = 0;
      for (int64_t c = 0; c < d; ++c) norm += a[c] * a[c] + b[c] * b[c];
      norm = std::sqrt(norm);
      const double target =
          k == k_large ? large : k == k_small ? large * m : 1e-6;
      for (int64_t c = 0; c < d; ++c) {
        a[c] *= target / norm;
        b[c] *= target / norm;
      }
      ks.push_back(k);
      re.push_back(a);
      im.push_back(b);
    }
    InitialState init;
    init.embedding = EmbeddingFromCircles(p, d, ks, re, im);
    return init;
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const Design d = DesignFor(tier);
    std::map<double, std::array<int64_t, 3>> counts;  // large, small, total
    RunTally tally;
    for (const RunRecord& r : runs) {
      const std::string why = MaExclusion(r);
      tally.Add(why);
      if (!why.empty()) continue;
      const std::vector<int64_t> s = SurvivorsOf(r.final_embedding);
      auto& c = counts[r.spec.params.at("m").get<double>()];
      c[0] += std::count(s.begin(), s.end(),
                         r.spec.params.at("k_large").get<int64_t>()) > 0;
      c[1] += std::count(s.begin(), s.end(),
                         r.spec.params.at("k_small").get<int64_t>()) > 0;
      c[2] += 1;
    }
    Series s_large{"larger circle", "linespoints"},
        s_small{"smaller circle", "linespoints"};
    nlohmann::json table = nlohmann::json::array();
    double min_large_rate = 1.0;
    ClaimTest c1;
    for (const auto& [m, c] : counts) {
      c1.counts.push_back({c[0], c[2]});
      c1.group_labels.push_back(absl::StrFormat("m = %.3g", m));
      const double rl = static_cast<double>(c[0]) / c[2];
      const double rs = static_cast<double>(c[1]) / c[2];
      s_large.x.push_back(m);
      s_large.y.push_back(rl);
      s_small.x.push_back(m);
      s_small.y.push_back(rs);
      min_large_rate = std::min(min_large_rate, rl);
      table.push_back({m, rl, rs, c[2]});
    }
    ExperimentResult result;
    result.data["columns"] = {"m", "rate_large", "rate_small", "runs"};
    result.data["points"] = table;
    const std::string design = absl::StrCat(
        "p=", d.p, ", d=", d.dim, ", ", d.steps, " steps, ", d.ms,
        " values of m x ", d.seeds, " seeds");
    c1.id = "MA-handcrafted/larger-survives";
    c1.statement = "The larger of two handcrafted circles survives.";
    c1.rule = "survival rate of the larger circle >= 0.9 at every m (each "
              "rate's Clopper-Pearson interval at or above 0.9)";
    c1.design = design;
    c1.statistic = Statistic::kMinFraction;
    c1.unit = "run";
    c1.threshold = 0.9;
    c1.runs = tally;
    c1.observed = {{"min_rate_large", min_large_rate}};
    result.claims.push_back(Decide(tier, c1));
    ClaimTest c2;
    c2.id = "MA-handcrafted/smaller-rises-with-m";
    c2.statement = "The smaller circle's survival rate rises with its relative "
                   "signal m.";
    c2.rule = "Spearman rho(m, survival rate of the smaller circle) > 0.8";
    c2.design = design;
    c2.statistic = Statistic::kSpearman;
    c2.unit = "m";
    c2.threshold = 0.8;
    c2.x = s_small.x;
    c2.y = s_small.y;
    c2.runs = tally;
    result.claims.push_back(Decide(tier, c2));
    Figure fig;
    fig.name = "rates";
    fig.title = "MA-handcrafted: survival of two handcrafted circles vs m";
    fig.xlabel = "m (smaller signal / larger signal)";
    fig.ylabel = "survival rate";
    fig.log_x = true;
    s_large.style = s_small.style = "rate";
    for (const auto& row : table) {
      s_large.trials.push_back(row[3].get<double>());
      s_small.trials.push_back(row[3].get<double>());
    }
    fig.series = {s_large, s_small};
    fig.y_min = -0.05;
    fig.y_max = 1.05;
    fig.ref_lines = {{"y", 0.9, "larger circle: rate >= 0.9 at every m"}};
    fig.legend = "bottom right";
    fig.caption = "The larger circle should stay above 0.9 at every m; the "
                  "smaller circle's rate should rise with m.";
    fig.paper_figure = "P1 Sec. 3.2.1, analysis/plot_init_signal_construction.py";
    result.figures.push_back(fig);
    result.notes.push_back(
        "P1's training script fixed the circles at k = 1, 2 while its "
        "analysis expects a random pair per seed; we draw a random pair per "
        "seed.");
    return result;
  }
};

REGISTER_EXPERIMENT(MaHandcrafted);

}  // namespace
}  // namespace initrepro
