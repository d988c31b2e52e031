#include "src/harness/figures.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/subprocess.h"
#include "src/stats/intervals.h"

namespace initrepro {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Colour-blind-safe palette (Okabe-Ito), one colour per series in order.
constexpr const char* kColours[] = {"0072B2", "D55E00", "009E73", "CC79A7",
                                    "E69F00", "56B4E9", "000000", "F0E442"};

std::string Quote(const std::string& s) {
  return absl::StrCat(
      "\"", absl::StrReplaceAll(s, {{"\"", "'"}, {"_", "\\\\_"}}), "\"");
}

std::string Num(double v) { return absl::StrFormat("%.17g", v); }

// A series as plain numbers, with the rows gnuplot can draw.
struct Rows {
  std::vector<double> x, y, e, n;
};

Rows Finite(const nlohmann::json& s, bool log_x, bool log_y) {
  Rows r;
  const auto& x = s["x"];
  const auto& y = s["y"];
  const bool errors = s.contains("y_error");
  const bool trials = s.contains("trials");
  for (size_t k = 0; k < x.size() && k < y.size(); ++k) {
    // Points an axis cannot show are left out of the picture (the CSV and
    // the result JSON keep them).
    if (!x[k].is_number() || !y[k].is_number()) continue;
    const double xv = x[k].get<double>(), yv = y[k].get<double>();
    if (!std::isfinite(xv) || !std::isfinite(yv)) continue;
    if ((log_x && xv <= 0) || (log_y && yv <= 0)) continue;
    r.x.push_back(xv);
    r.y.push_back(yv);
    r.e.push_back(errors && s["y_error"][k].is_number()
                      ? s["y_error"][k].get<double>()
                      : 0.0);
    r.n.push_back(trials && s["trials"][k].is_number()
                      ? s["trials"][k].get<double>()
                      : 0.0);
  }
  return r;
}

// Extent of the values drawn on one axis, grown by every point added.
struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool Empty() const { return lo > hi; }
};

// [lo, hi] padded by 5 % (a factor on a log axis), so that no point and no
// reference line lies on the frame.
std::pair<double, double> Padded(const Extent& e, bool log) {
  if (log) {
    const double f = e.lo == e.hi ? 2.0 : std::pow(e.hi / e.lo, 0.05);
    return {e.lo / f, e.hi * f};
  }
  const double span = e.hi - e.lo;
  const double pad = span > 0 ? 0.05 * span : std::max(0.5, 0.05 * std::fabs(e.lo));
  return {e.lo - pad, e.hi + pad};
}

// Integer ticks: every distinct value when there are few (the primes 11,
// 13, 17; d = 16, 32, 64, 128), else a whole-number step.
std::string IntegerTics(const std::string& axis, const std::vector<double>& values,
                        const std::pair<double, double>& range, bool log) {
  std::vector<double> distinct;
  for (double v : values)
    if (std::floor(v) == v) distinct.push_back(v);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // Only the x axis takes the distinct values (designs' grids); counts on
  // y get a regular whole-number step.
  if (axis == "x" && !distinct.empty() && distinct.size() <= 12) {
    std::vector<std::string> t;
    for (double v : distinct) t.push_back(absl::StrFormat("%.0f", v));
    return absl::StrCat("set ", axis, "tics (", absl::StrJoin(t, ", "), ")\n");
  }
  if (log) return absl::StrCat("set format ", axis, " \"%.0f\"\n");
  const double span = range.second - range.first;
  double step = 1;
  for (double s : {1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0,
                   1000.0})
    if (span / s <= 10) {
      step = s;
      break;
    }
  return absl::StrCat("set ", axis, "tics ", Num(step), "\nset format ", axis,
                      " \"%.0f\"\nset m", axis, "tics 1\n");
}

