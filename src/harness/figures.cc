#include "src/harness/figures.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

std::string Quote(const std::string& s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "'"}, {"_", "\\\\_"}}),
                      "\"");
}

std::string PlotStyle(const std::string& style) {
  if (style == "lines") return "with lines lw 2";
  if (style == "linespoints") return "with linespoints pt 7 ps 0.6 lw 1.5";
  if (style == "boxes") return "with boxes fill solid 0.5";
  if (style == "errorbars") return "with yerrorbars pt 7 ps 0.6";
  return "with points pt 7 ps 0.8";
}

// Inline data blocks keep each figure one self-contained script.
std::string Script(const nlohmann::json& f, const std::string& stem,
                   const std::string& terminal, const std::string& output) {
  std::string gp = absl::StrCat("set terminal ", terminal, "\n",
                                "set output \"", output, "\"\n",
                                "set title ", Quote(f["title"]), "\n",
                                "set xlabel ", Quote(f["xlabel"]), "\n",
                                "set ylabel ", Quote(f["ylabel"]), "\n",
                                "set key outside right top\nset grid\n");
  if (f["log_x"].get<bool>()) absl::StrAppend(&gp, "set logscale x\n");
  if (f["log_y"].get<bool>()) absl::StrAppend(&gp, "set logscale y\n");
  // An empty data block would make gnuplot fail; a dummy NaN point keeps
  // the figure (and its key) without drawing anything.
  absl::StrAppend(&gp, "set datafile missing 'NaN'\n");
  if (f["series"].empty()) {
    absl::StrAppend(&gp, "unset logscale\nset label 1 'no data' at graph 0.5,0.5\n",
                    "plot [0:1] [0:1] NaN notitle\n");
    return gp;
  }
  std::string plots, blocks;
  int i = 0;
  const bool log_x = f["log_x"].get<bool>(), log_y = f["log_y"].get<bool>();
  for (const auto& s : f["series"]) {
    const std::string block = absl::StrCat("$s", i);
    absl::StrAppend(&blocks, block, " << EOD\n");
    const auto& x = s["x"];
    const auto& y = s["y"];
    const bool errors = s.contains("y_error");
    for (size_t k = 0; k < x.size(); ++k) {
      // Points a log axis cannot show are left out of the picture (the CSV
      // and the result JSON keep them).
      if (!x[k].is_number() || !y[k].is_number()) continue;
      const double xv = x[k].get<double>(), yv = y[k].get<double>();
      if (!std::isfinite(xv) || !std::isfinite(yv)) continue;
      if ((log_x && xv <= 0) || (log_y && yv <= 0)) continue;
      absl::StrAppend(&blocks, absl::StrFormat("%.17g %.17g", x[k].get<double>(),
                                               y[k].get<double>()));
      if (errors)
        absl::StrAppend(&blocks,
                        absl::StrFormat(" %.17g", s["y_error"][k].get<double>()));
      absl::StrAppend(&blocks, "\n");
    }
    absl::StrAppend(&blocks, "NaN NaN", errors ? " NaN" : "", "\nEOD\n");
    absl::StrAppend(&plots, i ? ", " : "plot ", block, " using 1:2",
                    errors ? ":3 " : " ", PlotStyle(s["style"]), " title ",
                    Quote(s["label"]));
    ++i;
  }
  (void)stem;
  return absl::StrCat(gp, blocks, plots, "\n");
}

std::string Csv(const nlohmann::json& f) {
  std::string csv = "series,x,y,y_error\n";
  for (const auto& s : f["series"]) {
    const bool errors = s.contains("y_error");
    for (size_t k = 0; k < s["x"].size(); ++k) {
      absl::StrAppend(
          &csv, "\"", s["label"].get<std::string>(), "\",",
          absl::StrFormat("%.17g,%.17g,", s["x"][k].get<double>(),
                          s["y"][k].get<double>()),
          errors ? absl::StrFormat("%.17g", s["y_error"][k].get<double>())
                 : "",
          "\n");
    }
  }
  return csv;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> RenderFigures(
    const nlohmann::json& result, const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  std::vector<std::string> stems;
  for (const auto& f : result["figures"]) {
    const std::string stem =
        absl::StrCat(result["experiment"].get<std::string>(), "_",
                     f["name"].get<std::string>());
    const std::string base = absl::StrCat(dir, "/", stem);
    RETURN_IF_ERROR(WriteFileAtomic(base + ".csv", Csv(f)));
    const std::string script =
        absl::StrCat(Script(f, stem, "svg size 900,560 dynamic", base + ".svg"),
                     Script(f, stem, "pngcairo size 900,560", base + ".png"));
    RETURN_IF_ERROR(WriteFileAtomic(base + ".gp", script));
    const std::string command =
        absl::StrCat("gnuplot '", base, ".gp' 2> '", base, ".gnuplot.log'");
    if (std::system(command.c_str()) != 0) {
      return absl::InternalError(absl::StrCat(
          "gnuplot failed on ", base, ".gp; see ", base, ".gnuplot.log"));
    }
    stems.push_back(stem);
  }
  return stems;
}

}  // namespace initrepro
