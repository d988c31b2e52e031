#include "src/verdict/planner.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <functional>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/stats/power.h"
#include "src/stats/stats.h"

namespace initrepro {
namespace {

constexpr double kSmallestR = 0.1;  // verdict.cc
constexpr int64_t kMaxUnits = 1000000;
// The 2 x 2 enumeration costs O(n^2) per n: search no further per group.
constexpr int64_t kMaxOddsRatioPerGroup = 5000;

double StudentQuantile(double df, double q) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df),
                               q);
}

absl::StatusOr<Statistic> StatisticFromLabel(const std::string& label,
                                             bool has_group) {
  if (label == "Pearson r") return Statistic::kPearson;
  if (label == "Spearman rho") return Statistic::kSpearman;
  if (label == "difference of means") return Statistic::kMeanDifference;
  if (label == "mean paired difference") return Statistic::kPairedMean;
  if (label == "fraction")
    return has_group ? Statistic::kMinFraction : Statistic::kFraction;
  if (label == "fraction of units above 0.5") return Statistic::kSignTest;
  if (label == "odds ratio") return Statistic::kOddsRatio;
  return absl::InvalidArgumentError(
      absl::StrCat("effect.statistic: unknown label '", label, "'"));
}

// "NAME(args) > 0.8" -> {'>', 0.8}: the comparison after the statistic's
// balanced parentheses.
bool ComparisonAfter(const std::string& rule, const std::string& name,
                     char* op, double* value) {
  size_t at = rule.find(name + "(");
  if (at == std::string::npos) return false;
  size_t i = at + name.size();
  int depth = 0;
  for (; i < rule.size(); ++i) {
    if (rule[i] == '(') ++depth;
    if (rule[i] == ')' && --depth == 0) break;
  }
  static const std::regex kCmp(R"(^\s*([<>])\s*(-?[0-9.]+))");
  std::smatch m;
  const std::string rest = rule.substr(std::min(i + 1, rule.size()));
  if (!std::regex_search(rest, m, kCmp)) return false;
  *op = m[1].str()[0];
  *value = std::stod(m[2].str());
  return true;
}

// The fraction rule of a claim without a spec, read from its sentence.
struct FractionRule {
  bool inside = false;
  Side side = Side::kGreater;
  double threshold = 0;
  double threshold_high = std::numeric_limits<double>::quiet_NaN();
};

// Tried in order, the generated sentences (claim_spec.cc's RuleSentence)
// first: "inside [T, H]", "interval lies at or below T", "interval lies at
// or above T"; then the format-2 ones: "in >= N %", "at or above T",
// ">= T". The generated anchors come first because a quantity may itself
// contain ">= 0.9" ("line score >= 0.9").
bool ReadFractionRule(const std::string& rule, FractionRule* out) {
  static const std::regex kInside(
      R"(inside \[(-?[0-9.eE+-]+), (-?[0-9.eE+-]+)\])");
  static const std::regex kLiesBelow(R"(interval lies at or below ([0-9.eE+-]+))");
  static const std::regex kLiesAbove(R"(interval lies at or above ([0-9.eE+-]+))");
  static const std::regex kPercent(R"(in >= ([0-9.]+) %)");
  static const std::regex kAtOrAbove(R"(at or above ([0-9.]+))");
  static const std::regex kAtLeast(R"(>= ([0-9.]+))");
  std::smatch m;
  if (std::regex_search(rule, m, kInside)) {
    out->inside = true;
    out->threshold = std::stod(m[1].str());
    out->threshold_high = std::stod(m[2].str());
    return true;
  }
  if (std::regex_search(rule, m, kLiesBelow)) {
    out->side = Side::kLess;
    out->threshold = std::stod(m[1].str());
    return true;
  }
  if (std::regex_search(rule, m, kLiesAbove)) {
    out->threshold = std::stod(m[1].str());
    return true;
  }
  if (std::regex_search(rule, m, kPercent)) {
    out->threshold = std::stod(m[1].str()) / 100;
    return true;
  }
  if (std::regex_search(rule, m, kAtOrAbove)) {
    out->threshold = std::stod(m[1].str());
    return true;
  }
  if (std::regex_search(rule, m, kAtLeast)) {
    out->threshold = std::stod(m[1].str());
    return true;
  }
  return false;
}

