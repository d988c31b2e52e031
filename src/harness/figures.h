// Figures: a result's plots rendered with gnuplot (Debian gnuplot-nox).
//
// For each figure of a result JSON, writes DIR/NAME.csv (the plotted
// numbers: series, x, y, y_error), DIR/NAME.gp (the gnuplot script) and
// runs gnuplot to produce DIR/NAME.svg and DIR/NAME.png.
#ifndef INITREPRO_SRC_HARNESS_FIGURES_H_
#define INITREPRO_SRC_HARNESS_FIGURES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace initrepro {

// Returns the stems written (DIR/STEM.png exists for each on success).
absl::StatusOr<std::vector<std::string>> RenderFigures(
    const nlohmann::json& result, const std::string& dir);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_FIGURES_H_
