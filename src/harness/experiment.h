// Experiment: the interface every figure-level experiment implements.
//
// The data path flows one way:
//   Plan(tier) -> RunSpecs -> (trainer) -> RunRecords -> Analyze -> Result
// An experiment composes training runs and analyses and nothing else: it
// never reaches into the trainer, and Analyze sees only stored RunRecords,
// so a sweep can be run sharded on many machines and analysed elsewhere.
//
// To add an experiment: write src/experiments/NAME.cc with a subclass and
// REGISTER_EXPERIMENT(Subclass), run `repro bless NAME --tier=ci`, commit
// the golden. See README.md "Adding an experiment".
#ifndef INITREPRO_SRC_HARNESS_EXPERIMENT_H_
#define INITREPRO_SRC_HARNESS_EXPERIMENT_H_

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/core/matrix.h"
#include "src/harness/design.h"
#include "src/train/config.h"
#include "src/train/trainer.h"
#include "src/verdict/claim_spec.h"

namespace initrepro {

enum class Tier { kSmoke, kCi, kNightly, kPaper };
absl::StatusOr<Tier> ParseTier(const std::string& name);
std::string TierName(Tier tier);

// One training run of a sweep. `params` carries the experiment's own
// per-run parameters (e.g. a perturbation scale); together with `config`
// it determines the run's bits, and its key is derived from both.
struct RunSpec {
  TrainConfig config;
  nlohmann::json params = nlohmann::json::object();
  std::vector<int64_t> snapshot_steps;  // embeddings kept for the analysis
  // Steps at which the run keeps the Fourier signal S_k of its embedding
  // (modular addition only; p numbers per step instead of an embedding).
  std::vector<int64_t> signal_steps;
  // Steps at which the run keeps its whole parameter buffer (ParamLayout
  // order, embedding first), e.g. to evaluate the trained MLP later.
  std::vector<int64_t> param_steps;
};

// Every run also keeps its embedding at this step, 80 % of its steps, so
// that analyses can tell whether its representation settled (PAPER.md v2,
// item 2). It is part of the run record format, not of the spec.
inline int64_t SettleStep(int64_t steps) { return steps * 4 / 5; }

// Stable identity of a spec: SHA-256 of its canonical JSON (threads are
// not part of it; they change no bit).
std::string RunKey(const RunSpec& spec);
nlohmann::json SpecJson(const RunSpec& spec);

// What a finished run leaves for the analyses.
struct RunRecord {
  RunSpec spec;
  std::string digest;         // RunDigests(run)["digest"]: all tensors
  bool diverged = false;
  int64_t steps_done = 0;
  Matrix initial_embedding;   // the embedding the run started from
  Matrix final_embedding;
  std::map<int64_t, Matrix> snapshots;  // includes SettleStep(steps)
  std::map<int64_t, std::vector<double>> signals;  // spec.signal_steps
  std::map<int64_t, std::vector<double>> param_snapshots;  // spec.param_steps
  std::vector<StepMetrics> metrics;
  double wall_seconds = 0;    // not part of any comparison
  // BitsIdentity() of the process that trained it (src/train/bits_identity.h);
  // not part of the spec, so not of the run key.
  std::string bits_identity;
};

// One claim with its verdict, as the driver writes it: the verdict engine
// (src/verdict/verdict.h) fills it from the experiment's ClaimSpec and
// ClaimEvidence; nothing edits it afterwards, and experiments never see it.
struct Claim {
  std::string id;
  std::string statement;  // as PAPER.md states it
  std::string rule;       // the verdict rule, thresholds fixed in PAPER.md
  nlohmann::json observed = nlohmann::json::object();
  // reproduced | not_reproduced | undecided_at_this_scale | descriptive
  std::string verdict;
  // {statistic, estimate, low, high, level, n, unit}; null when descriptive.
  // Unbounded ends (odds ratios) are the strings "inf" / "-inf".
  nlohmann::json effect;
  nlohmann::json runs;       // {planned, valid, excluded: {reason: count}}
  std::string reason;        // non-empty whenever undecided
  // Why, in one word: decided, descriptive, smoke_tier, too_few_valid,
  // ceiling, undefined, interval_wide.
  std::string reason_code;
  nlohmann::json to_decide;  // {tier, command, core_hours} when undecided
  std::string design;        // this tier's design, in words
  bool reconstructed = false;  // P2 setup reconstructed by us
  nlohmann::json source = nlohmann::json::object();  // {paper, p1_script}
  std::string variant_of;  // the claim this one is a variant of
  // Under --until_decided: {look, looks, level, runs} of the look that
  // decided it (look null: no look did); null otherwise.
  nlohmann::json sequential;
};

// A 2-D plot, rendered by gnuplot (src/harness/figures.h). Only the
// numbers (name, each series' x, y, y_error) are part of a golden
// comparison; every other field says how to draw them.
//
// Series styles:
//   "points", "lines", "linespoints", "boxes", "errorbars" (y +- y_error)
//   "histogram"  the y values binned (x is ignored); the figure's x axis is
//                the value, its y axis the share of the series per bin, so
//                groups of different sizes compare (P1's survived vs dead)
//   "mean_band"  per distinct x: the mean of the y values with its 95 %
//                Student band, the points themselves jittered behind it
//   "none"       kept in the data, not drawn (e.g. a mean a band replaced)
//   "hline"      a threshold (y[0]) drawn across the whole plot, labelled
//   "rate"       y = a rate of trials[i] Bernoulli trials, drawn with its
//                95 % Clopper-Pearson bar
struct Series {
  std::string label;
  // points, lines, linespoints, boxes, errorbars, histogram, mean_band,
  // rate, hline, none, context (thin grey background lines sharing one
  // legend entry, e.g. dead frequencies) or heatmap (cells at integer (x, y)
  // coloured by z on a diverging palette centred at 0).
  std::string style = "points";
  std::vector<double> x, y;
  std::vector<double> y_error;  // only for "errorbars"
  std::vector<double> trials;   // only for "rate"
  std::vector<double> z;        // only for "heatmap": the cell colour at (x, y)
  bool excluded = false;        // excluded runs: hollow grey markers
};
// A labelled line across the whole plot at x = value or y = value.
struct RefLine {
  std::string axis = "y";  // "x" or "y"
  double value = 0;
  std::string label;
};
struct Figure {
  std::string name;  // file stem
  std::string title, xlabel, ylabel;
  bool log_x = false, log_y = false;
  std::vector<Series> series;
  // What to look for, one or two sentences; the report prints it as
  // "Figure N. caption (cf. paper_figure)".
  std::string caption;
  std::string paper_figure;  // e.g. "P1 Sec. 3.1, analysis/plot_num_circles.py"
  std::vector<RefLine> ref_lines;
  bool integer_x = false, integer_y = false;  // integer ticks only
  // Named ticks {position, label} (e.g. a heatmap's cell indices by their
  // values); when set they replace the axis's numeric ticks.
  std::vector<std::pair<double, std::string>> x_tics, y_tics;
  // Fixed y range (rates: -0.05 .. 1.05); NaN = fitted to the data.
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  // Legend inside a corner ("top right", "top left", "bottom right",
  // "bottom left") or "below" the plot.
  std::string legend = "top right";
};

struct ExperimentResult {
  nlohmann::json data = nlohmann::json::object();   // figure numbers
  nlohmann::json stats = nlohmann::json::object();  // p-values: keys "p*"
  // One entry per claim tested at this tier, in report order; ids are the
  // experiment's ClaimSpecs (or "ID@STEP" for per-checkpoint ones). The
  // driver decides each one; Analyze never sees a verdict.
  std::vector<ClaimEvidence> evidence;
  // Transitional: claims an unconverted experiment decided itself.
  std::vector<Claim> claims;
  std::vector<Figure> figures;
  std::vector<std::string> notes;  // deviations from P1's code, etc.
};

class Experiment {
 public:
  virtual ~Experiment() = default;
  virtual std::string Name() const = 0;         // e.g. "MA-survival"
  virtual std::string Description() const = 0;  // one line for `repro list`
  // Every claim the experiment can test, in report order (`repro claims`).
  virtual std::vector<ClaimSpec> ClaimSpecs() const { return {}; }

