// MA-handcrafted (P1 Sec. 3.2.1: embeddings built with exactly two circles).
//
// Two constructions, one plan (RunSpec.params["variant"]):
//
// "p1_construction", the default, on which the claims' verdicts rest:
// P1's training/manual_construction.py:231-260. Every frequency k gets a
// *real* Fourier coefficient dir * scale at k and p - k (dir a random unit
// vector), so each "circle" is a rank-1 cosine, a line traced back and
// forth, with S_k = scale. The MLP and the train/test split are drawn once
// from seed 0 (get_model(0), get_train_test(0, 0.8)) and shared by every
// seed (mode fix_mlp, init_seed 0); only the directions and the pair vary.
// P1's training script fixed the pair at k = 1, 2 (lines 243-244) while its
// analysis (analysis/plot_init_signal_construction.py:33) draws
// np.random.choice(1..29, 2) per seed; we draw a random pair per seed, as
// the analysis meant.
//
// "genuine_circles", a robustness check of the claim as worded: the same
// pair and signals, but each frequency gets independent real and imaginary
// directions (a rank-2, genuine circle), and every seed draws its own MLP
// and split (mode vary_all).
//
// Signals: the larger circle has S = 80 at p = 59, d = 128 (P1; about
// 0.92 sqrt(p d), the typical S_k of an N(0, 1) embedding; at other (p, d)
// we keep that ratio), the smaller S * m, every other frequency 1e-6.
// m = exp(linspace(-4, 0, n)) (P1: n = 16). Claims, per variant: the larger
// circle survives (rate >= 0.9 at every m, kMinFraction); the smaller one's
// survival rate rises with m (Spearman rho(m, rate) > 0.8, unit m). The
// -genuine-circles claims are separate specs, `variant_of` the P1-
// construction claim of the same rule; the verdicts rest on P1's
// construction.
//
// Paired by construction (issue 17, section 3): within a variant, seed s
// trains the same config at every m (P1's construction: MLP and split from
// seed 0 for all; genuine circles: MLP and split from s) with the same
// circle pair and directions; only m differs. The plan was already
// paired: the conversion moved no run key.
//
// Designs (Preset is the table: values of m x seeds per m, P1 construction
// + genuine circles). Every count is a design field (`repro design
// MA-handcrafted`): ms and seeds (P1's construction), genuine_ms and
// genuine_seeds, plus p, dim, steps; e.g. `--set ms=16 --set seeds=4`.
//
// smoke: p 11, d 8, 30 steps, 2 x 1 + 2 x 1. Plumbing only; decides
// nothing.
//
// ci: p 23, d 32, 600 steps, 8 x 3 + 8 x 2 (40 runs, the cost of the
// previous 8 x 5 design). At most 3 runs per rate decide nothing reliably
// (its golden: 17 of 24 P1-construction runs valid, too few; the genuine
// circles' intervals too wide). ci exists only to regress: larger-survives,
// smaller-rises-with-m, larger-survives-genuine-circles and
// smaller-rises-with-m-genuine-circles; nightly cannot decide them
// either (validity finding, below).
//
// nightly: p 59, d 128, kNightlySteps, 10 x 2 + 5 x 1 (25 runs, ~0.44
// core-hours). Re-planned in session 6 (committed before its first run)
// from the finding below: no run count and no tier is known to decide
// the P1-construction claims, so nightly regresses them at P1's scale at
// about half the former 20 x 2 + 5 x 1 (45 runs, 0.79 core-hours
// measured), and the saving pays for claims that can be decided (MA-
// perturb's paired claim, MA-dimension). The genuine-circles variant
// keeps one run per m: enough to run its analysis, never to decide.
//
// Validity finding (session 6; ClaimSpec::validity_finding of the two
// P1-construction claims, their way forward instead of the paper tier).
// The 45-run nightly golden had 23 of 40 P1-construction runs valid (12
// not_trained, 5 not_settled), and the planner sent the claims to the
// paper tier's 30000 steps. A 30000-step pilot at P1's scale (`tools/repro
// run MA-handcrafted --tier=nightly --set steps=30000 --set ms=10 --set
// seeds=1 --set genuine_ms=1 --set genuine_seeds=1`, 11 runs, 1462 s of
// CPU) shows why that cannot help: every run reached test accuracy >= 0.99
// by step 1500. At the 5 values m <= 0.11, where the smaller circle dies
// and one rank-1 cosine is left, accuracy then dipped (lowest values 0.37
// to 0.97) and recovered again and again up to step 30000: 4 of those 5
// runs ended below 0.99 and the fifth was not settled, so none was valid.
// The 5 runs at m >= 0.17 (both circles survive) never fell below 0.985
// and ended at 1.00, all valid; the genuine-circles run at m 0.0183 stayed
// at 1.00. So the runs the v2 rule excludes are the ones
// where the smaller circle dies, at every run length tried, and more runs
// or longer ones keep the valid share near half. The threshold (0.99,
// PAPER.md v2) is not ours to move.
//
// The settling study (session 8; MA-handcrafted-settling below, golden/
// MA-handcrafted-settling.paper.json) asked whether a run length before
// the oscillation is settled; it is not. On 16 fresh runs of P1's
// construction to 30000 steps (S_k and accuracy every 250): the smaller
// circle died at every m <= 0.18 (10 runs) and survived at m >= 0.32; in
// 11 runs the final survivors include frequencies outside the pair, grown
// from the 1e-6 they started at; 6 of the 10 runs that lost the smaller
// circle changed their survivor set after step 16000 (settling steps up
// to 29750, step_95 = 29750), so no length before 30000 has 95 % of runs
// settled, and at 30000 steps 9 of 16 runs are valid (the study's rule,
// committed before it ran, needed 80 %). A 2500-step run would pass the
// v2 check in 15 of 16 runs while 6 of them later change: v2's 80 %-of-
// steps check is not the settling this construction lacks. The larger
// circle survived to step 30000 in all 16 runs, valid or not; the claims
// cannot count that, since the v2 rule (not ours to move) drops the runs.
//
// paper: p 59, d 128, 30000 steps, 16 x 100 + 16 x 100 (P1's grid for both
// variants). By the validity finding it cannot decide the P1-construction
// claims either (about half of their runs invalid); the genuine-circles
// claims, whose runs stay trained, are for it to decide.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/analysis/circles.h"
#include "src/analysis/fourier.h"
#include "src/core/fmath.h"
#include "src/core/rng.h"
#include "src/experiments/common.h"

