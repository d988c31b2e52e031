// The report: one report.md and report.html over experiment results, with,
// per claim, the paper's statement, our figure, our numbers, the verdict
// and the scale it was decided at.
#ifndef INITREPRO_SRC_HARNESS_REPORT_H_
#define INITREPRO_SRC_HARNESS_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace initrepro {

// Writes DIR/report.md, DIR/report.html and DIR/figures/*. `results` are
// result JSONs (as in golden/); `golden_match[i]` says whether result i
// matched its committed golden ("" when not checked).
absl::Status WriteReport(const std::vector<nlohmann::json>& results,
                         const std::vector<std::string>& golden_match,
                         const std::string& dir);

// The verdict table printed by `repro run` / the README's first command.
std::string VerdictTable(const std::vector<nlohmann::json>& results);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_REPORT_H_