  // The design of `tier` (its preset with this instance's overrides), as
  // field -> value; null for an experiment without a design schema.
  virtual nlohmann::json DesignJson(Tier tier) const { return nullptr; }
  virtual std::vector<DesignFieldInfo> DesignFields() const { return {}; }
  // Sets the overrides every later Plan/Analyze/DesignJson applies to the
  // tier's preset. Checked against every tier's preset at once, so a bad
  // field or value is an InvalidArgument before anything runs.
  virtual absl::Status SetOverrides(
      const std::vector<DesignOverride>& overrides);
  const std::vector<DesignOverride>& Overrides() const { return overrides_; }
  bool ModifiedDesign() const { return !overrides_.empty(); }
  // Constraints between fields of `tier`'s design, overrides applied
  // (e.g. a step count that must be a multiple of a recording interval):
  // InvalidArgument naming the fields and the expected values. The
  // commands call it for the tier they run before anything is trained, so
  // a design no analysis could read is refused, not trained.
  virtual absl::Status CheckDesign(Tier tier) const {
    return absl::OkStatus();
  }

  virtual std::vector<RunSpec> Plan(Tier tier) const = 0;
  // The initial state of a run when the seeds alone do not define it
  // (handcrafted or perturbed embeddings). Default: drawn from the seeds.
  virtual absl::StatusOr<InitialState> InitialStateFor(
      const RunSpec& spec) const;
  virtual absl::StatusOr<ExperimentResult> Analyze(
      Tier tier, const std::vector<RunRecord>& runs) const = 0;