namespace initrepro {
namespace {

// The two constructions (file header). The param values name them in every
// run spec, so the two variants of one (m, seed) are distinct runs.
enum class Variant { kP1Construction, kGenuineCircles };
constexpr Variant kVariants[] = {Variant::kP1Construction,
                                 Variant::kGenuineCircles};

std::string ParamOf(Variant v) {
  return v == Variant::kP1Construction ? "p1_construction" : "genuine_circles";
}

// Suffix of the variant's claim ids and figure name ("" for the default).
std::string SuffixOf(Variant v) {
  return v == Variant::kP1Construction ? "" : "-genuine-circles";
}

// How the design strings, titles and notes name the variant.
std::string LabelOf(Variant v) {
  return v == Variant::kP1Construction
             ? "P1's construction (rank-1 cosines; MLP and split from seed 0)"
             : "genuine circles (rank 2; MLP and split per seed)";
}

// The variant a run spec belongs to (params["variant"], written by Plan;
// throws nlohmann::json's out_of_range when the param is missing).
Variant VariantOf(const RunSpec& spec) {
  return spec.params.at("variant").get<std::string>() == "genuine_circles"
             ? Variant::kGenuineCircles
             : Variant::kP1Construction;
}

// Values of m (P1: exp(linspace(-4, 0, 16)),
// manual_construction.py:231) and seeds per m of one variant.
struct Grid {
  int64_t ms, seeds;
};

// Every count is a field (`repro design MA-handcrafted`, `--set`).
struct Design {
  int64_t p = 0, dim = 0, steps = 0;
  int64_t ms = 0, seeds = 0;                  // P1's construction
  int64_t genuine_ms = 0, genuine_seeds = 0;  // genuine circles
  Grid For(Variant v) const {
    return v == Variant::kP1Construction ? Grid{ms, seeds}
                                         : Grid{genuine_ms, genuine_seeds};
  }
};

const DesignSchema<Design>& HandcraftedSchema() {
  static const auto* schema =
      &(*new DesignSchema<Design>())
           .Prime("p", &Design::p, 5, 257, "modulus (prime): V = C = p")
           .Int("dim", &Design::dim, 2, 1024, "embedding width d")
           .Int("steps", &Design::steps, 1, 1000000, "training steps per run")
           .Int("ms", &Design::ms, 1, 1000,
                "P1's construction: values of m, exp(linspace(-4, 0, ms)) "
                "(P1: 16)")
           .Int("seeds", &Design::seeds, 1, 10000,
                "P1's construction: seeds s = 0..seeds-1 per m (each draws "
                "the pair and the directions; the same at every m)")
           .Int("genuine_ms", &Design::genuine_ms, 1, 1000,
                "genuine circles: values of m, exp(linspace(-4, 0, n))")
           .Int("genuine_seeds", &Design::genuine_seeds, 1, 10000,
                "genuine circles: seeds per m (each also draws the MLP and "
                "split; the same at every m)");
  return *schema;
}

constexpr char kLarger[] = "MA-handcrafted/larger-survives";
constexpr char kSmaller[] = "MA-handcrafted/smaller-rises-with-m";

// The two frequencies of a seed: distinct, uniform in 1..(p-1)/2, the
// first the larger circle (P1's np.random.choice(np.arange(1, 30), 2,
// replace=False), plot_init_signal_construction.py:33, drawn from our
// stream). Shared by both variants of a seed.
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

// The runs of one variant: g.ms values of m x g.seeds seeds first_seed,
// first_seed + 1, ... P1's construction fixes the MLP and the split from
// seed 0 for every seed (manual_construction.py: 238-241: get_model(0),
// get_train_test(0, 0.8)), i.e. fix_mlp with reference seed 0; the
// embedding comes from InitialStateFor.
void AppendVariant(Variant v, Grid g, int64_t p, int64_t dim, int64_t steps,
                   int64_t first_seed, std::vector<RunSpec>* specs) {
  const std::vector<double> exponents = Linspace(-4.0, 0.0, g.ms);
  for (size_t i = 0; i < exponents.size(); ++i) {
    const double m = fmath::Exp(exponents[i]);
    for (int64_t s = first_seed; s < first_seed + g.seeds; ++s) {
      RunSpec spec;
      spec.config = MaConfig(p, dim, steps);
      spec.config.seed = s;
      if (v == Variant::kP1Construction) {
        spec.config.mode = "fix_mlp";
        spec.config.init_seed = 0;
      }
      const auto [big, small] = CirclePair(s, p);
      spec.params = {{"variant", ParamOf(v)}, {"m", m}, {"m_index", i},
                     {"seed", s}, {"k_large", big}, {"k_small", small}};
      specs->push_back(spec);
    }
  }
}

// Signal of the larger circle: P1's 80 at p = 59, d = 128
// (manual_construction.py:255), elsewhere the same multiple of sqrt(p d).
double LargeSignal(int64_t p, int64_t d) {
  if (p == 59 && d == 128) return 80.0;
  return 80.0 / std::sqrt(59.0 * 128.0) *
         std::sqrt(static_cast<double>(p * d));
}

// The Fourier coefficient F_k = re + i im (each of length d) with
// ||F_k|| = target. Directions come from the seed's kHandcraftedDirections
// stream at index 2 d (k - 1) (real part) and 2 d (k - 1) + d (imaginary
// part), so both variants of a seed share the real directions. P1's
// construction (manual_construction.py:249-260) keeps the unit real
// direction and im = 0 (a rank-1 cosine); genuine circles normalise
// (re, im) jointly.
void Coefficient(const Stream& directions, int64_t k, int64_t d,
                 double target, Variant v, std::vector<double>* re,
                 std::vector<double>* im) {
  const uint64_t index = static_cast<uint64_t>(2 * d * (k - 1));
  re->assign(d, 0.0);
  im->assign(d, 0.0);
  directions.FillNormal(index, absl::MakeSpan(*re));
  const bool genuine = v == Variant::kGenuineCircles;
  if (genuine) directions.FillNormal(index + d, absl::MakeSpan(*im));
  double norm = 0;
  for (int64_t c = 0; c < d; ++c)
    norm += (*re)[c] * (*re)[c] + (*im)[c] * (*im)[c];
  norm = std::sqrt(norm);
  for (int64_t c = 0; c < d; ++c) {
    (*re)[c] *= target / norm;
    if (genuine) (*im)[c] *= target / norm;
  }
}

// The (p, d) embedding holding the run's two circles (signals S and S m)
// and 1e-6 at every other k in 1..(p-1)/2, nothing at k = 0; built like
// manual_construction.py:249-262 (one coefficient per k, inverse DFT).
InitialState TwoCircleInit(const RunSpec& spec) {
  const int64_t p = spec.config.task.p, d = spec.config.dim;
  const double large = LargeSignal(p, d);
  const double m = spec.params.at("m").get<double>();
  const int64_t k_large = spec.params.at("k_large").get<int64_t>();
  const int64_t k_small = spec.params.at("k_small").get<int64_t>();
  const Variant v = VariantOf(spec);
  const Stream directions(spec.config.seed, Purpose::kHandcraftedDirections);
  std::vector<int64_t> ks;
  std::vector<std::vector<double>> re, im;
  for (int64_t k = 1; k <= (p - 1) / 2; ++k) {
    const double target =
        k == k_large ? large : k == k_small ? large * m : 1e-6;
    std::vector<double> a, b;
    Coefficient(directions, k, d, target, v, &a, &b);
    ks.push_back(k);
    re.push_back(std::move(a));
    im.push_back(std::move(b));
  }
  InitialState init;
  init.embedding = EmbeddingFromCircles(p, d, ks, re, im);
  return init;
}

// Whether the run's circle `key` ("k_large" or "k_small", its params) is
// in the survivor set `survivors`.
bool Survives(const RunSpec& spec, const char* key,
              const std::vector<int64_t>& survivors) {
  const int64_t k = spec.params.at(key).get<int64_t>();
  return std::count(survivors.begin(), survivors.end(), k) > 0;
}

// Survival counts of one variant at one m: larger, smaller, valid runs.
using Counts = std::map<double, std::array<int64_t, 3>>;

// Counts per m over the valid runs of variant v, and the tally of all its
// runs (MaExclusion reasons).
Counts CountSurvivors(const std::vector<RunRecord>& runs, Variant v,
                      RunTally* tally) {
  Counts counts;
  for (const RunRecord& r : runs) {
    if (VariantOf(r.spec) != v) continue;
    const std::string why = MaExclusion(r);
    tally->Add(why);
    if (!why.empty()) continue;
    const std::vector<int64_t> s = SurvivorsOf(r.final_embedding);
    auto& c = counts[r.spec.params.at("m").get<double>()];
    c[0] += Survives(r.spec, "k_large", s);
    c[1] += Survives(r.spec, "k_small", s);
    c[2] += 1;
  }
  return counts;
}

// The survival-rate figure of one variant (P1's figure:
// analysis/plot_init_signal_construction.py:40-52, rates vs m).
Figure RatesFigure(Variant v, Series large, Series small) {
  Figure fig;
  fig.name = absl::StrCat("rates", SuffixOf(v));
  // Short: the long variant label cut the title off (issue 19, item 6);
  // the caption names the construction.
  fig.title = absl::StrCat("MA-handcrafted (",
                           v == Variant::kP1Construction ? "P1's construction"
                                                         : "genuine circles",
                           "): survival vs m");
  fig.xlabel = "m (smaller signal / larger signal)";
  fig.ylabel = "survival rate";
  fig.log_x = true;
  large.style = small.style = "rate";
  fig.series = {large, small};
  fig.y_min = -0.05;
  fig.y_max = 1.05;
  fig.ref_lines = {{"y", 0.9, "larger circle: rate >= 0.9 at every m"}};
  fig.legend = "below";  // in a corner it covered the bars
  fig.caption =
      v == Variant::kP1Construction
          ? "P1's construction (each circle a rank-1 cosine; one MLP and "
            "split for all seeds), on which the verdicts rest. Expected: the "
            "larger circle stays above 0.9 at every m and the smaller "
            "circle's rate rises with m."
          : "Robustness check with genuine (rank-2) circles and a new MLP "
            "and split per seed. Expected: the larger circle stays above 0.9 "
            "at every m and the smaller circle's rate rises with m.";
  fig.paper_figure =
      "P1 Sec. 3.2.1, analysis/plot_init_signal_construction.py";
  return fig;
}

// Evidence, figure and data table of one variant, appended to `result`.
void AnalyzeVariant(const Design& d, Variant v,
                    const std::vector<RunRecord>& runs,
                    ExperimentResult* result) {
  const Grid g = d.For(v);
  RunTally tally;
  const Counts counts = CountSurvivors(runs, v, &tally);
  Series s_large{"larger circle", "linespoints"},
      s_small{"smaller circle", "linespoints"};
  nlohmann::json table = nlohmann::json::array();
  double min_large_rate = 1.0;
  ClaimEvidence c1;
  for (const auto& [m, c] : counts) {
    c1.counts.push_back({c[0], c[2]});
    c1.group_labels.push_back(absl::StrFormat("m = %.3g", m));
    const double rl = static_cast<double>(c[0]) / c[2];
    const double rs = static_cast<double>(c[1]) / c[2];
    s_large.x.push_back(m);
    s_large.y.push_back(rl);
    s_large.trials.push_back(c[2]);
    s_small.x.push_back(m);
    s_small.y.push_back(rs);
    s_small.trials.push_back(c[2]);
    min_large_rate = std::min(min_large_rate, rl);
    table.push_back({m, rl, rs, c[2]});
  }
  const std::string suffix = SuffixOf(v);
  result->data[v == Variant::kP1Construction
                   ? "points"
                   : absl::StrCat("points", suffix)] = table;
  const std::string design =
      absl::StrCat(LabelOf(v), ": p=", d.p, ", d=", d.dim, ", ", d.steps,
                   " steps, ", g.ms, " values of m x ", g.seeds, " seeds");
  c1.claim_id = absl::StrCat(kLarger, suffix);
  c1.design = design;
  c1.runs = tally;
  c1.observed = {{"min_rate_large", min_large_rate}};
  result->evidence.push_back(c1);
  ClaimEvidence c2;
  c2.claim_id = absl::StrCat(kSmaller, suffix);
  c2.design = design;
  c2.x = s_small.x;
  c2.y = s_small.y;
  c2.runs = tally;
  result->evidence.push_back(c2);
  Figure fig = RatesFigure(v, s_large, s_small);
  // What the data show, and the runs the rates leave out (issue 19, items
  // 3 and 5): excluded runs are not drawn, so the caption counts them.
  std::vector<std::string> excluded;
  for (const auto& [reason, n] : tally.excluded)
    excluded.push_back(absl::StrCat(n, " ", reason));
  absl::StrAppend(
      &fig.caption, " Observed: the larger circle's lowest rate is ",
      absl::StrFormat("%.3g", min_large_rate), " over ", counts.size(),
      " of ", g.ms, " values of m; ", tally.valid, " of ", tally.planned,
      " runs valid",
      excluded.empty() ? ""
                       : absl::StrCat(" (not drawn: ",
                                      absl::StrJoin(excluded, ", "), ")"),
      ". Bars: 95 % Clopper-Pearson; the verdicts read 99 %.");
  result->figures.push_back(fig);
}

class MaHandcrafted : public DesignedExperiment<Design> {
 public:
  std::string Name() const override { return "MA-handcrafted"; }
  std::string Description() const override {
    return "Modular addition: embeddings with exactly two circles of "
           "signals S and S*m; survival of each vs m, on P1's construction "
           "(rank-1 cosines, one MLP and split) and on genuine circles (P1).";
  }