// The groups of a kMinFraction claim its observed numbers list: with
// effect.group "NAME=VALUE" (e.g. "wd=0.1"), the observed entries keyed
// "NAME=..." whose values are objects (e.g. {"line_runs", "valid_runs"});
// 0 when there are none.
int64_t GroupsInObserved(const nlohmann::json& claim,
                         const nlohmann::json& effect) {
  const std::string group = effect.value("group", std::string());
  const size_t eq = group.find('=');
  if (eq == std::string::npos || !claim.contains("observed") ||
      !claim["observed"].is_object())
    return 0;
  const std::string prefix = group.substr(0, eq + 1);
  int64_t n = 0;
  for (const auto& [key, value] : claim["observed"].items())
    if (key.rfind(prefix, 0) == 0 && value.is_object()) ++n;
  return n;
}

// Statistics whose effects a file labels alike ("fraction" for all three
// fraction rules).
int Family(Statistic s) {
  switch (s) {
    case Statistic::kFraction:
    case Statistic::kMinFraction:
    case Statistic::kFractionInside:
      return 1;
    default:
      return 2 + static_cast<int>(s);
  }
}

double Num(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string() && j.get<std::string>() == "inf")
    return std::numeric_limits<double>::infinity();
  if (j.is_string() && j.get<std::string>() == "-inf")
    return -std::numeric_limits<double>::infinity();
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Fmt(double v) { return absl::StrFormat("%.3g", v); }

}  // namespace

absl::StatusOr<Pilot> PilotFromTest(const ClaimTest& t) {
  Pilot p;
  p.id = t.id;
  p.statistic = t.statistic;
  p.side = t.side;
  p.threshold = t.threshold;
  p.threshold_high = t.threshold_high;
  p.max_p = t.max_p;
  const double sign = t.side == Side::kLess ? -1 : 1;
  switch (t.statistic) {
    case Statistic::kPearson:
    case Statistic::kSpearman: {
      const Correlation c = t.statistic == Statistic::kPearson
                                ? Pearson(t.x, t.y)
                                : Spearman(t.x, t.y);
      p.estimate = c.r;
      p.units = static_cast<int64_t>(t.x.size());
      break;
    }
    case Statistic::kPairedMean: {
      p.estimate = Mean(t.a);
      p.units = static_cast<int64_t>(t.a.size());
      p.delta = sign * p.estimate / SampleStdDev(t.a);
      break;
    }
    case Statistic::kMeanDifference: {
      p.estimate = Mean(t.a) - Mean(t.b);
      p.units = static_cast<int64_t>(t.a.size() + t.b.size());
      p.delta = sign * p.estimate /
                std::sqrt((SampleVariance(t.a) + SampleVariance(t.b)) / 2);
      p.share = static_cast<double>(t.a.size()) / p.units;
      p.assumed.push_back("equal variances in the two groups");
      break;
    }
    case Statistic::kFraction:
    case Statistic::kMinFraction:
    case Statistic::kFractionInside: {
      int64_t smallest = -1;
      for (const auto& [yes, n] : t.counts) {
        p.group_rates.push_back(n > 0 ? static_cast<double>(yes) / n : 0);
        smallest = smallest < 0 ? n : std::min(smallest, n);
      }
      if (p.group_rates.empty() || smallest <= 0)
        return absl::FailedPreconditionError(
            absl::StrCat(t.id, ": no units to plan from (a group is empty)"));
      if (t.statistic == Statistic::kFractionInside &&
          (t.counts.size() != 1 || !std::isfinite(t.threshold_high)))
        return absl::FailedPreconditionError(absl::StrCat(
            t.id, ": a fraction-inside pilot needs one count and a finite "
            "threshold_high"));
      // The worst group in the claimed direction (the highest rate for a
      // "less" claim), as the engine reports it.
      p.estimate =
          t.side == Side::kLess
              ? *std::max_element(p.group_rates.begin(), p.group_rates.end())
              : *std::min_element(p.group_rates.begin(), p.group_rates.end());
      // Every group must reach the plan's per-group n: scale from the
      // smallest (units = groups x its n, comparable with ClaimPlan::units).
      p.units = smallest * static_cast<int64_t>(t.counts.size());
      break;
    }
    case Statistic::kSignTest: {
      int64_t above = 0, below = 0;
      for (double v : t.a) {
        above += v > 0.5;
        below += v < 0.5;
      }
      p.units = above + below;
      p.estimate = p.units > 0 ? static_cast<double>(above) / p.units : 0;
      break;
    }
    case Statistic::kOddsRatio: {
      if (t.counts.size() != 2)
        return absl::FailedPreconditionError(
            absl::StrCat(t.id, ": an odds ratio needs a 2 x 2 table"));
      const auto [a, b] = t.counts[0];
      const auto [c, d] = t.counts[1];
      if (a + b == 0 || c + d == 0)
        return absl::FailedPreconditionError(
            absl::StrCat(t.id, ": a group of the 2 x 2 table is empty"));
      p.rate1 = static_cast<double>(a) / (a + b);
      p.rate2 = static_cast<double>(c) / (c + d);
      p.units = a + b + c + d;
      p.assumed.push_back("equal group sizes");
      break;
    }
  }
  if (!std::isfinite(p.estimate) ||
      ((t.statistic == Statistic::kPairedMean ||
        t.statistic == Statistic::kMeanDifference) &&
       !std::isfinite(p.delta)))
    return absl::FailedPreconditionError(
        absl::StrCat(t.id, ": the pilot effect is undefined"));
  return p;
}

