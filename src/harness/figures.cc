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
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/subprocess.h"
#include "src/stats/intervals.h"

namespace initrepro {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The level of every drawn interval: the verdicts' (docs/claims.md).
constexpr double kLevel = 0.99;
// Distinct colours, one per drawn series in order: Okabe-Ito, then Paul
// Tol's muted set; grey is reserved for excluded runs and context lines.
constexpr const char* kColours[] = {
    "0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9", "000000",
    "332288", "117733", "882255", "999933", "44AA99", "AA4499", "DDCC77",
    "88CCEE", "CC6677"};
constexpr int kNumColours = sizeof(kColours) / sizeof(kColours[0]);
// Filled point types and dash types cycled with the colours, so that
// series stay apart in grey print and where lines coincide.
constexpr int kPointTypes[] = {7, 5, 9, 11, 13, 15};
constexpr int kDashTypes[] = {1, 2, 4, 5, 3};

// Colour of the i-th drawn series: the palette, then hues spread by the
// golden angle (never two series of one figure alike).
std::string Colour(int i) {
  if (i < kNumColours) return kColours[i];
  const double h = std::fmod(0.618033988749895 * i, 1.0) * 6;
  const int sector = static_cast<int>(h);
  const double f = h - sector, v = 0.75, s = 0.8;
  const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  double r = v, g = t, b = p;
  switch (sector) {
    case 1: r = q, g = v, b = p; break;
    case 2: r = p, g = v, b = t; break;
    case 3: r = p, g = q, b = v; break;
    case 4: r = t, g = p, b = v; break;
    case 5: r = v, g = p, b = q; break;
  }
  return absl::StrFormat("%02X%02X%02X", static_cast<int>(r * 255),
                         static_cast<int>(g * 255), static_cast<int>(b * 255));
}

std::string Quote(const std::string& s) {
  return absl::StrCat(
      "\"", absl::StrReplaceAll(s, {{"\"", "'"}, {"_", "\\\\_"}}), "\"");
}

std::string Num(double v) { return absl::StrFormat("%.17g", v); }

// A long title broken into lines of at most ~70 characters (gnuplot
// clips a title wider than the plot).
std::string Wrap(const std::string& title) {
  std::vector<std::string> lines;
  for (absl::string_view given : absl::StrSplit(title, '\n')) {
    std::string line;
    for (absl::string_view word : absl::StrSplit(given, ' ')) {
      if (!line.empty() && line.size() + 1 + word.size() > 70) {
        lines.push_back(line);
        line.clear();
      }
      absl::StrAppend(&line, line.empty() ? "" : " ", word);
    }
    lines.push_back(line);
  }
  return absl::StrJoin(lines, "\n");
}

// A title for gnuplot: Quote() with "\n" kept as a line break.
std::string QuoteTitle(const std::string& s) {
  return absl::StrReplaceAll(Quote(s), {{"\n", "\\n"}});
}

// A series as plain numbers, with the rows gnuplot can draw; gap[k]: a
// point before row k could not be drawn (lines break there).
struct Rows {
  std::vector<double> x, y, e, n;
  std::vector<bool> gap;
};

Rows Finite(const nlohmann::json& s, bool log_x, bool log_y) {
  Rows r;
  const auto& x = s["x"];
  const auto& y = s["y"];
  const bool errors = s.contains("y_error");
  const bool trials = s.contains("trials");
  bool skipped = false;
  for (size_t k = 0; k < x.size() && k < y.size(); ++k) {
    // Points an axis cannot show are left out of the picture (the CSV and
    // the result JSON keep them).
    bool ok = x[k].is_number() && y[k].is_number();
    const double xv = ok ? x[k].get<double>() : kNaN;
    const double yv = ok ? y[k].get<double>() : kNaN;
    ok = ok && std::isfinite(xv) && std::isfinite(yv) && !(log_x && xv <= 0) &&
         !(log_y && yv <= 0);
    if (!ok) {
      skipped = !r.x.empty();
      continue;
    }
    r.x.push_back(xv);
    r.y.push_back(yv);
    r.e.push_back(errors && k < s["y_error"].size() && s["y_error"][k].is_number()
                      ? s["y_error"][k].get<double>()
                      : 0.0);
    r.n.push_back(trials && k < s["trials"].size() && s["trials"][k].is_number()
                      ? s["trials"][k].get<double>()
                      : 0.0);
    r.gap.push_back(skipped);
    skipped = false;
  }
  return r;
}

// Marks rows that follow a missing point of a regular grid: a step more
// than 1.5 times the smallest (on a log axis, in log x), so that a line
// does not bridge a grid value without data.
void MarkGridGaps(Rows* r, bool log_x) {
  std::vector<double> steps;
  for (size_t k = 1; k < r->x.size(); ++k) {
    const double d = log_x ? std::log(r->x[k] / r->x[k - 1]) : r->x[k] - r->x[k - 1];
    if (d > 0) steps.push_back(d);
  }
  if (steps.size() < 2 || r->x.size() > 60) return;
  const double smallest = *std::min_element(steps.begin(), steps.end());
  for (size_t k = 1; k < r->x.size(); ++k) {
    const double d = log_x ? std::log(r->x[k] / r->x[k - 1]) : r->x[k] - r->x[k - 1];
    if (d > 1.5 * smallest * (1 + 1e-9)) r->gap[k] = true;
  }
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

// Log-axis ticks: a label at every decade in range (and at 2 and 5 times
// it when the range spans at most three decades), minor ticks between.
std::string LogTics(const std::string& axis, const std::pair<double, double>& range) {
  if (!(range.first > 0) || !(range.second > range.first)) return "";
  const int lo = static_cast<int>(std::floor(std::log10(range.first)));
  const int hi = static_cast<int>(std::ceil(std::log10(range.second)));
  const bool fine = hi - lo <= 3;
  std::vector<std::string> tics;
  for (int d = lo; d <= hi && tics.size() < 40; ++d) {
    for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
      const double v = m * std::pow(10.0, d);
      if (v < range.first || v > range.second) continue;
      tics.push_back(absl::StrFormat("\"%g\" %s", v, Num(v)));
    }
  }
  if (tics.empty()) return "";
  return absl::StrCat("set ", axis, "tics (", absl::StrJoin(tics, ", "), ")\nset m",
                      axis, "tics 10\n");
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
  if (log) return LogTics(axis, range);
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

}  // namespace

std::vector<std::array<double, 4>> MeanBand(const std::vector<double>& xs,
                                            const std::vector<double>& ys) {
  std::map<double, std::vector<double>> by_x;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) by_x[xs[i]].push_back(ys[i]);
  std::vector<std::array<double, 4>> out;
  for (const auto& [x, v] : by_x) {
    double mean = 0;
    for (double y : v) mean += y;
    mean /= v.size();
    double lo = mean, hi = mean;
    if (v.size() >= 2) {
      const Interval ci = MeanInterval(v, kLevel);
      if (ci.defined) {
        lo = ci.low;
        hi = ci.high;
      }
    }
    out.push_back({x, mean, lo, hi});
  }
  return out;
}