  // The preset table (file header: why these numbers). Fields: p, dim,
  // steps, ms, seeds, genuine_ms, genuine_seeds.
  Design Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {11, 8, 30, 2, 1, 2, 1};
      case Tier::kCi: return {23, 32, 600, 8, 3, 8, 2};
      case Tier::kNightly: return {59, 128, kNightlySteps, 10, 2, 5, 1};
      case Tier::kPaper: return {59, 128, 30000, 16, 100, 16, 100};
    }
    return {};
  }
  const DesignSchema<Design>& Schema() const override {
    return HandcraftedSchema();
  }

  // Per variant: the larger circle survives, the smaller one rises with m.
  // The genuine-circles claims are variants of the P1-construction ones.
  std::vector<ClaimSpec> ClaimSpecs() const override {
    std::vector<ClaimSpec> specs;
    for (Variant v : kVariants) {
      const std::string suffix = SuffixOf(v);
      const bool genuine = v == Variant::kGenuineCircles;
      ClaimSpec c1;
      c1.id = absl::StrCat(kLarger, suffix);
      c1.statement = "The larger of two handcrafted circles survives.";
      c1.paper = "P1 Sec. 3.2.1; P2";
      c1.p1_script = "analysis/plot_init_signal_construction.py";
      c1.variant_of = genuine ? kLarger : "";
      c1.statistic = Statistic::kMinFraction;
      c1.quantity = "runs in which the larger circle survives";
      c1.unit = "run";
      c1.scale_field = genuine ? "genuine_seeds" : "seeds";
      c1.threshold = 0.9;
      c1.scope = "one group per value of m, over valid runs";
      ClaimSpec c2 = c1;
      c2.id = absl::StrCat(kSmaller, suffix);
      c2.statement = "The smaller circle's survival rate rises with its "
                     "relative signal m.";
      c2.variant_of = genuine ? kSmaller : "";
      c2.statistic = Statistic::kSpearman;
      c2.quantity = "(m, survival rate of the smaller circle)";
      c2.unit = "m";
      c2.scale_field = genuine ? "genuine_ms" : "ms";
      c2.threshold = 0.8;
      c2.scope = "the rate over valid runs at that m";
      c1.design_card = c2.design_card = !genuine;
      if (!genuine) {
        // File header, "Validity finding": what the paper tier would not
        // fix, said instead of sending the user there.
        c1.validity_finding =
            "at P1's scale the runs this construction loses are those in "
            "which the smaller circle dies, and no run length up to P1's "
            "30000 steps recovers them: in MA-handcrafted-settling's study "
            "(16 fresh runs to "
            "30000 steps, S_k and test accuracy every 250; its paper "
            "golden) the smaller circle died at every m <= 0.18, the "
            "network then grew circles at frequencies that started at "
            "signal 1e-6, and 6 of those 10 runs still changed their "
            "survivor set after step 16000 while test accuracy kept "
            "dipping below 0.99; no length before 30000 has 95 % of runs "
            "settled (step_95 = 29750) and at 30000 steps 9 of 16 runs are "
            "valid, so more runs or the paper tier keep about half of the "
            "runs invalid. The larger circle survived to the end in all 16 "
            "runs, valid or not";
        c2.validity_finding = c1.validity_finding;
      }
      specs.push_back(c1);
      specs.push_back(c2);
    }
    return AtNightlyHorizon(specs);
  }