absl::StatusOr<Pilot> PilotFromClaimJson(const nlohmann::json& claim,
                                         const ClaimSpec* spec) {
  const std::string id = claim.value("id", std::string("?"));
  if (claim.value("verdict", std::string()) == "descriptive" ||
      (spec != nullptr && spec->descriptive) || !claim.contains("effect") ||
      !claim["effect"].is_object())
    return absl::FailedPreconditionError(
        absl::StrCat(id, ": descriptive claim, nothing to plan"));
  const nlohmann::json& e = claim["effect"];
  Pilot p;
  p.id = id;
  const std::string label = e.value("statistic", std::string());
  absl::StatusOr<Statistic> stat =
      StatisticFromLabel(label, e.contains("group"));
  if (!stat.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(id, ": ", stat.status().message()));
  const std::string rule = claim.value("rule", std::string());
  const std::string reason = claim.value("reason", std::string());
  if (spec != nullptr) {
    // The spec is the truth; the file only gives the effect. A label of
    // another family means the file was decided on another rule.
    if (Family(*stat) != Family(spec->statistic))
      return absl::FailedPreconditionError(absl::StrCat(
          id, ": effect.statistic '", label, "' does not fit the ClaimSpec's "
          "statistic ", StatisticName(spec->statistic),
          " (the file was decided on another rule; re-run it)"));
    p.statistic = spec->statistic;
    p.side = spec->side;
    p.threshold = spec->threshold;
    p.threshold_high = spec->threshold_high;
    p.max_p = spec->max_p;
  } else {
    p.statistic = *stat;
    p.assumed.push_back(
        "no ClaimSpec for this claim: statistic, side and threshold read from "
        "the rule sentence");
  }
  p.estimate = Num(e.value("estimate", nlohmann::json()));
  p.units = e.value("n", int64_t{0});
  const double low = Num(e.value("low", nlohmann::json()));
  const double high = Num(e.value("high", nlohmann::json()));
  const double level = e.value("level", kVerdictLevel);
  if (!std::isfinite(p.estimate) && p.statistic != Statistic::kOddsRatio)
    return absl::FailedPreconditionError(absl::StrCat(
        id, ": the pilot effect is undefined (n = ", p.units, ")"));

  switch (p.statistic) {
    case Statistic::kPearson:
    case Statistic::kSpearman: {
      if (spec != nullptr) break;
      char op = 0;
      double v = 0;
      const std::string name =
          p.statistic == Statistic::kPearson ? "Pearson r" : "Spearman rho";
      if (!ComparisonAfter(rule, name, &op, &v))
        return absl::InvalidArgumentError(absl::StrCat(
            id, ": rule: expected '", name, "(...) > T' or '< T', got '",
            rule, "'"));
      p.side = op == '<' ? Side::kLess : Side::kGreater;
      p.threshold = v;
      static const std::regex kP(R"(p < ([0-9.eE-]+))");
      std::smatch m;
      if (std::regex_search(rule, m, kP)) p.max_p = std::stod(m[1].str());
      break;
    }
    case Statistic::kPairedMean:
    case Statistic::kMeanDifference: {
      if (spec == nullptr) {
        p.side = reason.find("lies below") != std::string::npos
                     ? Side::kLess
                     : Side::kGreater;
        p.threshold = 0;
      }
      const int64_t min_units =
          p.statistic == Statistic::kPairedMean ? 2 : 4;
      if (!std::isfinite(low) || !std::isfinite(high) || p.units < min_units)
        return absl::FailedPreconditionError(absl::StrCat(
            id, ": the pilot interval is undefined (n = ", p.units, ")"));
      // The sd from the interval's half-width (intervals.cc's formulas).
      const double half = (high - low) / 2;
      const double q = 0.5 + level / 2;
      const double sd =
          p.statistic == Statistic::kPairedMean
              ? half * std::sqrt(p.units * 1.0) /
                    StudentQuantile(p.units - 1.0, q)
              : half * std::sqrt(p.units * 1.0) /
                    (2 * StudentQuantile(p.units - 2.0, q));
      if (p.statistic == Statistic::kMeanDifference)
        p.assumed.push_back(
            "equal groups and variances (the golden keeps neither group's "
            "size: the sd is read from the interval as if balanced)");
      p.delta = (p.side == Side::kLess ? -1 : 1) * p.estimate / sd;
      break;
    }
    case Statistic::kFraction:
    case Statistic::kMinFraction:
    case Statistic::kFractionInside: {
      if (spec == nullptr) {
        FractionRule fr;
        if (!ReadFractionRule(rule, &fr))
          return absl::InvalidArgumentError(absl::StrCat(
              id, ": rule: expected 'interval lies at or above T', 'at or "
              "below T', 'inside [T, H]', 'in >= N %' or '>= T', got '",
              rule, "'"));
        if (fr.inside) p.statistic = Statistic::kFractionInside;
        p.side = fr.side;
        p.threshold = fr.threshold;
        p.threshold_high = fr.threshold_high;
      }
      if (p.statistic == Statistic::kFractionInside &&
          !std::isfinite(p.threshold_high))
        return absl::InvalidArgumentError(absl::StrCat(
            id, ": a fraction-inside claim needs a finite threshold_high"));
      int64_t groups = 1;
      if (p.statistic == Statistic::kMinFraction) {
        static const std::regex kValues(R"(([0-9]+) values of)");
        std::smatch m;
        const std::string design = claim.value("design", std::string());
        const int64_t keyed = GroupsInObserved(claim, e);
        const int64_t valid =
            claim.contains("runs") && claim["runs"].is_object()
                ? claim["runs"].value("valid", int64_t{0})
                : 0;
        if (std::regex_search(design, m, kValues)) {
          groups = std::stoll(m[1].str());
        } else if (keyed > 0) {
          groups = keyed;
        } else if (p.units > 0 && valid >= 2 * p.units) {
          groups = (valid + p.units / 2) / p.units;
          p.assumed.push_back(absl::StrCat(
              groups, " groups (valid runs / effect.n: the file names no "
              "group count)"));
        } else {
          p.assumed.push_back("one group (the design names no group count)");
        }
        p.assumed.push_back(absl::StrCat(
            "every group at the worst group's rate ", Fmt(p.estimate)));
      }
      p.group_rates.assign(groups, p.estimate);
      p.units *= groups;  // effect.n is the reported group's
      break;
    }
    case Statistic::kSignTest:
      if (spec == nullptr) p.threshold = 0.5;
      break;
    case Statistic::kOddsRatio: {
      if (spec == nullptr) p.threshold = 1;
      const nlohmann::json& o = claim.value("observed", nlohmann::json::object());
      // Group 1 is the one the claim says converges more often (MA-frozen:
      // d >= p), as in the experiment's 2 x 2 table.
      if (o.contains("rate_d_at_least_p") && o.contains("rate_d_below_p")) {
        p.rate1 = Num(o["rate_d_at_least_p"]);
        p.rate2 = Num(o["rate_d_below_p"]);
      } else if (o.contains("rate_group1") && o.contains("rate_group2")) {
        p.rate1 = Num(o["rate_group1"]);
        p.rate2 = Num(o["rate_group2"]);
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            id, ": observed: an odds-ratio pilot needs its two groups' rates "
            "(rate_d_at_least_p / rate_d_below_p or rate_group1 / "
            "rate_group2)"));
      }
      if (!std::isfinite(p.rate1) || !std::isfinite(p.rate2))
        return absl::FailedPreconditionError(
            absl::StrCat(id, ": a group's rate is undefined"));
      p.assumed.push_back("equal group sizes");
      break;
    }
  }
  return p;
}