std::pair<double, double> RateBounds(double rate, double trials) {
  const int64_t n = static_cast<int64_t>(std::llround(trials));
  if (!(n >= 1) || !std::isfinite(rate)) return {rate, rate};
  const int64_t successes = std::llround(rate * n);
  const Interval ci = ClopperPearson(successes, n, kLevel);
  return {ci.low, ci.high};
}

namespace {

// Deterministic jitter: point i moves by one of 7 offsets in [-w, w].
double Jitter(size_t i, double w) { return w * (static_cast<double>(i % 7) - 3) / 3; }

bool Marked(const std::string& style) {
  return style == "points" || style == "errorbars" || style == "rate" ||
         style == "linespoints";
}

}  // namespace

std::string FigureScript(const nlohmann::json& f, const std::string& terminal,
                         const std::string& output) {
  const bool log_x = f.value("log_x", false), log_y = f.value("log_y", false);
  std::string gp = absl::StrCat(
      "set terminal ", terminal, "\n", "set output \"", output, "\"\n",
      "set title ", QuoteTitle(Wrap(f.value("title", ""))), "\n", "set xlabel ",
      Quote(f.value("xlabel", "")), "\n", "set ylabel ",
      Quote(f.value("ylabel", "")), "\n",
      "set grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n"
      "set datafile missing 'NaN'\n");
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
  // Marked series side by side on an integer x grid (d, p) are dodged
  // sideways, so that coinciding points of different series stay visible.
  int marked = 0;
  Extent all_x_extent;
  for (const auto& s : f["series"]) {
    if (Marked(s.value("style", "points"))) ++marked;
    for (double v : Finite(s, log_x, log_y).x) all_x_extent.Add(v);
  }
  std::set<double> marked_x;
  for (const auto& s : f["series"])
    if (Marked(s.value("style", "points")))
      for (double v : Finite(s, log_x, log_y).x) marked_x.insert(v);
  const bool dodge = marked > 1 && marked_x.size() <= 20 && !all_x_extent.Empty();
  const double dodge_step =
      dodge ? (log_x ? 0.012 * std::log(std::max(all_x_extent.hi / all_x_extent.lo, 2.0))
                     : 0.012 * std::max(all_x_extent.hi - all_x_extent.lo, 1.0))
            : 0.0;
  int marked_index = 0;
  auto dodged = [&](double x, int index) {
    if (!dodge) return x;
    const double off = (index - (marked - 1) / 2.0) * dodge_step;
    return log_x ? x * std::exp(off) : x + off;
  };

  Extent ex, ey;
  std::vector<double> all_x, all_y;
  std::string blocks, plots;
  std::set<std::string> titles;  // legend entries drawn (no duplicates)
  // "hline" series (a threshold stored as two points) are drawn as
  // reference lines across the whole plot.
  nlohmann::json ref_lines = f.contains("ref_lines") && f["ref_lines"].is_array()
                                 ? f["ref_lines"]
                                 : nlohmann::json::array();
  int i = 0;       // block index
  int colour_i = 0;  // palette index: drawn, coloured series only
  bool context_titled = false;
  bool any_excluded = false, any_rate_n = false;
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
    any_excluded = any_excluded || excluded;
    // "context" lines (e.g. dead frequencies) are background: thin, light
    // grey, and one legend entry for all of them.
    const bool context = style == "context";
    const int me = colour_i;
    std::string colour = "777777";
    if (context) colour = "b0b0b0";
    if (!excluded && !context) colour = Colour(colour_i++);
    const int pt = kPointTypes[me % 6], dt = kDashTypes[me % 5];
    Rows r = Finite(s, log_x && style != "histogram", log_y);
    if (style == "rate" || style == "linespoints") MarkGridGaps(&r, log_x);
    const std::string block = absl::StrCat("$s", i);
    std::string label = s.value("label", "");
    std::string body;
    std::string plot;
    std::string extra_plot;  // drawn after, untitled (n labels)
    std::string terminator = "NaN NaN";
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
      terminator = "NaN NaN NaN";
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
      const auto band = MeanBand(r.x, r.y);
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
      std::map<double, int> per_x;
      for (double x : r.x) ++per_x[x];
      for (const auto& b : band) {
        absl::StrAppend(&body, Num(b[0]), " ", Num(b[1]), " ", Num(b[2]), " ",
                        Num(b[3]), " ", per_x[b[0]], "\n");
        ey.Add(b[2]);
        ey.Add(b[3]);
      }
      absl::StrAppend(&blocks, block, "r << EOD\n", raw, "NaN NaN\nEOD\n");
      terminator = "NaN NaN NaN NaN NaN";
      if (excluded) {
        plot = absl::StrCat(block, "r using 1:2 with points pt 6 ps 1 lc rgb '#777777'");
        label = absl::StrCat(label, " (excluded)");
      } else {
        const std::string band_title = absl::StrCat(label, ": 99 % band of the mean");
        plot = absl::StrCat(
            block, " using 1:3:4 with filledcurves fs transparent solid 0.2 "
            "noborder lc rgb '#", colour, "' title ", Quote(band_title), ", ", block,
            "r using 1:2 with points pt 7 ps 0.45 lc rgb '#80", colour,
            "' title ", Quote(absl::StrCat(label, ": runs")), ", ", block,
            " using 1:2 with linespoints pt ", pt, " ps 0.8 lw 2 dt ", dt,
            " lc rgb '#", colour, "'");
        label = absl::StrCat(label, ": mean");
      }
    } else if (style == "rate") {
      bool has_n = false;
      for (size_t k = 0; k < r.x.size(); ++k) {
        const auto [lo, hi] = RateBounds(r.y[k], r.n[k]);
        const double x = dodged(r.x[k], marked_index);
        if (r.gap[k]) absl::StrAppend(&body, "\n");
        absl::StrAppend(&body, Num(x), " ", Num(r.y[k]), " ", Num(lo), " ",
                        Num(hi), " ", absl::StrFormat("%.0f", r.n[k]), "\n");
        has_n = has_n || r.n[k] >= 1;
        ex.Add(x);
        ey.Add(lo);
        ey.Add(hi);
        all_x.push_back(r.x[k]);
      }
      terminator = "NaN NaN NaN NaN NaN";
      const std::string rgb = excluded ? "lc rgb '#777777'"
                                       : absl::StrCat("lc rgb '#", colour, "'");
      plot = absl::StrCat(block, " using 1:2:3:4 with yerrorlines pt ",
                          excluded ? 6 : pt, " ps 0.8 lw 1.5 dt ", dt, " ", rgb);
      // n per point, above its bar.
      if (has_n) {
        any_rate_n = true;
        extra_plot = absl::StrCat(block,
                                  " using 1:4:(sprintf('%d', $5)) with labels "
                                  "offset 0,0.55 font ',8' tc rgb '#",
                                  excluded ? "777777" : colour, "' notitle");
      }
      label = absl::StrCat(label, excluded ? " (excluded)" : "",
                           " (99 % Clopper-Pearson bars)");
      ++marked_index;
    } else if (style == "xinterval") {
      // Forest rows: x = estimate at row y, with its interval [x_low,
      // x_high] (the report clamps unbounded ends to the frame).
      const auto& xl = s.contains("x_low") ? s["x_low"] : nlohmann::json::array();
      const auto& xh = s.contains("x_high") ? s["x_high"] : nlohmann::json::array();
      for (size_t k = 0; k < s["x"].size() && k < s["y"].size(); ++k) {
        if (!s["y"][k].is_number()) continue;
        const double yv = s["y"][k].get<double>();
        const double xv = s["x"][k].is_number() ? s["x"][k].get<double>() : kNaN;
        const double lo = k < xl.size() && xl[k].is_number() ? xl[k].get<double>() : xv;
        const double hi = k < xh.size() && xh[k].is_number() ? xh[k].get<double>() : xv;
        if (!std::isfinite(lo) || !std::isfinite(hi)) continue;
        absl::StrAppend(&body, Num(std::isfinite(xv) ? xv : (lo + hi) / 2), " ",
                        Num(yv), " ", Num(lo), " ", Num(hi), " ",
                        std::isfinite(xv) ? 1 : 0, "\n");
        ex.Add(lo);
        ex.Add(hi);
        ey.Add(yv);
      }
      terminator = "NaN NaN NaN NaN NaN";
      plot = absl::StrCat(block, " using 1:2:3:4 with xerrorbars pt ", pt,
                          " ps 0.9 lw 1.5 lc rgb '#", colour, "'");
    } else {
      const bool many = r.x.size() > 150;
      const int index = Marked(style) ? marked_index++ : 0;
      for (size_t k = 0; k < r.x.size(); ++k) {
        const double x = Marked(style) ? dodged(r.x[k], index) : r.x[k];
        if (r.gap[k] && (style == "lines" || style == "linespoints" || context))
          absl::StrAppend(&body, "\n");
        absl::StrAppend(&body, Num(x), " ", Num(r.y[k]));
        if (style == "errorbars") absl::StrAppend(&body, " ", Num(r.e[k]));
        absl::StrAppend(&body, "\n");
        ex.Add(x);
        ey.Add(r.y[k] - (style == "errorbars" ? r.e[k] : 0));
        ey.Add(r.y[k] + (style == "errorbars" ? r.e[k] : 0));
        all_x.push_back(r.x[k]);
        all_y.push_back(r.y[k]);
      }
      if (style == "errorbars") terminator = "NaN NaN NaN";
      // Translucent markers where points pile up, so density shows.
      const std::string rgb =
          absl::StrCat("lc rgb '#", many ? "90" : "", colour, "'");
      if (excluded) {
        // Excluded runs, whatever the style: hollow grey circles.
        plot = absl::StrCat(block, " using 1:2 with points pt 6 ps 1 lc rgb '#777777'");
        label = absl::StrCat(label, " (excluded)");
      } else if (style == "lines") {
        plot = absl::StrCat(block, " using 1:2 with lines lw 2 dt ", dt, " ", rgb);
      } else if (context) {
        plot = absl::StrCat(block, " using 1:2 with lines lw 1 ", rgb);
      } else if (style == "linespoints") {
        plot = absl::StrCat(block, " using 1:2 with linespoints pt ", pt,
                            " ps 0.7 lw 1.5 dt ", dt, " ", rgb);
      } else if (style == "tick") {
        plot = absl::StrCat(block, " using 1:2 with points pt '|' ps 1.6 lc rgb '#aa0000'");
      } else if (style == "boxes") {
        plot = absl::StrCat(block, " using 1:2 with boxes fs solid 0.5 ", rgb);
      } else if (style == "errorbars") {
        plot = absl::StrCat(block, " using 1:2:3 with yerrorbars pt ", pt, " ps 0.6 ", rgb);
      } else {
        plot = absl::StrCat(block, " using 1:2 with points pt ", pt, " ps ",
                            many ? "0.5 " : "0.8 ", rgb);
      }
    }
    absl::StrAppend(&blocks, block, " << EOD\n", body, terminator, "\nEOD\n");
    const bool untitled = (context && context_titled) || titles.count(label) > 0;
    context_titled = context_titled || context;
    titles.insert(label);
    absl::StrAppend(&plots, plots.empty() ? "plot " : ", \\\n     ", plot,
                    untitled ? " notitle" : absl::StrCat(" title ", Quote(label)));
    if (!extra_plot.empty()) absl::StrAppend(&plots, ", \\\n     ", extra_plot);
    ++i;
  }
  (void)any_excluded;
  if (any_rate_n) {
    // The n labels sit above the bars: room for them at the top.
    ey.Add(ey.hi + 0.04 * (ey.hi - ey.lo));
  }

  // Reference lines across the whole range; their labels go into the
  // legend (a dashed red sample each), never onto the data or off the
  // image. The range includes them with a margin, so none sits on the
  // frame.
  int arrow = 1;
  std::string refs;
  for (const auto& line : ref_lines) {
    const double v = line.value("value", 0.0);
    const bool on_x = line.value("axis", "y") == "x";
    (on_x ? ex : ey).Add(v);
    const std::string text = line.value("label", "");
    const std::string colour = arrow == 1 ? "aa0000" : arrow == 2 ? "6a3d9a" : "555555";
    const int dash = arrow == 1 ? 2 : arrow == 2 ? 4 : 3;
    if (on_x)
      absl::StrAppend(&refs, "set arrow ", arrow, " from first ", Num(v),
                      ", graph 0 to first ", Num(v), ", graph 1 nohead dt ", dash,
                      " lw 1.5 lc rgb '#", colour, "' front\n");
    else
      absl::StrAppend(&refs, "set arrow ", arrow, " from graph 0, first ", Num(v),
                      " to graph 1, first ", Num(v), " nohead dt ", dash,
                      " lw 1.5 lc rgb '#", colour, "' front\n");
    if (!text.empty()) {
      absl::StrAppend(&plots, plots.empty() ? "plot " : ", \\\n     ",
                      "NaN with lines dt ", dash, " lw 1.5 lc rgb '#", colour,
                      "' title ", Quote(text));
      titles.insert(text);
    }
    ++arrow;
  }
  absl::StrAppend(&gp, refs);

  // The legend below the plot, outside the data, when it has several
  // entries; inside the corner the figure names when it has one.
  const std::string legend = f.value("legend", "top right");
  if (titles.size() > 1 || legend == "below")
    absl::StrAppend(&gp, "set key outside below center horizontal maxrows 5 "
                         "samplen 2 spacing 1.05 font ',10'\n");
  else
    absl::StrAppend(&gp, "set key inside ", legend,
                    " opaque box lc rgb '#bbbbbb' samplen 2 spacing 1.1\n");

  // Ranges fitted to the data (and the reference lines).
  std::pair<double, double> xr{0, 1}, yr{0, 1};
  if (!ex.Empty()) xr = Padded(ex, log_x);
  if (!ey.Empty()) yr = Padded(ey, log_y);
  if (f.contains("x_min") && f["x_min"].is_number()) xr.first = f["x_min"].get<double>();
  if (f.contains("x_max") && f["x_max"].is_number()) xr.second = f["x_max"].get<double>();
  if (f.contains("y_min") && f["y_min"].is_number()) yr.first = f["y_min"].get<double>();
  if (f.contains("y_max") && f["y_max"].is_number())
    yr.second = std::max(f["y_max"].get<double>(), any_rate_n ? yr.second : 0.0);
  if (f.contains("y_max") && f["y_max"].is_number() && !any_rate_n)
    yr.second = f["y_max"].get<double>();
  absl::StrAppend(&gp, "set xrange [", Num(xr.first), ":", Num(xr.second), "]\n",
                  "set yrange [", Num(yr.first), ":", Num(yr.second), "]\n");
  if (f.contains("x_tics") && f["x_tics"].is_array() && !f["x_tics"].empty()) {
    std::vector<std::string> t;
    for (const auto& tic : f["x_tics"])
      if (tic.is_array() && tic.size() == 2 && tic[0].is_number() && tic[1].is_string())
        t.push_back(absl::StrCat(Quote(tic[1].get<std::string>()), " ",
                                 Num(tic[0].get<double>())));
    absl::StrAppend(&gp, "set xtics (", absl::StrJoin(t, ", "), ") nomirror\n");
  } else if (f.value("integer_x", false))
    absl::StrAppend(&gp, IntegerTics("x", all_x, xr, log_x));
  else if (log_x)
    absl::StrAppend(&gp, LogTics("x", xr));
  if (f.contains("y_tics") && f["y_tics"].is_array() && !f["y_tics"].empty()) {
    // Named rows (the forest plot): one label per row, no grid.
    std::vector<std::string> t;
    for (const auto& tic : f["y_tics"])
      if (tic.is_array() && tic.size() == 2 && tic[0].is_number() && tic[1].is_string())
        t.push_back(absl::StrCat(Quote(tic[1].get<std::string>()), " ",
                                 Num(tic[0].get<double>())));
    absl::StrAppend(&gp, "set ytics (", absl::StrJoin(t, ", "),
                    ") font ',9' nomirror\nset grid noytics xtics\n");
  } else if (f.value("integer_y", false))
    absl::StrAppend(&gp, IntegerTics("y", all_y, yr, log_y));
  else if (log_y)
    absl::StrAppend(&gp, LogTics("y", yr));
  if (heat_max > 0)
    absl::StrAppend(&gp,
                    "set palette defined (-1 '#3b4cc0', 0 '#f7f7f7', 1 "
                    "'#b40426')\nset cbrange [",
                    Num(-heat_max), ":", Num(heat_max), "]\nset size square\n");
  if (plots.empty()) plots = "plot NaN notitle";
  return absl::StrCat(gp, blocks, plots, "\n");
}