  // P1's construction first, then genuine circles; within each, m-major.
  std::vector<RunSpec> Plan(Tier tier) const override {
    const Design d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (Variant v : kVariants)
      AppendVariant(v, d.For(v), d.p, d.dim, d.steps, 0, &specs);
    return specs;
  }

  absl::StatusOr<InitialState> InitialStateFor(
      const RunSpec& spec) const override {
    return TwoCircleInit(spec);
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    ExperimentResult result;
    result.data["columns"] = {"m", "rate_large", "rate_small", "runs"};
    const Design d = DesignAt(tier);
    for (Variant v : kVariants) AnalyzeVariant(d, v, runs, &result);
    result.notes.push_back(
        "Verdicts on P1's construction (manual_construction.py:231-260): "
        "each circle is a real Fourier coefficient at k and p - k (a rank-1 "
        "cosine), and the MLP and split come from seed 0 for every seed. "
        "The claims suffixed -genuine-circles repeat the test with rank-2 "
        "circles and a new MLP and split per seed.");
    result.notes.push_back(
        "P1's training script fixed the circles at k = 1, 2 while its "
        "analysis expects a random pair per seed; we draw a random pair per "
        "seed.");
    return result;
  }
};

REGISTER_EXPERIMENT(MaHandcrafted);

// MA-handcrafted-settling (ours; PAPER.md "Designs (v3)", item 1, applied to
// this construction): how long must a two-circle run be? MA-handcrafted's
// validity finding (its header) is that P1's construction keeps dipping
// below 0.99 test accuracy up to step 30000 where the smaller circle dies,
// so at any length tried about half of those runs are invalid. This study
// measures, on fresh runs of both constructions to P1's 30000 steps (S_k
// and test accuracy every `every` steps), when the survivor set settles
// and, for every candidate run length X, the share of runs that a run of
// X steps would leave valid (PAPER.md v2: test accuracy >= 0.99 at X, the
// same survivor set at 80 % of X and at X, at least one circle). Runs are
// prefix-consistent (constant learning rate, full batch), so a run of X
// steps is the first X steps of these runs.
//
// Seeds 20000 + s (no run of MA-handcrafted's tiers): seed s draws the
// circle pair and directions, as in MA-handcrafted; P1's construction
// keeps the MLP and split of seed 0. Runs that never reach 0.99 test
// accuracy at a recorded step are left out of the settling curve (no
// representation to settle) and counted; the dips after reaching it are
// the phenomenon, so final accuracy is not required.
//
// The rule it feeds, stated before the paper run: MA-handcrafted's nightly
// step count becomes this study's `stop_step` for P1's construction, the
// first candidate length (a multiple of 5 x every, so that 80 % of it is a
// recorded step) at or after the step by which >= 95 % of the trained runs
// have settled, if a run of that length leaves >= 80 % of the study's
// runs valid (PAPER.md v2's share); otherwise the validity finding stands,
// with these numbers. The claims' run counts are then planned at that
// length; the thresholds do not move.
//
// Designs (committed before their first run):
//   smoke:   p 11, d 8, 50 steps, every 10, 2 x 1 + 1 x 1 runs. Plumbing.
//   ci:      p 23, d 32, 2000 steps (over 3 x ci's 600), every 50, 4 x 1 +
//            2 x 1 runs. Regresses the analysis only.
//   nightly: p 59, d 128, 30000 steps, every 250, 1 run of P1's
//            construction (the paper design's first run, m = e^-4, where
//            the dips were seen; ~0.06 core-hours). Regresses P1's scale.
//   paper:   the same, 8 values of m x 2 seeds (P1's construction; >= 16
//            runs at d = 128, as MA-settling's study) + 6 x 1 (genuine
//            circles): 22 runs, ~1.4 core-hours on the Intel 2-core VM at
//            MA-horizon's measured 230 s per 30000-step run. Run once,
//            outside the nightly budget.
struct SettlingDesign {
  int64_t p = 0, dim = 0, steps = 0, every = 0;
  int64_t ms = 0, seeds = 0, genuine_ms = 0, genuine_seeds = 0;
};