ClaimPlan PlanClaim(const Pilot& pilot, const PlanCost& cost, double power,
                    double level) {
  ClaimPlan plan;
  plan.id = pilot.id;
  plan.pilot = pilot;
  plan.power = power;
  const bool less = pilot.side == Side::kLess;
  // In the claimed direction, as verdict.cc.
  const double est = less ? -pilot.estimate : pilot.estimate;
  const double threshold = less ? -pilot.threshold : pilot.threshold;

  std::function<DecisionProbability(int64_t)> decide;
  int64_t n_min = 1, linear = 1000, hard_cap = kMaxUnits;
  switch (pilot.statistic) {
    case Statistic::kPearson:
    case Statistic::kSpearman: {
      const bool spearman = pilot.statistic == Statistic::kSpearman;
      double rho = est;
      if (std::fabs(rho) >= 1) {
        // A perfect pilot: take the nearest value its ranks allow (as
        // SpearmanInterval does), or 0.999 for Pearson.
        const double nn = static_cast<double>(std::max<int64_t>(pilot.units, 4));
        rho = (rho > 0 ? 1 : -1) *
              (spearman ? 1 - 12 / (nn * (nn * nn - 1)) : 0.999);
        plan.pilot.assumed.push_back(absl::StrCat(
            "a perfect pilot correlation planned as ", Fmt(rho)));
      }
      const double rule_out = std::max(threshold, kSmallestR);
      const double max_p = pilot.max_p;
      n_min = 4;
      decide = [=](int64_t n) {
        double min_est = threshold;
        if (!std::isnan(max_p))
          min_est = std::max(min_est, CorrelationPCritical(n, max_p));
        return spearman ? SpearmanDecision(rho, n, min_est, rule_out, level)
                        : PearsonDecision(rho, n, min_est, rule_out, level);
      };
      plan.method = spearman
                        ? "Fisher z with the Bonett-Wright se (normal "
                          "approximation)"
                        : "Fisher z (normal approximation)";
      break;
    }
    case Statistic::kPairedMean: {
      const double delta = pilot.delta;
      n_min = 2;
      decide = [=](int64_t n) { return PairedMeanDecision(delta, n, level); };
      plan.method = "Student: noncentral t (exact for normal units)";
      break;
    }
    case Statistic::kMeanDifference: {
      const double delta = pilot.delta, share = pilot.share;
      n_min = 4;
      decide = [=](int64_t n) { return WelchDecision(delta, n, share, level); };
      plan.method = "Welch: noncentral t at equal variances";
      break;
    }
    case Statistic::kFraction: {
      // In the spec's own coordinates (verdict.cc's Fraction compares the
      // Clopper-Pearson bounds with the threshold itself for either side).
      const double rate = pilot.estimate, t = pilot.threshold;
      if (less) {
        decide = [=](int64_t n) {
          return FractionLessDecision(rate, n, t, level);
        };
        plan.method =
            "exact binomial over Clopper-Pearson outcomes (side less: the "
            "interval at or below the threshold)";
      } else {
        decide = [=](int64_t n) {
          return FractionDecision(rate, n, t, level);
        };
        plan.method = "exact binomial over Clopper-Pearson outcomes";
      }
      break;
    }
    case Statistic::kMinFraction: {
      const std::vector<double> rates = pilot.group_rates;
      const double t = pilot.threshold;
      plan.groups = static_cast<int64_t>(rates.size());
      if (less) {
        decide = [=](int64_t n) {
          return MinFractionLessDecision(rates, n, t, level);
        };
        plan.method =
            "exact binomial over Clopper-Pearson outcomes, every group (side "
            "less: every interval at or below the threshold)";
      } else {
        decide = [=](int64_t n) {
          return MinFractionDecision(rates, n, t, level);
        };
        plan.method =
            "exact binomial over Clopper-Pearson outcomes, every group";
      }
      break;
    }
    case Statistic::kFractionInside: {
      const double rate = pilot.estimate, t = pilot.threshold,
                   t_high = pilot.threshold_high;
      decide = [=](int64_t n) {
        return FractionInsideDecision(rate, n, t, t_high, level);
      };
      plan.method =
          "exact binomial over Clopper-Pearson outcomes (inside the band "
          "[threshold, threshold_high])";
      break;
    }
    case Statistic::kSignTest: {
      const double rate = pilot.estimate;
      decide = [=](int64_t n) { return SignTestDecision(rate, n, level); };
      plan.method = "exact binomial (sign test, Clopper-Pearson)";
      break;
    }
    case Statistic::kOddsRatio: {
      double r1 = pilot.rate1, r2 = pilot.rate2;
      if (less) std::swap(r1, r2);
      plan.groups = 2;
      linear = 100;
      hard_cap = kMaxOddsRatioPerGroup;
      decide = [=](int64_t n) { return OddsRatioDecision(r1, r2, n, level); };
      plan.method =
          "exact enumeration of both binomials (Fisher / conditional)";
      break;
    }
  }
  // The cap in units per group, from the core-hour cap.
  const double unit_hours = cost.runs_per_unit * cost.core_hours_per_run;
  int64_t max_per_group = hard_cap;
  if (unit_hours > 0 && cost.cap_core_hours > 0)
    max_per_group = std::min<int64_t>(
        hard_cap, static_cast<int64_t>(std::floor(
                      cost.cap_core_hours / (unit_hours * plan.groups))));
  max_per_group = std::max(max_per_group, n_min);
  const SampleSize s =
      SmallestDecidingN(decide, n_min, max_per_group, power, linear);
  plan.decidable = s.found;
  plan.per_group = s.n;
  plan.units = s.n * plan.groups;
  plan.max_units = max_per_group * plan.groups;
  plan.at_units = s.at_n;
  plan.runs = static_cast<int64_t>(
      std::ceil(plan.units * cost.runs_per_unit - 1e-9));
  plan.core_hours = plan.runs * cost.core_hours_per_run;
  return plan;
}

