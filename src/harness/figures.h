// Figures: a result's plots rendered with gnuplot (Debian gnuplot-nox).
//
// For each figure of a result JSON, writes DIR/NAME.csv (the plotted
// numbers: series, x, y, y_error), DIR/NAME.gp (the gnuplot script, with
// its data inline and output names relative to DIR, so `gnuplot NAME.gp`
// run inside DIR, or a copy of it, re-renders both pictures) and runs
// gnuplot there to produce DIR/NAME.svg and DIR/NAME.png.
//
// Drawing rules (the Figure fields of src/harness/experiment.h): ranges
// fitted to the data and the reference lines with a 5 % margin; reference
// lines across the whole plot, labelled; integer ticks on integer axes;
// the legend inside a corner or below; translucent markers where points
// pile up; histograms as shares per bin; means with a 95 % Student band;
// rates with 95 % Clopper-Pearson bars; excluded runs as hollow grey
// markers.
#ifndef INITREPRO_SRC_HARNESS_FIGURES_H_
#define INITREPRO_SRC_HARNESS_FIGURES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace initrepro {

// The gnuplot commands that draw figure `f` (its JSON form) on `terminal`
// into `output`.
std::string FigureScript(const nlohmann::json& f, const std::string& terminal,
                         const std::string& output);

enum class ImageKind { kPng, kSvg };

// OK when `path` is a complete picture of `kind`: it exists, is not empty,
// and a PNG starts with the PNG signature and ends with the IEND chunk, an
// SVG ends (after whitespace) with "</svg>". gnuplot exits 0 when the disk
// fills, leaving an empty or truncated file, so its outputs are checked.
// NotFound / DataLoss naming `path` otherwise.
absl::Status CheckImageFile(const std::string& path, ImageKind kind);

// Returns the stems written (DIR/STEM.png exists for each on success).
// gnuplot (found on PATH, run with DIR as its working directory, no shell)
// writes each picture under a temp name; each is checked (CheckImageFile)
// and renamed into place, so DIR/STEM.{svg,png} are complete or absent.
// Errors name the file: a gnuplot failure names DIR/STEM.gp and the log
// DIR/STEM.gnuplot.log (gnuplot's stderr, written on every run); a bad
// picture names DIR/STEM.svg or .png.
absl::StatusOr<std::vector<std::string>> RenderFigures(
    const nlohmann::json& result, const std::string& dir);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_FIGURES_H_