const DesignSchema<SettlingDesign>& SettlingSchema() {
  static const auto* schema =
      &(*new DesignSchema<SettlingDesign>())
           .Prime("p", &SettlingDesign::p, 5, 257, "modulus (prime): V = C = p")
           .Int("dim", &SettlingDesign::dim, 2, 1024, "embedding width d")
           .Int("steps", &SettlingDesign::steps, 1, 1000000,
                "training steps per run (the horizon; a multiple of 5 x "
                "every)")
           .Int("every", &SettlingDesign::every, 1, 100000,
                "record S_k and test accuracy every this many steps (steps "
                "must be a multiple of 5 x every)")
           .Int("ms", &SettlingDesign::ms, 1, 1000,
                "P1's construction: values of m, exp(linspace(-4, 0, ms))")
           .Int("seeds", &SettlingDesign::seeds, 0, 10000,
                "P1's construction: seeds 20000.. per m (0: none)")
           .Int("genuine_ms", &SettlingDesign::genuine_ms, 1, 1000,
                "genuine circles: values of m")
           .Int("genuine_seeds", &SettlingDesign::genuine_seeds, 0, 10000,
                "genuine circles: seeds 20000.. per m (0: none)");
  return *schema;
}

constexpr int64_t kSettlingFirstSeed = 20000;
constexpr char kSettlingClaim[] = "MA-handcrafted-settling/settling-steps";

