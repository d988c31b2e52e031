#include "src/verdict/verdict.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/stats/intervals.h"
#include "src/stats/stats.h"

namespace initrepro {
namespace {

constexpr double kMinValidShare = 0.8;       // PAPER.md v2, item 2
constexpr double kSmallestR = 0.1;           // smallest effects of interest
constexpr double kSmallestStandardised = 0.2;
constexpr double kSmallestRateDifference = 0.05;

std::string Num(double v) {
  if (std::isnan(v)) return "undefined";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return absl::StrFormat("%.3g", v);
}

// "99 %" at kVerdictLevel (as every golden says), "99.75 %" at a look's
// Bonferroni level.
std::string LevelText(double level) {
  if (level == kVerdictLevel) return "99 %";
  return absl::StrFormat("%.10g %%", level * 100);
}

// What Decide computes before applying the three-way rule, in the claimed
// direction (for kLess every number is negated so that "greater" is the
// claimed side).
struct Evidence {
  Interval effect;
  double p = std::numeric_limits<double>::quiet_NaN();  // v1's p, if any
  double null_value = 0;      // reproduced: low > null (>= for fractions)
  double rule_out_below = 0;  // not_reproduced: high < this
  bool v1_holds = false;
  bool inclusive = false;     // fractions: >= threshold, low >= null
  std::string label;          // e.g. "Pearson r"
  std::string undefined_why;
};

Evidence Correlate(const ClaimTest& t, bool spearman, double level) {
  Evidence e;
  const Correlation c = spearman ? Spearman(t.x, t.y) : Pearson(t.x, t.y);
  e.effect = spearman ? SpearmanInterval(c.r, c.n, level)
                      : PearsonInterval(c.r, c.n, level);
  e.effect.n = static_cast<int64_t>(t.x.size());
  e.p = c.p_two_sided;
  e.label = spearman ? "Spearman rho" : "Pearson r";
  e.null_value = 0;
  const double threshold = t.side == Side::kGreater ? t.threshold : -t.threshold;
  e.rule_out_below = std::max(threshold, kSmallestR);
  if (!e.effect.defined)
    e.undefined_why = absl::StrCat(e.label, " needs >= 4 units with varying "
                                   "values; have ", t.x.size());
  return e;
}

Evidence MeanDifference(const ClaimTest& t, bool paired, double level) {
  Evidence e;
  if (paired) {
    e.effect = MeanInterval(t.a, level);
    e.label = "mean paired difference";
    const double sd = t.a.size() >= 2 ? std::sqrt(SampleVariance(t.a)) : 0;
    e.rule_out_below = kSmallestStandardised * sd;
  } else {
    e.effect = WelchInterval(t.a, t.b, level);
    e.label = "difference of means";
    const double pooled =
        (t.a.size() >= 2 && t.b.size() >= 2)
            ? std::sqrt((SampleVariance(t.a) + SampleVariance(t.b)) / 2)
            : 0;
    e.rule_out_below = kSmallestStandardised * pooled;
    const TTest w = WelchT(t.a, t.b);
    e.p = t.side == Side::kGreater ? w.p_greater
                                   : (std::isnan(w.p_greater)
                                          ? w.p_greater
                                          : 1 - w.p_greater);
  }
  e.null_value = 0;
  if (!e.effect.defined)
    e.undefined_why = absl::StrCat(e.label, " needs >= 2 units per group and "
                                   "non-zero variance; have ",
                                   t.a.size(), paired ? "" : " and ",
                                   paired ? "" : absl::StrCat(t.b.size()));
  return e;
}

// kFraction, kMinFraction. For kGreater the v1 rule is estimate >= t in
// every group, reproduced when every interval lies at or above t; for
// kLess (estimate <= t) everything is mirrored: the numbers below are
// returned in the claimed direction as Decide expects (negated for kLess).
Evidence Fraction(const ClaimTest& t, double level,
                  std::string* group_note) {
  Evidence e;
  e.inclusive = true;
  e.label = "fraction";
  if (t.counts.empty()) {
    e.effect = ClopperPearson(0, 0, level);  // undefined: NaN, not 0
    e.undefined_why = "no units";
    return e;
  }
  const bool less = t.side == Side::kLess;
  // In the claimed direction: kLess compares -value against -t.
  auto dir = [less](double v) { return less ? -v : v; };
  // kFraction has one group; kMinFraction reports the group whose interval
  // is worst (lowest in the claimed direction) and needs every group to
  // pass.
  std::vector<Interval> all;
  bool every_passes = true;
  for (size_t i = 0; i < t.counts.size(); ++i) {
    all.push_back(ClopperPearson(t.counts[i].first, t.counts[i].second,
                                 level));
    if (t.counts[i].second <= 0 || !all.back().defined) {
      e.effect = ClopperPearson(0, 0, level);  // undefined: NaN, not 0
      e.undefined_why = absl::StrCat("group ", i, " has no units");
      return e;
    }
    if (dir(all[i].estimate) < dir(t.threshold)) every_passes = false;
  }
  // The claimed-direction low and high of group i.
  auto lo = [&](size_t i) { return less ? -all[i].high : all[i].low; };
  auto hi = [&](size_t i) { return less ? -all[i].low : all[i].high; };
  size_t worst = 0, lowest_high = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (lo(i) < lo(worst) || (lo(i) == lo(worst) && hi(i) < hi(worst)))
      worst = i;
    if (hi(i) < hi(lowest_high)) lowest_high = i;
  }
  // not_reproduced needs one group whose whole interval is on the wrong side.
  const bool ruled_out = hi(lowest_high) < dir(t.threshold);
  e.effect = all[ruled_out ? lowest_high : worst];
  if (t.counts.size() > 1 && group_note != nullptr && !t.group_labels.empty())
    *group_note = t.group_labels[ruled_out ? lowest_high : worst];
  e.null_value = dir(t.threshold);
  e.rule_out_below = dir(t.threshold);
  e.v1_holds = every_passes;
  return e;
}

Evidence SignTest(const ClaimTest& t, double level) {
  Evidence e;
  e.label = "fraction of units above 0.5";
  int64_t above = 0, below = 0;
  for (double v : t.a) {
    if (v > 0.5) ++above;
    if (v < 0.5) ++below;
  }
  e.effect = ClopperPearson(above, above + below, level);
  e.p = SignTestPGreater(above, below);
  e.null_value = 0.5;
  e.rule_out_below = 0.5 + kSmallestRateDifference;
  if (!e.effect.defined) e.undefined_why = "no unit away from 0.5";
  return e;
}

Evidence OddsRatio(const ClaimTest& t, double level) {
  Evidence e;
  e.label = "odds ratio";
  if (t.counts.size() != 2) {
    e.undefined_why = "needs a 2 x 2 table";
    return e;
  }
  const auto [a, b] = t.counts[0];
  const auto [c, d] = t.counts[1];
  e.effect = ConditionalOddsRatio(a, b, c, d, level);
  e.p = FisherExactPGreater(a, b, c, d);
  e.null_value = 1;
  e.rule_out_below = 1;
  if (!e.effect.defined)
    e.undefined_why = "a margin of the 2 x 2 table is zero";
  return e;
}

// JSON has no infinities: an odds ratio's unbounded end is written as the
// string "inf" (NaN becomes null, as everywhere in results).
nlohmann::json JsonNumber(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

nlohmann::json EffectJson(const ClaimTest& t, const Evidence& e,
                          const std::string& group, double level) {
  nlohmann::json j = {{"statistic", e.label},
                      {"estimate", JsonNumber(e.effect.estimate)},
                      {"low", JsonNumber(e.effect.low)},
                      {"high", JsonNumber(e.effect.high)},
                      {"level", level},
                      {"n", e.effect.n},
                      {"unit", t.unit}};
  if (!group.empty()) j["group"] = group;
  return j;
}

std::string ExcludedText(const RunTally& runs) {
  std::vector<std::string> parts;
  for (const auto& [reason, n] : runs.excluded)
    parts.push_back(absl::StrCat(reason, " ", n));
  return parts.empty() ? "none" : absl::StrJoin(parts, ", ");
}

// kFractionInside: the v1 rule is threshold <= estimate <= threshold_high;
// reproduced when the whole interval lies inside that band, not_reproduced
// when it lies entirely below or entirely above it.
Claim DecideInside(Tier tier, const ClaimTest& t, Claim c,
                   const std::string& valid_text, double level) {
  Evidence e;
  e.label = "fraction";
  if (t.counts.size() == 1 && t.counts[0].second > 0)
    e.effect = ClopperPearson(t.counts[0].first, t.counts[0].second, level);
  c.effect = EffectJson(t, e, "", level);
  const std::string band =
      absl::StrCat("[", Num(t.threshold), ", ", Num(t.threshold_high), "]");
  auto undecided = [&](const std::string& code, const std::string& why) {
    c.verdict = "undecided_at_this_scale";
    c.reason_code = code;
    c.reason = why;
    return c;
  };
  if (tier == Tier::kSmoke)
    return undecided("smoke_tier", "smoke tier: a few tiny runs check the "
                                   "plumbing; it decides nothing.");
  if (t.runs.planned > 0 &&
      t.runs.valid < kMinValidShare * static_cast<double>(t.runs.planned))
    return undecided("too_few_valid",
                     absl::StrCat("too few valid runs: ", valid_text,
                                  " (need >= 80 %); excluded: ",
                                  ExcludedText(t.runs), "."));
  if (!e.effect.defined)
    return undecided("undefined",
                     "the statistic is undefined: no trained unit.");
  const std::string interval = absl::StrCat(
      "fraction ", Num(e.effect.estimate), ", ", LevelText(level),
      " interval [",
      Num(e.effect.low), ", ", Num(e.effect.high), "], n = ", e.effect.n,
      t.unit.empty() ? "" : absl::StrCat(" ", t.unit, " units"));
  if (e.effect.low >= t.threshold && e.effect.high <= t.threshold_high) {
    c.verdict = "reproduced";
    c.reason_code = "decided";
    c.reason = absl::StrCat(interval, ": the interval lies inside ", band,
                            ".");
    return c;
  }
  if (e.effect.high < t.threshold || e.effect.low > t.threshold_high) {
    c.verdict = "not_reproduced";
    c.reason_code = "decided";
    c.reason = absl::StrCat(interval, ": the whole interval lies ",
                            e.effect.high < t.threshold ? "below " : "above ",
                            e.effect.high < t.threshold
                                ? Num(t.threshold)
                                : Num(t.threshold_high),
                            ", outside ", band, ".");
    return c;
  }
  return undecided("interval_wide",
                   absl::StrCat(interval, ": the interval crosses an edge of ",
                                band, " and lies neither inside nor outside "
                                "it. ", valid_text, "."));
}

}  // namespace

Claim Decide(Tier tier, const ClaimTest& t, double level) {
  Claim c;
  c.id = t.id;
  c.statement = t.statement;
  c.rule = t.rule;
  c.design = t.design;
  c.reconstructed = t.reconstructed;
  c.observed = t.observed;
  c.runs = t.runs.ToJson();
  const std::string valid_text =
      absl::StrCat(t.runs.valid, " of ", t.runs.planned, " planned runs valid");
  if (t.statistic == Statistic::kFractionInside)
    return DecideInside(tier, t, c, valid_text, level);

  Evidence e;
  std::string group;
  switch (t.statistic) {
    case Statistic::kPearson: e = Correlate(t, false, level); break;
    case Statistic::kSpearman: e = Correlate(t, true, level); break;
    case Statistic::kMeanDifference:
      e = MeanDifference(t, false, level);
      break;
    case Statistic::kPairedMean: e = MeanDifference(t, true, level); break;
    case Statistic::kFraction:
    case Statistic::kMinFraction: e = Fraction(t, level, &group); break;
    case Statistic::kSignTest: e = SignTest(t, level); break;
    case Statistic::kOddsRatio: e = OddsRatio(t, level); break;
    case Statistic::kFractionInside: break;  // above
  }
  if (t.inclusive) e.inclusive = true;
  if (!std::isnan(t.smallest_effect))
    e.rule_out_below =
        t.side == Side::kLess ? -t.smallest_effect : t.smallest_effect;

  if (!std::isnan(e.p)) c.observed["p"] = e.p;
  c.effect = EffectJson(t, e, group, level);

  // Work in the claimed direction: for kLess negate and swap the bounds.
  const bool less = t.side == Side::kLess;
  const double est = less ? -e.effect.estimate : e.effect.estimate;
  const double low = less ? -e.effect.high : e.effect.low;
  const double high = less ? -e.effect.low : e.effect.high;
  // null_value and rule_out_below are in the claimed direction; fractions
  // negate theirs for kLess, the other statistics keep a null of 0 or 1.
  const double null_value = e.null_value;
  const bool null_negated = less && (t.statistic == Statistic::kFraction ||
                                     t.statistic == Statistic::kMinFraction);
  const double null_shown = null_negated ? -null_value : null_value;
  const double threshold = less ? -t.threshold : t.threshold;
  const char* side_word = less ? "below" : "above";

  // The v1 rule on the estimate (fractions computed theirs already).
  bool v1 = e.v1_holds;
  if (t.statistic == Statistic::kSignTest) {
    v1 = !t.a.empty() && Mean(t.a) > 0.5;
  } else if (t.statistic != Statistic::kFraction &&
             t.statistic != Statistic::kMinFraction) {
    v1 = t.inclusive ? est >= threshold : est > threshold;
  }
  if (!std::isnan(t.max_p)) v1 = v1 && e.p < t.max_p;
  std::vector<std::string> failed_conditions;
  for (const auto& [name, holds] : t.conditions)
    if (!holds) failed_conditions.push_back(name);
  v1 = v1 && failed_conditions.empty();

  const std::string interval = absl::StrCat(
      e.label, " ", Num(e.effect.estimate), ", ", LevelText(level),
      " interval [",
      Num(e.effect.low), ", ", Num(e.effect.high), "], n = ", e.effect.n,
      t.unit.empty() ? "" : absl::StrCat(" ", t.unit, " units"),
      group.empty() ? "" : absl::StrCat(" (", group, ")"));

  auto undecided = [&](const std::string& code, const std::string& why) {
    c.verdict = "undecided_at_this_scale";
    c.reason_code = code;
    c.reason = why;
    return c;
  };
  if (tier == Tier::kSmoke)
    return undecided("smoke_tier",
                     "smoke tier: a few tiny runs check the plumbing; it "
                     "decides nothing.");
  if (t.runs.planned > 0 &&
      t.runs.valid < kMinValidShare * static_cast<double>(t.runs.planned))
    return undecided("too_few_valid",
                     absl::StrCat("too few valid runs: ", valid_text,
                                  " (need >= 80 %); excluded: ",
                                  ExcludedText(t.runs), ". ", interval, "."));
  if (!t.cannot_measure.empty())
    return undecided("ceiling",
                     absl::StrCat(t.cannot_measure, " ", interval, "."));
  if (!e.undefined_why.empty())
    return undecided("undefined", absl::StrCat("the statistic is undefined: ",
                                               e.undefined_why, "."));

  const bool beyond_null = e.inclusive ? low >= null_value : low > null_value;
  const bool ruled_out = high < e.rule_out_below;
  const double rule_out_shown = less ? -e.rule_out_below : e.rule_out_below;
  if (v1 && beyond_null) {
    c.verdict = "reproduced";
    c.reason_code = "decided";
    c.reason = absl::StrCat(interval, ": the v1 rule holds and the interval "
                            "lies ", side_word, e.inclusive ? " or at " : " ",
                            Num(null_shown), ".");
    return c;
  }
  if (ruled_out) {
    c.verdict = "not_reproduced";
    c.reason_code = "decided";
    c.reason = absl::StrCat(interval, ": the whole interval lies on the wrong "
                            "side of ", Num(rule_out_shown),
                            ", which rules the claimed effect out.");
    return c;
  }
  std::vector<std::string> why;
  if (!beyond_null)
    why.push_back(absl::StrCat("the interval reaches the null ",
                               Num(null_shown)));
  if (!v1) {
    if (!failed_conditions.empty()) {
      why.push_back(absl::StrCat("v1 condition fails: ",
                                 absl::StrJoin(failed_conditions, "; ")));
    } else if (!std::isnan(t.max_p) && !(e.p < t.max_p)) {
      why.push_back(absl::StrCat("p = ", Num(e.p), " is not below ",
                                 Num(t.max_p)));
    } else {
      why.push_back(absl::StrCat("the estimate misses the v1 threshold ",
                                 Num(t.threshold)));
    }
  }
  return undecided(
      "interval_wide",
      absl::StrCat(interval, ": ", absl::StrJoin(why, " and "),
                   ", yet the interval does not rule the claim out: its ",
                   less ? "lower" : "upper", " end is not ",
                   less ? "above " : "below ",
                   "the smallest effect of interest ", Num(rule_out_shown),
                   ". ", valid_text, "."));
}

ClaimTest TestFrom(const ClaimSpec& spec, const ClaimEvidence& ev) {
  ClaimTest t;
  t.id = ev.claim_id;
  t.statement = spec.statement;
  t.rule = RuleSentence(spec);
  t.design = ev.design;
  t.reconstructed = spec.reconstructed;
  t.statistic = spec.statistic;
  t.side = spec.side;
  t.unit = spec.unit;
  t.x = ev.x;
  t.y = ev.y;
  t.a = ev.a;
  t.b = ev.b;
  t.counts = ev.counts;
  t.group_labels = ev.group_labels;
  t.threshold = spec.threshold;
  t.threshold_high = spec.threshold_high;
  t.inclusive = spec.inclusive;
  t.max_p = spec.max_p;
  t.smallest_effect = spec.smallest_effect;
  t.conditions = ev.conditions;
  t.runs = ev.runs;
  t.cannot_measure = ev.cannot_measure;
  t.observed = ev.observed;
  return t;
}

Claim Decide(Tier tier, const ClaimSpec& spec, const ClaimEvidence& ev,
             double level) {
  if (spec.descriptive) {
    Claim c = Descriptive(ev.claim_id, spec.statement, RuleSentence(spec),
                          ev.design, ev.runs, ev.observed, spec.reconstructed);
    c.reason_code = "descriptive";
    c.source = {{"paper", spec.paper}, {"p1_script", spec.p1_script}};
    c.variant_of = spec.variant_of;
    return c;
  }
  const ClaimTest t = TestFrom(spec, ev);
  Claim c = Decide(tier, t, level);
  c.source = {{"paper", spec.paper}, {"p1_script", spec.p1_script}};
  c.variant_of = spec.variant_of;
  return c;
}

Claim Descriptive(const std::string& id, const std::string& statement,
                  const std::string& rule, const std::string& design,
                  RunTally runs, nlohmann::json observed, bool reconstructed) {
  Claim c;
  c.id = id;
  c.statement = statement;
  c.rule = rule;
  c.design = design;
  c.observed = std::move(observed);
  c.verdict = "descriptive";
  c.runs = runs.ToJson();
  c.reconstructed = reconstructed;
  return c;
}

}  // namespace initrepro