namespace {

// The plotted numbers with their uncertainty, as the drawing computes it:
// y_error as stored; low/high = y -+ y_error (errorbars), the 99 %
// Clopper-Pearson bounds (rate, n = trials), or the 99 % band of the mean
// at that x (mean_band, n = runs at that x).
std::string Csv(const nlohmann::json& f) {
  std::string csv = "series,style,x,y,y_error,low,high,n\n";
  auto num = [](const nlohmann::json& v) {
    return v.is_number() ? Num(v.get<double>()) : std::string("NaN");
  };
  for (const auto& s : f["series"]) {
    const std::string style = s.value("style", "points");
    const bool errors = s.contains("y_error") && s["y_error"].is_array();
    const bool trials = s.contains("trials") && s["trials"].is_array();
    std::map<double, std::array<double, 4>> band;
    std::map<double, int> per_x;
    if (style == "mean_band") {
      const Rows r = Finite(s, false, false);
      for (const auto& b : MeanBand(r.x, r.y)) band[b[0]] = b;
      for (double x : r.x) ++per_x[x];
    }
    for (size_t k = 0; k < s["x"].size(); ++k) {
      const nlohmann::json& y = k < s["y"].size() ? s["y"][k] : nlohmann::json();
      std::string e, lo, hi, n;
      if (errors && k < s["y_error"].size()) e = num(s["y_error"][k]);
      if (style == "errorbars" && errors && y.is_number() && k < s["y_error"].size() &&
          s["y_error"][k].is_number()) {
        lo = Num(y.get<double>() - s["y_error"][k].get<double>());
        hi = Num(y.get<double>() + s["y_error"][k].get<double>());
      } else if (style == "rate" && trials && k < s["trials"].size() &&
                 y.is_number() && s["trials"][k].is_number()) {
        const auto [l, h] = RateBounds(y.get<double>(), s["trials"][k].get<double>());
        lo = Num(l);
        hi = Num(h);
        n = absl::StrFormat("%.0f", s["trials"][k].get<double>());
      } else if (style == "xinterval") {
        if (s.contains("x_low") && k < s["x_low"].size()) lo = num(s["x_low"][k]);
        if (s.contains("x_high") && k < s["x_high"].size()) hi = num(s["x_high"][k]);
      } else if (style == "mean_band" && s["x"][k].is_number()) {
        auto b = band.find(s["x"][k].get<double>());
        if (b != band.end()) {
          lo = Num(b->second[2]);
          hi = Num(b->second[3]);
          n = absl::StrCat(per_x[b->first]);
        }
      }
      absl::StrAppend(&csv, "\"", s.value("label", ""), "\",", style, ",",
                      num(s["x"][k]), ",", num(y), ",", e, ",", lo, ",", hi, ",", n,
                      "\n");
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
    const nlohmann::json& result, const std::string& dir,
    const std::string& stem_suffix) {
  RETURN_IF_ERROR(MakeDirs(dir));
  std::vector<std::string> stems;
  for (const auto& f : result["figures"]) {
    const std::string stem =
        absl::StrCat(result["experiment"].get<std::string>(), "_",
                     f["name"].get<std::string>(), stem_suffix);
    const std::string base = absl::StrCat(dir, "/", stem);
    RETURN_IF_ERROR(WriteFileAtomic(base + ".csv", Csv(f)));
    // Output names relative to the script: `cd figures && gnuplot X.gp`
    // re-renders both pictures anywhere the folder is copied.
    // 900 x 560 unless the figure asks for its own size (the forest plot).
    const std::string size =
        absl::StrCat(f.value("width", 900), ",", f.value("height", 560));
    const std::string svg_terminal =
        absl::StrCat("svg size ", size, " dynamic font 'sans,13'");
    const std::string png_terminal =
        absl::StrCat("pngcairo size ", size, " font 'sans,11'");
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