// Test accuracy logged at `step`, NaN when none was.
double AccuracyAt(const RunRecord& r, int64_t step) {
  for (const StepMetrics& m : r.metrics)
    if (m.step == step) return m.test_accuracy;
  return std::nan("");
}

// What one variant's runs say (file section above).
struct VariantSettling {
  int64_t runs = 0, trained = 0, step_95 = -1, stop_step = -1;
  // Runs whose final survivors include a frequency outside the pair, whose
  // larger circle survives to the end, and trained runs settling after
  // half the horizon.
  int64_t recruited = 0, larger_final = 0, late = 0;
  double valid_at_stop = 0;
  std::vector<int64_t> settling_steps;  // of trained runs, ascending
  Series settled, valid;  // valid.x: candidate lengths (whole steps)
  nlohmann::json per_m = nlohmann::json::array();  // at stop_step
  nlohmann::json table = nlohmann::json::array();  // one row per run
};

// A run of X steps is valid (v2) when it is trained at X and its survivor
// set at 80 % of X equals the one at X and holds a circle. Needs S_k at
// both steps and accuracy at X.
bool ValidIfStoppedAt(const RunRecord& r, int64_t x) {
  if (r.diverged) return false;
  auto end = r.signals.find(x), settle = r.signals.find(SettleStep(x));
  if (end == r.signals.end() || settle == r.signals.end()) return false;
  const std::vector<int64_t> at_end = SurvivingCircles(end->second);
  return AccuracyAt(r, x) >= kTrainedAccuracy && !at_end.empty() &&
         SameSurvivorSet(SurvivingCircles(settle->second), at_end);
}