 protected:
  std::vector<DesignOverride> overrides_;
};

// An experiment whose design is a struct D with one preset per tier and a
// schema (src/harness/design.h). Subclasses implement Preset and Schema
// and read their design with DesignAt(tier), never a tier switch of their
// own.
template <typename D>
class DesignedExperiment : public Experiment {
 public:
  // The tier's preset: one table per experiment, committed before the
  // tier's first run.
  virtual D Preset(Tier tier) const = 0;
  virtual const DesignSchema<D>& Schema() const = 0;

  // Preset(tier) with the overrides applied (they were checked when set).
  D DesignAt(Tier tier) const {
    D d = Preset(tier);
    (void)Schema().Apply(overrides_, &d);
    return d;
  }
  nlohmann::json DesignJson(Tier tier) const override {
    return Schema().ToJson(DesignAt(tier));
  }
  std::vector<DesignFieldInfo> DesignFields() const override {
    return Schema().Fields();
  }
  absl::Status CheckDesign(Tier tier) const override {
    return CheckFields(DesignAt(tier));
  }
  // CheckDesign's constraints, on one design. Default: none.
  virtual absl::Status CheckFields(const D& d) const {
    return absl::OkStatus();
  }
  absl::Status SetOverrides(
      const std::vector<DesignOverride>& overrides) override {
    for (Tier t : {Tier::kSmoke, Tier::kCi, Tier::kNightly, Tier::kPaper}) {
      D d = Preset(t);
      absl::Status s = Schema().Apply(overrides, &d);
      if (!s.ok()) return s;
    }
    overrides_ = overrides;
    return absl::OkStatus();
  }
};

// Registry. Experiments register themselves at static-initialisation time.
using ExperimentFactory = std::unique_ptr<Experiment> (*)();
bool RegisterExperiment(ExperimentFactory factory);
std::vector<std::string> ExperimentNames();  // sorted
absl::StatusOr<std::unique_ptr<Experiment>> MakeExperiment(
    const std::string& name);

#define REGISTER_EXPERIMENT(Class)                                  \
  static const bool initrepro_registered_##Class =                  \
      ::initrepro::RegisterExperiment(+[]() -> std::unique_ptr<     \
                                          ::initrepro::Experiment> { \
        return std::make_unique<Class>();                           \
      })

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_EXPERIMENT_H_