nlohmann::json ClaimPlan::ToJson() const {
  nlohmann::json pilot_json = {
      {"statistic", StatisticName(pilot.statistic)},
      {"side", pilot.side == Side::kLess ? "less" : "greater"},
      {"threshold", pilot.threshold},
      {"estimate", pilot.estimate},
      {"units", pilot.units},
      {"assumed", pilot.assumed}};
  if (std::isfinite(pilot.threshold_high))
    pilot_json["threshold_high"] = pilot.threshold_high;
  if (std::isfinite(pilot.delta)) pilot_json["standardised_effect"] = pilot.delta;
  if (std::isfinite(pilot.rate1)) {
    pilot_json["rate_group1"] = pilot.rate1;
    pilot_json["rate_group2"] = pilot.rate2;
  }
  return {{"id", id},
          {"pilot", pilot_json},
          {"method", method},
          {"power", power},
          {"decidable", decidable},
          {"groups", groups},
          {"per_group", per_group},
          {"units", units},
          {"max_units", max_units},
          {"p_reproduced", at_units.reproduced},
          {"p_not_reproduced", at_units.not_reproduced},
          {"p_decided", at_units.decided()},
          {"runs", runs},
          {"core_hours", core_hours}};
}

nlohmann::json ToDecide(const ClaimPlan& plan, const std::string& experiment,
                        const std::string& tier) {
  nlohmann::json j = {
      {"tier", tier},
      {"command", absl::StrCat("tools/repro run ", experiment, " --tier=",
                               tier)},
      {"planner", true}};
  if (!plan.decidable) {
    j["not_decidable_below_core_hours"] = plan.core_hours;
    j["probability_at_cap"] = plan.at_units.decided();
    j["units_at_cap"] = plan.units;
    return j;
  }
  j["units"] = plan.units;
  j["runs"] = plan.runs;
  j["core_hours"] = plan.core_hours;
  j["probability"] = plan.at_units.decided();
  return j;
}

}  // namespace initrepro