VariantSettling SettleVariant(const SettlingDesign& d, Variant v,
                              const std::vector<RunRecord>& all,
                              RunTally* tally) {
  VariantSettling out;
  std::vector<const RunRecord*> runs;
  for (const RunRecord& r : all)
    if (VariantOf(r.spec) == v) runs.push_back(&r);
  out.runs = static_cast<int64_t>(runs.size());
  for (const RunRecord* r : runs) {
    bool reached = false;
    double lowest_after = 1;  // lowest test accuracy once it reached 0.99
    for (const StepMetrics& m : r->metrics) {
      reached = reached || m.test_accuracy >= kTrainedAccuracy;
      if (reached) lowest_after = std::min(lowest_after, m.test_accuracy);
    }
    const std::string why =
        r->diverged ? "diverged" : !reached ? "never_trained" : "";
    tally->Add(why);
    const std::vector<int64_t> final_set = SurvivorsOf(r->final_embedding);
    const bool larger = Survives(r->spec, "k_large", final_set);
    const bool smaller = Survives(r->spec, "k_small", final_set);
    const int64_t settle = why.empty() ? SettlingStep(*r) : -1;
    // A final circle at neither frequency of the pair grew from the 1e-6
    // every other k starts at.
    out.recruited += static_cast<int64_t>(final_set.size()) > larger + smaller;
    out.larger_final += larger;
    out.late += why.empty() && settle > d.steps / 2;
    out.table.push_back(
        {r->spec.params.at("m"), r->spec.params.at("seed"), settle, final_set,
         larger, smaller,
         r->metrics.empty() ? std::nan("") : r->metrics.back().test_accuracy,
         reached ? lowest_after : std::nan(""), why});
    if (!why.empty()) continue;
    ++out.trained;
    out.settling_steps.push_back(settle);
  }
  std::sort(out.settling_steps.begin(), out.settling_steps.end());
  const std::string label =
      v == Variant::kP1Construction ? "P1's construction" : "genuine circles";
  out.settled = SettledShareSeries(out.settling_steps, d.steps, d.every,
                                   absl::StrCat(label, ": settled"),
                                   &out.step_95);
  out.valid.label = absl::StrCat(label, ": valid if stopped here");
  out.valid.style = "linespoints";
  const int64_t grain = 5 * d.every;  // 80 % of a multiple is recorded
  for (int64_t x = grain; x <= d.steps; x += grain) {
    int64_t valid = 0;
    for (const RunRecord* r : runs) valid += ValidIfStoppedAt(*r, x);
    const double share =
        runs.empty() ? 0.0 : static_cast<double>(valid) / runs.size();
    out.valid.x.push_back(x);
    out.valid.y.push_back(share);
    if (out.stop_step < 0 && out.step_95 >= 0 && x >= out.step_95) {
      out.stop_step = x;
      out.valid_at_stop = share;
    }
  }
  if (out.stop_step > 0) {
    // Per m: runs, those valid if stopped at stop_step, and in how many of
    // those the larger and the smaller circle survive there (the pilot a
    // design at that length is planned from).
    std::map<double, std::array<int64_t, 4>> by_m;
    for (const RunRecord* r : runs) {
      auto& c = by_m[r->spec.params.at("m").get<double>()];
      c[0] += 1;
      if (!ValidIfStoppedAt(*r, out.stop_step)) continue;
      c[1] += 1;
      const std::vector<int64_t> s =
          SurvivingCircles(r->signals.at(out.stop_step));
      c[2] += Survives(r->spec, "k_large", s);
      c[3] += Survives(r->spec, "k_small", s);
    }
    for (const auto& [m, c] : by_m)
      out.per_m.push_back({m, c[0], c[1], c[2], c[3]});
  }
  return out;
}

