// The JSON form of an experiment's result, which is also its golden file
// (golden/EXPERIMENT.TIER.json), and the comparison `repro check` runs.
//
// Comparison rule: every value must match exactly (doubles bit for bit,
// through JSON's round-trip formatting), except numbers computed by library
// code that is not bit-stable across machines or Boost versions: any number
// under a key named "p" or starting with "p_", and every number of a
// claim's `effect` (interval bounds from Boost quantiles), match at
// relative 1e-12. Of a figure only its name and the plotted numbers (each
// series' x, y, y_error, and the number of figures and series) are
// compared: titles, labels, styles, captions and axes say how to draw
// them, and change without a bless.
#ifndef INITREPRO_SRC_HARNESS_RESULT_H_
#define INITREPRO_SRC_HARNESS_RESULT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"

namespace initrepro {

// 2: claims carry effect, runs, reason and to_decide (verdicts v2).
// 3: the result carries its design (field -> value), overrides and
//    modified_design; claims carry source, reason_code and variant_of, and
//    their rule sentence is generated from the claim's spec.
inline constexpr int kResultFormatVersion = 3;

// A claim as results and goldens hold it (fields of older formats that are
// missing read as empty).
void to_json(nlohmann::json& j, const Claim& c);
void from_json(const nlohmann::json& j, Claim& c);

// A result (or golden) file as a struct. Reading tolerates older formats:
// a field that format 2 lacks (design, overrides, modified_design, claims'
// source and reason_code) reads as empty; a field of the wrong type is a
// nlohmann::json::type_error naming it, and a claim without an id an
// out_of_range error (ParseStoredResult turns both into a Status). Fields
// this struct does not name are not kept: a round trip of the current
// format is exact (result_test), of an older one it fills the new fields.
struct StoredRun {
  std::string key;     // RunKey(spec)
  std::string digest;  // RunRecord::digest
  bool diverged = false;
};
struct StoredResult {
  int format_version = 0;  // 0 when absent
  std::string experiment, tier, description;
  std::string commit;  // set by merged shards only; "" when absent
  int64_t num_runs = 0, num_diverged = 0;
  std::vector<StoredRun> runs;
  nlohmann::json data = nlohmann::json::object();
  nlohmann::json stats = nlohmann::json::object();
  nlohmann::json design;  // field -> value; null when absent (format 2)
  std::vector<std::string> overrides;  // "field=value"
  bool modified_design = false;
  std::vector<Claim> claims;
  nlohmann::json figures = nlohmann::json::array();  // as ResultToJson writes them
  nlohmann::json notes = nlohmann::json::array();
};
void to_json(nlohmann::json& j, const StoredRun& r);
void from_json(const nlohmann::json& j, StoredRun& r);
void to_json(nlohmann::json& j, const StoredResult& r);
void from_json(const nlohmann::json& j, StoredResult& r);

// from_json without exceptions: InvalidArgument "WHERE: ..." with
// nlohmann's description of the field at fault.
absl::StatusOr<StoredResult> ParseStoredResult(const nlohmann::json& j,
                                               const std::string& where);

nlohmann::json ResultToJson(const Experiment& experiment, Tier tier,
                            const std::vector<RunRecord>& runs,
                            const ExperimentResult& result);

// Checks that `j` is a result of this format version for the given
// experiment and tier; the message names the field.
absl::Status ValidateResultJson(const nlohmann::json& j,
                                const std::string& experiment, Tier tier,
                                const std::string& where);

// Human-readable differences, "path: golden X, now Y"; empty = match.
std::vector<std::string> CompareResults(const nlohmann::json& golden,
                                        const nlohmann::json& now);


}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_RESULT_H_
