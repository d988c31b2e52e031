// Figures: a result's plots rendered with gnuplot (Debian gnuplot-nox).
//
// For each figure of a result JSON, writes DIR/NAME.csv (the plotted
// numbers and their uncertainty as drawn: series, style, x, y, y_error,
// low, high, n), DIR/NAME.gp (the gnuplot script, with
// its data inline and output names relative to DIR, so `gnuplot NAME.gp`
// run inside DIR, or a copy of it, re-renders both pictures) and runs
// gnuplot there to produce DIR/NAME.svg and DIR/NAME.png.
//
// Drawing rules (the Figure fields of src/harness/experiment.h): ranges
// fitted to the data and the reference lines with a 5 % margin; reference
// lines across the whole plot, labelled outside the data; integer ticks
// on integer axes; log axes labelled at every decade, with minor ticks;
// the legend below the plot when it has several entries (inside the named
// corner when one); a distinct colour, point and dash type per series;
// marked series on an integer x grid dodged sideways; translucent markers
// where points pile up; histograms as shares per bin; means with a 99 %
// Student band; rates with 99 % Clopper-Pearson bars and n per point;
// excluded runs as hollow grey circles whatever their style; lines broken
// where a point is missing; "xinterval" rows (x = estimate, x_low, x_high
// at row y, labelled by the figure's y_tics) for the forest plot.
#ifndef INITREPRO_SRC_HARNESS_FIGURES_H_
#define INITREPRO_SRC_HARNESS_FIGURES_H_

#include <array>
#include <string>
#include <utility>
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
//
// STEM = EXPERIMENT_NAME + stem_suffix (e.g. ".nightly" for a golden
// drawn beside this run's figure).
absl::StatusOr<std::vector<std::string>> RenderFigures(
    const nlohmann::json& result, const std::string& dir,
    const std::string& stem_suffix = "");

// The 99 % band of the mean per distinct x of (xs, ys): {x, mean, low,
// high}; low = high = mean where one point or no defined interval.
std::vector<std::array<double, 4>> MeanBand(const std::vector<double>& xs,
                                            const std::vector<double>& ys);

// The 99 % Clopper-Pearson bounds of a rate of `trials` trials; {rate,
// rate} when trials < 1.
std::pair<double, double> RateBounds(double rate, double trials);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_FIGURES_H_