class MaHandcraftedSettling : public DesignedExperiment<SettlingDesign> {
 public:
  std::string Name() const override { return "MA-handcrafted-settling"; }
  std::string Description() const override {
    return "Modular addition, two handcrafted circles: on fresh runs to "
           "P1's 30000 steps, when do survivor sets settle, and how many "
           "runs of each length are valid? (ours)";
  }
  SettlingDesign Preset(Tier tier) const override {
    switch (tier) {
      case Tier::kSmoke: return {11, 8, 50, 10, 2, 1, 1, 1};
      case Tier::kCi: return {23, 32, 2000, 50, 4, 1, 2, 1};
      case Tier::kNightly: return {59, 128, 30000, 250, 1, 1, 1, 0};
      case Tier::kPaper: return {59, 128, 30000, 250, 8, 2, 6, 1};
    }
    return {};
  }
  const DesignSchema<SettlingDesign>& Schema() const override {
    return SettlingSchema();
  }
  // Candidate lengths are multiples of 5 x every, so that 80 % of each is a
  // recorded step; the horizon must be one.
  absl::Status CheckFields(const SettlingDesign& d) const override {
    if (d.steps % (5 * d.every) == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "steps = ", d.steps, " must be a multiple of 5 x every = ",
        5 * d.every, " (every = ", d.every, ")"));
  }

  std::vector<ClaimSpec> ClaimSpecs() const override {
    ClaimSpec c;
    c.id = kSettlingClaim;
    c.statement =
        "Ours: per construction, the step by which >= 95 % of trained "
        "two-circle runs have settled, and the share of runs a run of that "
        "length leaves valid (trained and settled).";
    c.paper = "ours (PAPER.md Designs v3, item 1, for MA-handcrafted)";
    c.descriptive = true;
    c.reports =
        "per construction: trained runs, step_95, stop_step (the first "
        "multiple of 5 x every at or after step_95) and the share of all "
        "runs valid if stopped there, per m; runs whose final survivors "
        "include a frequency outside the pair (grown from signal 1e-6), "
        "whose larger circle survives to the end, and that settle after "
        "half the horizon";
    return {c};
  }

  std::vector<RunSpec> Plan(Tier tier) const override {
    const SettlingDesign d = DesignAt(tier);
    std::vector<RunSpec> specs;
    for (Variant v : kVariants) {
      const Grid g = v == Variant::kP1Construction
                         ? Grid{d.ms, d.seeds}
                         : Grid{d.genuine_ms, d.genuine_seeds};
      AppendVariant(v, g, d.p, d.dim, d.steps, kSettlingFirstSeed, &specs);
    }
    for (RunSpec& spec : specs) {
      spec.config.log_every = d.every;
      for (int64_t t = 0; t <= d.steps; t += d.every)
        spec.signal_steps.push_back(t);
    }
    return specs;
  }

  absl::StatusOr<InitialState> InitialStateFor(
      const RunSpec& spec) const override {
    return TwoCircleInit(spec);
  }

  absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const override {
    const SettlingDesign d = DesignAt(tier);
    const absl::Status fits = CheckFields(d);
    if (!fits.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("MA-handcrafted-settling: ", fits.message()));
    ExperimentResult result;
    Figure fig;
    fig.name = "settled";
    fig.title = "MA-handcrafted-settling: settled and valid runs vs length";
    fig.xlabel = "step (run length)";
    fig.ylabel = "share of runs";
    fig.y_min = -0.05;
    fig.y_max = 1.05;
    fig.ref_lines = {{"y", kSettledShare, "95 % settled"},
                     {"y", 0.8, "80 % valid (v2)"}};
    fig.legend = "below";
    RunTally tally;
    ClaimEvidence c;
    c.claim_id = kSettlingClaim;
    c.design = absl::StrCat(
        "p=", d.p, ", d=", d.dim, ", ", d.steps, " steps, S_k and accuracy "
        "every ", d.every, "; P1's construction ", d.ms, " values of m x ",
        d.seeds, " seeds, genuine circles ", d.genuine_ms, " x ",
        d.genuine_seeds, " (seeds ", kSettlingFirstSeed, "+)");
    nlohmann::json observed = nlohmann::json::object();
    for (Variant v : kVariants) {
      const VariantSettling s = SettleVariant(d, v, runs, &tally);
      if (s.runs == 0) continue;
      observed[ParamOf(v)] = {{"runs", s.runs},
                              {"trained", s.trained},
                              {"step_95", s.step_95},
                              {"stop_step", s.stop_step},
                              {"valid_at_stop", s.valid_at_stop},
                              {"recruited_circle_runs", s.recruited},
                              {"larger_survives_to_end", s.larger_final},
                              {"settling_after_half_horizon", s.late}};
      result.data[ParamOf(v)] = {{"settling_steps", s.settling_steps},
                                 {"valid_if_stopped_at", s.valid.x},
                                 {"valid_share", s.valid.y},
                                 {"per_m_at_stop", s.per_m},
                                 {"runs", s.table}};
      fig.series.push_back(s.settled);
      fig.series.push_back(s.valid);
    }
    result.data["per_m_columns"] = {"m", "runs", "valid_at_stop",
                                    "larger_survives", "smaller_survives"};
    result.data["run_columns"] = {
        "m", "seed", "settling_step", "final_survivors", "larger_final",
        "smaller_final", "final_test_accuracy",
        "lowest_test_accuracy_once_trained", "excluded_as"};
    c.runs = tally;
    c.observed = observed;
    fig.caption =
        "Lines: the share of trained runs whose survivor set has settled "
        "by each step. Points: the share of all runs that a run stopped at "
        "that length leaves valid (test accuracy >= 0.99 there, the same "
        "survivor set at 80 % of it). MA-handcrafted's nightly length is "
        "the first point at or after 95 % settled, if >= 80 % are valid "
        "there (file header).";
    result.figures.push_back(fig);
    result.evidence.push_back(c);
    return result;
  }
};

REGISTER_EXPERIMENT(MaHandcraftedSettling);

}  // namespace
}  // namespace initrepro
