// `repro geometry DIR`: the cluster geometry of a remainder-equivalence run
// directory written by `repro train` (e.g. a replayed PyTorch run): variance
// shares of the final cluster means, the line score, and both completeness
// percentiles (PAPER.md), printed as JSON.
#ifndef INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_
#define INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace initrepro {

// Exit code: 0 printed, 2 a bad or unreadable run directory (the message
// names the file and field).
int RunGeometryCommand(const std::vector<std::string>& args);

// The JSON RunGeometryCommand prints for DIR. Every input problem is a
// Status naming the file; a statistic that does not exist for the run (the
// Gram-alignment percentile needs m >= 3 clusters, the line ordering
// percentile m <= 10) is null with an "undefined" reason, never an abort.
absl::StatusOr<nlohmann::json> Geometry(const std::string& dir);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_