// One summary block of a "mean_band" series: x, mean, low, high (95 %
// Student interval of the mean; no band where one point).
std::vector<std::array<double, 4>> MeanBand(const Rows& r) {
  std::map<double, std::vector<double>> by_x;
  for (size_t i = 0; i < r.x.size(); ++i) by_x[r.x[i]].push_back(r.y[i]);
  std::vector<std::array<double, 4>> out;
  for (const auto& [x, ys] : by_x) {
    double mean = 0;
    for (double y : ys) mean += y;
    mean /= ys.size();
    double lo = mean, hi = mean;
    if (ys.size() >= 2) {
      const Interval ci = MeanInterval(ys, 0.95);
      if (ci.defined) {
        lo = ci.low;
        hi = ci.high;
      }
    }
    out.push_back({x, mean, lo, hi});
  }
  return out;
}

// Deterministic jitter: point i moves by one of 7 offsets in [-w, w].
double Jitter(size_t i, double w) { return w * (static_cast<double>(i % 7) - 3) / 3; }

}  // namespace

std::string FigureScript(const nlohmann::json& f, const std::string& terminal,
                         const std::string& output) {
  const bool log_x = f.value("log_x", false), log_y = f.value("log_y", false);
  std::string gp = absl::StrCat(
      "set terminal ", terminal, "\n", "set output \"", output, "\"\n",
      "set title ", Quote(f.value("title", "")), "\n", "set xlabel ",
      Quote(f.value("xlabel", "")), "\n", "set ylabel ",
      Quote(f.value("ylabel", "")), "\n",
      "set grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n"
      "set datafile missing 'NaN'\n");
  const std::string legend = f.value("legend", "top right");
  absl::StrAppend(&gp, legend == "below"
                           ? "set key below horizontal\n"
                           : absl::StrCat("set key inside ", legend,
                                          " opaque box lc rgb '#bbbbbb' "
                                          "samplen 2 spacing 1.1\n"));
  if (log_x) absl::StrAppend(&gp, "set logscale x\n");
  if (log_y) absl::StrAppend(&gp, "set logscale y\n");
  if (!f.contains("series") || f["series"].empty()) {
    absl::StrAppend(&gp, "unset logscale\nset label 1 'no data' at graph 0.5,0.5\n",
                    "plot [0:1] [0:1] NaN notitle\n");
    return gp;
  }

  // Histograms share one set of bins over every histogram series.
  Extent hist_values;
  for (const auto& s : f["series"])
    if (s.value("style", "") == "histogram")
      for (double v : Finite(s, false, false).y) hist_values.Add(v);
  int bins = 20;
  double bin_lo = 0, bin_w = 1;
  if (!hist_values.Empty()) {
    bin_lo = hist_values.lo;
    bin_w = hist_values.hi > hist_values.lo
                ? (hist_values.hi - hist_values.lo) / bins
                : 1.0;
  }

  Extent ex, ey;
  std::vector<double> all_x, all_y;
  std::string blocks, plots;
  // "hline" series (a threshold stored as two points) are drawn as
  // reference lines across the whole plot.
  nlohmann::json ref_lines = f.contains("ref_lines") && f["ref_lines"].is_array()
                                 ? f["ref_lines"]
                                 : nlohmann::json::array();
  int i = 0;
  bool context_titled = false;
  double heat_max = 0;  // largest |z| of heatmap cells
  for (const auto& s : f["series"]) {
    const std::string style = s.value("style", "points");
    if (style == "none") {  // kept in the data, not drawn
      ++i;
      continue;
    }
    if (style == "hline") {
      if (!s["y"].empty() && s["y"][0].is_number())
        ref_lines.push_back({{"axis", "y"},
                             {"value", s["y"][0]},
                             {"label", s.value("label", "")}});
      ++i;
      continue;
    }
    const bool excluded = s.value("excluded", false);
    // "context" lines (e.g. dead frequencies) are background: thin, light
    // grey, and one legend entry for all of them.
    const bool context = style == "context";
    const std::string colour =
        excluded ? "777777" : context ? "b0b0b0" : kColours[i % 8];
    const Rows r = Finite(s, log_x && style != "histogram", log_y);
    const std::string block = absl::StrCat("$s", i);
    std::string label = s.value("label", "");
    std::string body;
    std::string plot;
    if (style == "heatmap") {
      // One cell per (x, y) with colour z, on a diverging palette centred
      // at 0 (set below, once the largest |z| is known).
      const auto& z = s.contains("z") ? s["z"] : nlohmann::json::array();
      for (size_t k = 0; k < s["x"].size() && k < s["y"].size() && k < z.size();
           ++k) {
        const double xv = s["x"][k].get<double>(), yv = s["y"][k].get<double>();
        const double zv = z[k].is_number() ? z[k].get<double>() : 0.0;
        absl::StrAppend(&body, Num(xv), " ", Num(yv), " ", Num(zv), "\n");
        ex.Add(xv - 0.5);
        ex.Add(xv + 0.5);
        ey.Add(yv - 0.5);
        ey.Add(yv + 0.5);
        all_x.push_back(xv);
        all_y.push_back(yv);
        heat_max = std::max(heat_max, std::fabs(zv));
      }
      plot = absl::StrCat(block, " using 1:2:3 with image pixels");
    } else if (style == "histogram") {
      std::vector<double> counts(bins, 0);
      for (double v : r.y) {
        int b = static_cast<int>((v - bin_lo) / bin_w);
        counts[std::clamp(b, 0, bins - 1)] += 1;
      }
      for (int b = 0; b < bins; ++b) {
        const double x = bin_lo + (b + 0.5) * bin_w;
        const double share = r.y.empty() ? 0.0 : counts[b] / r.y.size();
        absl::StrAppend(&body, Num(x), " ", Num(share), "\n");
        ex.Add(bin_lo + b * bin_w);
        ex.Add(bin_lo + (b + 1) * bin_w);
        ey.Add(share);
        ey.Add(0);
      }
      label = absl::StrCat(label, " (n = ", r.y.size(), ")");
      plot = absl::StrCat(block, " using 1:2:(", Num(bin_w),
                          ") with boxes fs transparent solid 0.35 border lc rgb '#",
                          colour, "' lc rgb '#", colour, "'");
    } else if (style == "mean_band") {
      const auto band = MeanBand(r);
      std::string raw;
      // The runs behind the mean, jittered sideways and translucent so
      // that coinciding integer values show as a thicker cloud.
      double min_gap = std::numeric_limits<double>::infinity();
      for (size_t k = 1; k < band.size(); ++k)
        min_gap = std::min(min_gap, log_x ? std::log(band[k][0] / band[k - 1][0])
                                          : band[k][0] - band[k - 1][0]);
      const double w = std::isfinite(min_gap) ? 0.12 * min_gap : 0.0;
      for (size_t k = 0; k < r.x.size(); ++k) {
        const double x = log_x ? r.x[k] * std::exp(Jitter(k, w)) : r.x[k] + Jitter(k, w);
        absl::StrAppend(&raw, Num(x), " ", Num(r.y[k]), "\n");
        ex.Add(x);
        ey.Add(r.y[k]);
        all_x.push_back(r.x[k]);
        all_y.push_back(r.y[k]);
      }
      for (const auto& b : band) {
        absl::StrAppend(&body, Num(b[0]), " ", Num(b[1]), " ", Num(b[2]), " ",
                        Num(b[3]), "\n");
        ey.Add(b[2]);
        ey.Add(b[3]);
      }
      absl::StrAppend(&blocks, block, "r << EOD\n", raw, "NaN NaN\nEOD\n");
      plot = absl::StrCat(
          block, " using 1:3:4 with filledcurves fs transparent solid 0.2 "
          "noborder lc rgb '#", colour, "' title ",
          Quote(absl::StrCat("95 % band of the mean")), ", ", block,
          "r using 1:2 with points pt 7 ps 0.45 lc rgb '#80", colour,
          "' title ", Quote(absl::StrCat(label, ": runs")), ", ", block,
          " using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#", colour,
          "'");
      label = absl::StrCat(label, ": mean");
    } else if (style == "rate") {
      for (size_t k = 0; k < r.x.size(); ++k) {
        double lo = r.y[k], hi = r.y[k];
        const int64_t n = static_cast<int64_t>(std::llround(r.n[k]));
        if (n >= 1) {
          const int64_t successes = std::llround(r.y[k] * n);
          const Interval ci = ClopperPearson(successes, n, 0.95);
          lo = ci.low;
          hi = ci.high;
        }
        absl::StrAppend(&body, Num(r.x[k]), " ", Num(r.y[k]), " ", Num(lo), " ",
                        Num(hi), "\n");
        ex.Add(r.x[k]);
        ey.Add(lo);
        ey.Add(hi);
        all_x.push_back(r.x[k]);
      }
      plot = absl::StrCat(block,
                          " using 1:2:3:4 with yerrorlines pt 7 ps 0.8 lw 1.5 "
                          "lc rgb '#",
                          colour, "'");
      label = absl::StrCat(label, " (95 % Clopper-Pearson bars)");
    } else {
      const bool many = r.x.size() > 150;
      for (size_t k = 0; k < r.x.size(); ++k) {
        absl::StrAppend(&body, Num(r.x[k]), " ", Num(r.y[k]));
        if (style == "errorbars") absl::StrAppend(&body, " ", Num(r.e[k]));
        absl::StrAppend(&body, "\n");
        ex.Add(r.x[k]);
        ey.Add(r.y[k] - (style == "errorbars" ? r.e[k] : 0));
        ey.Add(r.y[k] + (style == "errorbars" ? r.e[k] : 0));
        all_x.push_back(r.x[k]);
        all_y.push_back(r.y[k]);
      }
      // Translucent markers where points pile up, so density shows.
      const std::string rgb =
          absl::StrCat("lc rgb '#", many ? "90" : "", colour, "'");
      if (excluded)
        plot = absl::StrCat(block, " using 1:2 with points pt 6 ps 1 ", rgb);
      else if (style == "lines")
        plot = absl::StrCat(block, " using 1:2 with lines lw 2 ", rgb);
      else if (context)
        plot = absl::StrCat(block, " using 1:2 with lines lw 1 ", rgb);
      else if (style == "linespoints")
        plot = absl::StrCat(block, " using 1:2 with linespoints pt 7 ps 0.7 lw 1.5 ", rgb);
      else if (style == "boxes")
        plot = absl::StrCat(block, " using 1:2 with boxes fs solid 0.5 ", rgb);
      else if (style == "errorbars")
        plot = absl::StrCat(block, " using 1:2:3 with yerrorbars pt 7 ps 0.6 ", rgb);
      else
        plot = absl::StrCat(block, " using 1:2 with points pt 7 ps ",
                            many ? "0.5 " : "0.8 ", rgb);
    }
    absl::StrAppend(&blocks, block, " << EOD\n", body, "NaN NaN",
                    style == "errorbars" ? " NaN" : "",
                    style == "mean_band" || style == "rate" ? " NaN NaN" : "",
                    "\nEOD\n");
    const bool untitled = context && context_titled;
    context_titled = context_titled || context;
    absl::StrAppend(&plots, plots.empty() ? "plot " : ", \\\n     ", plot,
                    untitled ? " notitle" : absl::StrCat(" title ", Quote(label)));
    ++i;
  }

  // Reference lines across the whole range, labelled; the range includes
  // them with a margin, so none sits on the frame.
  int arrow = 1;
  std::string refs;
  for (const auto& line : ref_lines) {
      const double v = line.value("value", 0.0);
      const bool on_x = line.value("axis", "y") == "x";
      (on_x ? ex : ey).Add(v);
      const std::string text = line.value("label", "");
      if (on_x) {
        absl::StrAppend(&refs, "set arrow ", arrow, " from first ", Num(v),
                        ", graph 0 to first ", Num(v),
                        ", graph 1 nohead dt 2 lw 1.5 lc rgb '#aa0000' front\n",
                        "set label ", arrow, " ", Quote(text), " at first ",
                        Num(v), ", graph 0.97 offset 0.5,0 left tc rgb '#aa0000' front\n");
      } else {
        absl::StrAppend(&refs, "set arrow ", arrow, " from graph 0, first ",
                        Num(v), " to graph 1, first ", Num(v),
                        " nohead dt 2 lw 1.5 lc rgb '#aa0000' front\n",
                        "set label ", arrow, " ", Quote(text),
                        " at graph 0.02, first ", Num(v),
                        " offset 0,0.7 left tc rgb '#aa0000' front\n");
      }
      ++arrow;
    }
  absl::StrAppend(&gp, refs);

  // Ranges fitted to the data (and the reference lines).
  std::pair<double, double> xr{0, 1}, yr{0, 1};
  if (!ex.Empty()) xr = Padded(ex, log_x);
  if (!ey.Empty()) yr = Padded(ey, log_y);
  if (f.contains("y_min") && f["y_min"].is_number()) yr.first = f["y_min"].get<double>();
  if (f.contains("y_max") && f["y_max"].is_number()) yr.second = f["y_max"].get<double>();
  absl::StrAppend(&gp, "set xrange [", Num(xr.first), ":", Num(xr.second), "]\n",
                  "set yrange [", Num(yr.first), ":", Num(yr.second), "]\n");
  if (f.value("integer_x", false))
    absl::StrAppend(&gp, IntegerTics("x", all_x, xr, log_x));
  else if (log_x)
    absl::StrAppend(&gp, "set format x \"%g\"\n");
  if (f.value("integer_y", false))
    absl::StrAppend(&gp, IntegerTics("y", all_y, yr, log_y));
  if (heat_max > 0)
    absl::StrAppend(&gp,
                    "set palette defined (-1 '#3b4cc0', 0 '#f7f7f7', 1 "
                    "'#b40426')\nset cbrange [",
                    Num(-heat_max), ":", Num(heat_max), "]\nset size square\n");
  if (plots.empty()) plots = "plot NaN notitle";
  return absl::StrCat(gp, blocks, plots, "\n");
}

