// Claims as data: what a claim says, where it comes from and how it is
// tested (ClaimSpec, declared once per claim by its experiment), apart from
// what the runs showed (ClaimEvidence, returned by the experiment's
// Analyze). The driver joins the two and the verdict engine decides
// (src/verdict/verdict.h); no experiment sees a verdict.
//
// The rule sentence a report prints is generated from the spec
// (RuleSentence), so prose and thresholds cannot disagree; `repro claims`
// prints every spec and docs/claims.md is generated from it.
#ifndef INITREPRO_SRC_VERDICT_CLAIM_SPEC_H_
#define INITREPRO_SRC_VERDICT_CLAIM_SPEC_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace initrepro {

enum class Statistic {
  kPearson,
  kSpearman,
  kMeanDifference,
  kPairedMean,
  kFraction,
  kMinFraction,
  kSignTest,
  kOddsRatio,
  // A fraction whose interval must lie inside [threshold, threshold_high]
  // (PAPER.md, "R1-inconsistent": lines form in some runs and not others).
  kFractionInside,
};
enum class Side { kGreater, kLess };

std::string StatisticName(Statistic s);  // "pearson", "fraction", ...

// Planned runs, valid runs and the excluded ones by reason ("diverged",
// "not_trained", "not_settled", "no_circle", ...).
struct RunTally {
  int64_t planned = 0;
  int64_t valid = 0;
  std::map<std::string, int64_t> excluded;
  void Add(const std::string& reason);  // "" = valid
  nlohmann::json ToJson() const;
};

struct ClaimSpec {
  std::string id;         // "EXPERIMENT/short-name"
  std::string statement;  // the claim as the paper (or we) state it
  std::string paper;      // source: paper section, e.g. "P1 Sec. 3.2.1; P2"
  std::string p1_script;  // P1's script that draws it, "" when none
  bool reconstructed = false;  // P2 setup reconstructed by us
  std::string variant_of;      // id of the claim this one is a variant of

  // A curve the papers report without a test: no statistic, no verdict.
  bool descriptive = false;
  std::string reports;  // descriptive only: what is reported

  Statistic statistic = Statistic::kPearson;
  Side side = Side::kGreater;
  // What the statistic is computed on, e.g. "(initial S_k, survival rate)"
  // for a correlation, "trained runs whose clusters form a line" for a
  // fraction.
  std::string quantity;
  std::string unit;  // one row of the unit table, e.g. "(reference seed, k)"
  // The v1 rule: the estimate must pass `threshold` (strictly for
  // correlations and differences unless `inclusive`; fractions always
  // inclusive), and p < max_p where v1 asks for a test (NaN: none).
  double threshold = 0;
  double threshold_high = std::numeric_limits<double>::quiet_NaN();
  bool inclusive = false;
  double max_p = std::numeric_limits<double>::quiet_NaN();
  // not_reproduced below this (in the claimed direction); NaN: the
  // engine's smallest effect of interest for the statistic (verdict.h).
  double smallest_effect = std::numeric_limits<double>::quiet_NaN();
  // Names of further v1 conditions on the point estimates; the evidence
  // gives each one's value, in this order.
  std::vector<std::string> conditions;
  std::string scope;  // further words of the rule, e.g. "over valid runs"
  // The claim is tested at several checkpoints: evidence ids "ID@STEP" are
  // this claim at STEP (the bare id is the last step).
  bool per_checkpoint = false;
  // The integer design field whose value the units grow with (e.g.
  // "seeds" when one unit is a (reference seed, k) rate): the planner's
  // way forward for this claim is `--set FIELD=N`. Empty: the planner says
  // how many runs, without a command that gets them.
  std::string scale_field;
  // The claim is decided in every cell of a map (e.g. d x weight decay):
  // evidence ids "ID@CELL" (CELL a label such as "d=128,wd=3") are each
  // decided by the engine like the bare id, but reported as data
  // (data.per_cell_verdicts[ID], one row per cell) rather than as claims,
  // and the claim of record (the bare id, e.g. the reconstructed default
  // cell) lists the cells per verdict in its observed numbers
  // (cells_reproduced, cells_not_reproduced, cells_undecided).
  bool per_cell = false;
  // A measured finding that no design of this experiment is known to
  // lift the share of valid runs to 80 % (e.g. longer runs leave more of
  // them below 0.99 test accuracy), with its source. Non-empty: a
  // too_few_valid verdict's way forward says so instead of naming the next
  // tier, whose runs would be no more valid.
  std::string validity_finding;
  // The claim whose reproduction this claim's nightly verdict needs to
  // speak for the paper's scale, e.g. MA-horizon/nightly-equals-paper for
  // claims read off survivor sets at the nightly step count (PAPER.md
  // "Designs (v3)", item 1: "a nightly verdict speaks for P1's 30000-step
  // runs only while that claim is reproduced"). The report states that
  // claim's verdict beside every nightly verdict of this one. Not part of
  // any result, so no golden changes with it.
  std::string nightly_depends_on;
  // Named by the design card (issue 17, section 5: MA-survival, MA-perturb
  // ours and P1's k, MA-handcrafted on P1's construction, MA-frozen at every
  // checkpoint, MA-controls): the claims the nightly tier exists to decide.
  // `repro power --tier=T` (no EXP) prices them apart. Not part of any
  // result, so no golden changes with it.
  bool design_card = false;
};

// What the runs showed for one claim; which members are read depends on
// the spec's statistic.
struct ClaimEvidence {
  std::string claim_id;  // a spec id, "ID@STEP" for per_checkpoint specs,
                         // "ID@CELL" for per_cell specs
  std::vector<double> x, y;  // kPearson, kSpearman: pairs
  std::vector<double> a, b;  // kMeanDifference: a - b; kPairedMean,
                             // kSignTest: a only
  // kFraction, kFractionInside: one {successes, trials}; kMinFraction: one
  // per group (named by group_labels); kOddsRatio: rows {yes, no} of group
  // 1, then group 2.
  std::vector<std::pair<int64_t, int64_t>> counts;
  std::vector<std::string> group_labels;
  // Values of the spec's conditions, same names, same order.
  std::vector<std::pair<std::string, bool>> conditions;
  RunTally runs;
  // Non-empty: the design cannot measure the claim (e.g. circle-count
  // ceiling reached); forces undecided with this sentence as the reason.
  std::string cannot_measure;
  nlohmann::json observed = nlohmann::json::object();  // extra numbers
  std::string design;  // this tier's design, in words
};

// The verdict rule in words, from the spec's fields alone.
std::string RuleSentence(const ClaimSpec& spec);

// Every field of the spec plus its rule sentence (`repro claims
// --format=json`).
nlohmann::json ClaimSpecToJson(const ClaimSpec& spec);

// The id of the spec an evidence id belongs to ("ID@500" -> "ID").
std::string SpecIdOf(const std::string& evidence_id);

// The spec of `specs` a claim or evidence id belongs to: the spec of that
// id, else the per_checkpoint or per_cell spec of SpecIdOf(id); nullptr
// when none.
const ClaimSpec* SpecFor(const std::vector<ClaimSpec>& specs,
                         const std::string& id);

}  // namespace initrepro

#endif  // INITREPRO_SRC_VERDICT_CLAIM_SPEC_H_
