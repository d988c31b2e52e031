// `repro geometry DIR`: what the analyses read from one run directory written
// by `repro train` (e.g. a replayed PyTorch run), printed as JSON (README,
// "Replaying a PyTorch run"):
//   - modular addition: per k = 1..(p-1)/2 the initial and final Fourier
//     signal S_k and the initial circularity, the 2 x mean threshold, the
//     surviving circles, and whether the run is trained and settled and so
//     valid by the v2 rules (src/experiments/common.h; settled needs
//     DIR/snapshots/embedding_S.npy at S = 80 % of the steps, else it is
//     null with the reason);
//   - remainder equivalence: variance shares of the final cluster means, the
//     line score, and both completeness percentiles (PAPER.md).
// Multi-digit XOR runs are refused (field 'config/task').
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
// percentile m <= 10) or that the record cannot decide (settled without the
// 80 % snapshot) is null with an "undefined" reason, never an abort.
absl::StatusOr<nlohmann::json> Geometry(const std::string& dir);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_GEOMETRY_COMMAND_H_