namespace {

std::string Csv(const nlohmann::json& f) {
  std::string csv = "series,x,y,y_error\n";
  for (const auto& s : f["series"]) {
    const bool errors = s.contains("y_error");
    for (size_t k = 0; k < s["x"].size(); ++k) {
      auto num = [](const nlohmann::json& v) {
        return v.is_number() ? Num(v.get<double>()) : std::string("NaN");
      };
      absl::StrAppend(&csv, "\"", s["label"].get<std::string>(), "\",",
                      num(s["x"][k]), ",", num(s["y"][k]), ",",
                      errors ? num(s["y_error"][k]) : "", "\n");
    }
  }
  return csv;
}

}  // namespace

absl::Status CheckImageFile(const std::string& path, ImageKind kind) {
  const char* what = kind == ImageKind::kPng ? "PNG" : "SVG";
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok())
    return absl::Status(bytes.status().code(),
                        absl::StrCat(bytes.status().message(),
                                     " (expected gnuplot to have written it)"));
  if (bytes->empty())
    return absl::DataLossError(absl::StrCat(
        path, ": gnuplot wrote an empty ", what,
        " file (is the disk full?)"));
  if (kind == ImageKind::kPng) {
    // The 8-byte signature, and the IEND chunk (length 0, type, CRC) that
    // ends every complete PNG: a truncated file lacks it.
    static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
    static constexpr char kIend[] = "\0\0\0\0IEND\xae\x42\x60\x82";
    if (bytes->size() < 8 || bytes->compare(0, 8, kSignature, 8) != 0)
      return absl::DataLossError(
          absl::StrCat(path, ": not a PNG file (bad signature)"));
    if (bytes->size() < 8 + 12 ||
        bytes->compare(bytes->size() - 12, 12, kIend, 12) != 0)
      return absl::DataLossError(absl::StrCat(
          path, ": truncated PNG file (no IEND chunk at the end; is the disk "
                "full?)"));
    return absl::OkStatus();
  }
  size_t end = bytes->size();
  while (end > 0 && std::isspace(static_cast<unsigned char>((*bytes)[end - 1])))
    --end;
  constexpr absl::string_view kClose = "</svg>";
  if (end < kClose.size() ||
      absl::string_view(*bytes).substr(end - kClose.size(), kClose.size()) !=
          kClose)
    return absl::DataLossError(absl::StrCat(
        path, ": truncated SVG file (does not end with </svg>; is the disk "
              "full?)"));
  return absl::OkStatus();
}

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
    // Output names relative to the script: `cd figures && gnuplot X.gp`
    // re-renders both pictures anywhere the folder is copied.
    const std::string svg_terminal = "svg size 900,560 dynamic font 'sans,13'";
    const std::string png_terminal = "pngcairo size 900,560 font 'sans,11'";
    RETURN_IF_ERROR(WriteFileAtomic(
        base + ".gp",
        absl::StrCat(FigureScript(f, svg_terminal, stem + ".svg"),
                     "reset session\n",
                     FigureScript(f, png_terminal, stem + ".png"))));
    // What runs is the same script with temp output names: the pictures are
    // checked, then renamed into place, as our own files are. Names are
    // relative to `dir`, which the child enters itself (no shell, so any
    // byte of `dir` is fine; the names below are ours and quote-free).
    const std::string tag = absl::StrCat(".tmp.", ::getpid());
    const std::string tmp_svg = absl::StrCat(".", stem, ".svg", tag);
    const std::string tmp_png = absl::StrCat(".", stem, ".png", tag);
    const std::string tmp_gp = absl::StrCat(".", stem, ".gp", tag);
    auto cleanup = [&] {
      for (const std::string& t : {tmp_svg, tmp_png, tmp_gp})
        ::unlink(absl::StrCat(dir, "/", t).c_str());
    };
    absl::Status status = WriteFileAtomic(
        absl::StrCat(dir, "/", tmp_gp),
        absl::StrCat(FigureScript(f, svg_terminal, tmp_svg), "reset session\n",
                     FigureScript(f, png_terminal, tmp_png)));
    ProcessOptions in_dir;
    in_dir.cwd = dir;
    absl::StatusOr<ProcessResult> run =
        status.ok() ? RunProcess({"gnuplot", tmp_gp}, in_dir)
                    : absl::StatusOr<ProcessResult>(status);
    if (run.ok())
      status = WriteFileAtomic(base + ".gnuplot.log", run->stderr_text);
    else
      status = run.status();
    if (status.ok() && (run->exit_code != 0 || run->signal != 0)) {
      std::string first_line = run->stderr_text.substr(
          0, std::min(run->stderr_text.find('\n'), size_t{300}));
      status = absl::InternalError(absl::StrCat(
          "gnuplot failed on ", base, ".gp (",
          run->signal != 0 ? absl::StrCat("signal ", run->signal)
                           : absl::StrCat("exit status ", run->exit_code),
          first_line.empty() ? "" : absl::StrCat(": ", first_line), "); see ",
          base, ".gnuplot.log"));
    }
    // Checked under the final name the user will look for.
    for (const auto& [tmp, kind, ext] :
         {std::make_tuple(tmp_svg, ImageKind::kSvg, ".svg"),
          std::make_tuple(tmp_png, ImageKind::kPng, ".png")}) {
      if (!status.ok()) break;
      const std::string tmp_path = absl::StrCat(dir, "/", tmp);
      status = CheckImageFile(tmp_path, kind);
      if (!status.ok())
        status = absl::Status(
            status.code(),
            absl::StrCat(base, ext, ": ", status.message()));
    }
    for (const auto& [tmp, ext] :
         {std::make_pair(tmp_svg, ".svg"), std::make_pair(tmp_png, ".png")}) {
      if (!status.ok()) break;
      if (::rename(absl::StrCat(dir, "/", tmp).c_str(),
                   absl::StrCat(base, ext).c_str()) != 0)
        status = absl::ErrnoToStatus(
            errno, absl::StrCat(base, ext, ": rename from ", dir, "/", tmp));
    }
    cleanup();
    RETURN_IF_ERROR(status);
    stems.push_back(stem);
  }
  return stems;
}

}  // namespace initrepro
