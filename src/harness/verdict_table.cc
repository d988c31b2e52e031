#include "src/harness/verdict_table.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace initrepro {
namespace {

constexpr double kMinValidShare = 0.8;  // docs/claims.md, Verdicts (v2) 2

std::string Str(const nlohmann::json& j, const std::string& key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::optional<double> Number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "inf" || s == "+inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    double d;
    if (absl::SimpleAtod(s, &d)) return d;
  }
  return std::nullopt;
}

std::optional<double> RunsField(const Claim& claim, const char* key) {
  const nlohmann::json& r = claim.runs;
  if (!r.is_object() || !r.contains(key) || !r[key].is_number()) return std::nullopt;
  return r[key].get<double>();
}

std::optional<double> FirstMatch(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  double d;
  if (!absl::SimpleAtod(m[1].str(), &d)) return std::nullopt;
  return d;
}

const char kNumber[] = "(-?[0-9.]+(?:e[-+]?[0-9]+)?)";

// CSV field: quoted when it holds a comma, quote or newline.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string CsvNumber(const std::optional<double>& v) {
  if (!v.has_value()) return "-";
  if (std::isinf(*v)) return *v > 0 ? "inf" : "-inf";
  return absl::StrFormat("%.15g", *v);  // the JSON holds every bit
}

nlohmann::json JsonNumber(const std::optional<double>& v) {
  if (!v.has_value()) return nullptr;
  if (std::isinf(*v)) return *v > 0 ? "inf" : "-inf";
  return *v;
}

std::string Short(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return absl::StrFormat("%.3g", v);
}

}  // namespace

int TierRank(const std::string& tier) {
  const auto& order = TierOrder();
  auto it = std::find(order.begin(), order.end(), tier);
  return it == order.end() ? -1 : static_cast<int>(it - order.begin());
}

bool DisplayableResult(const nlohmann::json& r) {
  return r.is_object() && r.contains("format_version") &&
         r["format_version"].is_number() &&
         r["format_version"].get<double>() >= 2 && r.contains("claims") &&
         r["claims"].is_array();
}

Claim TolerantClaim(const nlohmann::json& j) {
  Claim c;
  if (!j.is_object()) return c;
  c.id = Str(j, "id");
  c.statement = Str(j, "statement");
  c.rule = Str(j, "rule");
  c.verdict = Str(j, "verdict");
  c.reason = Str(j, "reason");
  c.reason_code = Str(j, "reason_code");
  c.design = Str(j, "design");
  c.variant_of = Str(j, "variant_of");
  if (j.contains("observed")) c.observed = j["observed"];
  if (j.contains("effect")) c.effect = j["effect"];
  if (j.contains("runs")) c.runs = j["runs"];
  if (j.contains("to_decide")) c.to_decide = j["to_decide"];
  if (j.contains("reconstructed") && j["reconstructed"].is_boolean())
    c.reconstructed = j["reconstructed"].get<bool>();
  if (j.contains("source") && j["source"].is_object()) c.source = j["source"];
  return c;
}

std::optional<double> EffectNumber(const Claim& claim, const std::string& key) {
  const nlohmann::json& e = claim.effect;
  if (!e.is_object() || !e.contains(key)) return std::nullopt;
  return Number(e[key]);
}

std::optional<double> EffectNumber(const nlohmann::json& claim,
                                   const std::string& key) {
  if (!claim.is_object() || !claim.contains("effect") || !claim["effect"].is_object())
    return std::nullopt;
  const nlohmann::json& e = claim["effect"];
  if (!e.contains(key)) return std::nullopt;
  return Number(e[key]);
}

std::optional<double> ClaimNull(const nlohmann::json& claim) {
  return ClaimNull(TolerantClaim(claim));
}

std::optional<double> ClaimThreshold(const nlohmann::json& claim) {
  return ClaimThreshold(TolerantClaim(claim));
}

std::optional<double> ClaimNull(const Claim& claim) {
  const std::string& reason = claim.reason;
  static const std::regex kNull(std::string("the null ") + kNumber);
  static const std::regex kLies(std::string("lies (?:above|below) ") + kNumber);
  if (auto v = FirstMatch(reason, kNull)) return v;
  return FirstMatch(reason, kLies);
}

std::optional<double> ClaimThreshold(const Claim& claim) {
  const std::string& reason = claim.reason;
  static const std::regex kThreshold(std::string("threshold ") + kNumber);
  static const std::regex kReaches(std::string("\\(it reaches ") + kNumber + "\\)");
  static const std::regex kSide(std::string("wrong side of ") + kNumber);
  if (auto v = FirstMatch(reason, kReaches)) return v;
  if (auto v = FirstMatch(reason, kThreshold)) return v;
  return FirstMatch(reason, kSide);
}

std::string ReasonCode(const nlohmann::json& claim, const std::string& tier) {
  return ReasonCode(TolerantClaim(claim), tier);
}

std::string ReasonCode(const Claim& claim, const std::string& tier) {
  if (!claim.reason_code.empty()) return claim.reason_code;
  const std::string& verdict = claim.verdict;
  if (verdict == "descriptive") return "descriptive";
  if (verdict == "reproduced" || verdict == "not_reproduced") return "decided";
  const std::string& reason = claim.reason;
  if (tier == "smoke" || absl::StartsWith(reason, "smoke tier")) return "smoke_tier";
  const auto valid = RunsField(claim, "valid"), planned = RunsField(claim, "planned");
  if (absl::StartsWith(reason, "too few valid runs") ||
      (valid && planned && *planned > 0 && *valid < kMinValidShare * *planned))
    return "too_few_valid";
  if (absl::StrContains(reason, "ceiling")) return "ceiling";
  if (absl::StrContains(reason, "undefined") ||
      (claim.effect.is_object() && !EffectNumber(claim, "estimate").has_value()))
    return absl::StrContains(reason, "are needed") ? "too_few_units" : "undefined";
  if (absl::StrContains(reason, "are needed")) return "too_few_units";
  if (absl::StrContains(reason, "does not rule the claim out")) {
    // The interval excludes the null but the v1 rule fails: not a width
    // problem.
    return absl::StrContains(reason, "reaches the null") ? "interval_wide"
                                                         : "rule_fails";
  }
  return "undecided";
}

namespace {

// A design as words: a string as is, an object as "key = value, ...".
std::string RenderDesign(const nlohmann::json& d) {
  if (d.is_string()) return d.get<std::string>();
  if (!d.is_object()) return "";
  std::vector<std::string> parts;
  for (auto it = d.begin(); it != d.end(); ++it)
    parts.push_back(absl::StrCat(it.key(), " = ",
                                 it.value().is_string()
                                     ? it.value().get<std::string>()
                                     : it.value().dump()));
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::string DesignText(const nlohmann::json& result, const nlohmann::json& claim) {
  if (claim.is_object() && claim.contains("design")) {
    const std::string s = RenderDesign(claim["design"]);
    if (!s.empty()) return s;
  }
  if (result.is_object() && result.contains("design")) return RenderDesign(result["design"]);
  return "";
}

std::string DesignText(const nlohmann::json& result, const Claim& claim) {
  if (!claim.design.empty()) return claim.design;
  if (result.is_object() && result.contains("design")) return RenderDesign(result["design"]);
  return "";
}

std::string TierScale(const std::vector<const nlohmann::json*>& results) {
  std::map<long, int> ps, ds;
  long lo_steps = -1, hi_steps = -1;
  long runs = 0;
  static const std::regex kP("\\bp ?= ?([0-9]+)");
  static const std::regex kD("\\bd ?= ?([0-9]+)");
  // A design's own step count ("p=23, d=32, 800 steps"), not "at 9 steps".
  static const std::regex kSteps("(?:^|[,;:(] ?)([0-9]+) steps");
  for (const nlohmann::json* r : results) {
    if (r == nullptr || !DisplayableResult(*r)) continue;
    if (r->contains("num_runs") && (*r)["num_runs"].is_number())
      runs += (*r)["num_runs"].get<long>();
    std::set<std::string> designs;
    for (const auto& c : (*r)["claims"]) designs.insert(DesignText(*r, c));
    for (const std::string& d : designs) {
      std::smatch m;
      if (std::regex_search(d, m, kP)) ++ps[std::atol(m[1].str().c_str())];
      if (std::regex_search(d, m, kD)) ++ds[std::atol(m[1].str().c_str())];
      for (auto it = std::sregex_iterator(d.begin(), d.end(), kSteps);
           it != std::sregex_iterator(); ++it) {
        const long s = std::atol((*it)[1].str().c_str());
        if (lo_steps < 0 || s < lo_steps) lo_steps = s;
        if (s > hi_steps) hi_steps = s;
      }
    }
  }
  auto mode = [](const std::map<long, int>& m) {
    long best = -1;
    int count = 0;
    for (const auto& [v, n] : m)
      if (n > count) best = v, count = n;
    return best;
  };
  std::vector<std::string> parts;
  if (mode(ps) >= 0) parts.push_back(absl::StrCat("p ", mode(ps)));
  if (mode(ds) >= 0) parts.push_back(absl::StrCat("d ", mode(ds)));
  if (lo_steps >= 0)
    parts.push_back(lo_steps == hi_steps
                        ? absl::StrCat(lo_steps, " steps")
                        : absl::StrCat(lo_steps, "-", hi_steps, " steps"));
  if (runs > 0) parts.push_back(absl::StrCat(runs, " runs"));
  return absl::StrJoin(parts, ", ");
}

std::vector<VerdictRow> VerdictRows(
    const TierResults& results, const TierOrigins& origins,
    const std::function<std::string(const std::string&, const Claim&)>& source_of,
    const std::string& commit) {
  std::vector<VerdictRow> rows;
  for (const auto& [experiment, tiers] : results) {
    // Claims in first-seen order over the tiers (a nightly-only claim such
    // as MA-frozen's `@1000` follows the ci ones).
    std::vector<std::string> ids;
    for (const std::string& tier : TierOrder()) {
      auto t = tiers.find(tier);
      if (t == tiers.end() || !DisplayableResult(t->second)) continue;
      for (const auto& c : t->second["claims"]) {
        const std::string id = Str(c, "id");
        if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
          ids.push_back(id);
      }
    }
    for (const std::string& id : ids) {
      for (const std::string& tier : TierOrder()) {
        auto t = tiers.find(tier);
        if (t == tiers.end() || !DisplayableResult(t->second)) continue;
        for (const auto& c : t->second["claims"]) {
          if (Str(c, "id") != id) continue;
          VerdictRow row;
          row.claim = id;
          row.experiment = experiment;
          row.tier = tier;
          row.from = "out";
          auto e = origins.find(experiment);
          if (e != origins.end()) {
            auto o = e->second.find(tier);
            if (o != e->second.end()) row.from = o->second;
          }
          row.claim_json = c;
          row.typed = TolerantClaim(c);
          for (const char* key : {"design", "overrides", "modified_design"})
            if (t->second.contains(key)) row.result_meta[key] = t->second[key];
          row.verdict = row.typed.verdict;
          row.reason_code = ReasonCode(row.typed, tier);
          row.source = source_of ? source_of(experiment, row.typed) : "";
          row.commit = t->second.contains("commit") && t->second["commit"].is_string()
                           ? t->second["commit"].get<std::string>()
                           : commit;
          row.design = DesignText(t->second, c);
          rows.push_back(row);
        }
      }
    }
  }
  return rows;
}

namespace {

struct Fields {
  std::string statistic, unit;
  std::optional<double> estimate, low, high, level, n, valid, planned, hours;
  std::string command;
};

Fields FieldsOf(const Claim& c) {
  Fields f;
  if (c.effect.is_object()) {
    f.statistic = Str(c.effect, "statistic");
    f.unit = Str(c.effect, "unit");
  }
  f.estimate = EffectNumber(c, "estimate");
  f.low = EffectNumber(c, "low");
  f.high = EffectNumber(c, "high");
  f.level = EffectNumber(c, "level");
  f.n = EffectNumber(c, "n");
  f.valid = RunsField(c, "valid");
  f.planned = RunsField(c, "planned");
  if (c.to_decide.is_object()) {
    f.command = Str(c.to_decide, "command");
    if (c.to_decide.contains("core_hours")) f.hours = Number(c.to_decide["core_hours"]);
  }
  return f;
}

}  // namespace

std::string VerdictsCsv(const std::vector<VerdictRow>& rows) {
  std::string csv =
      "claim,experiment,tier,from,verdict,statistic,estimate,low,high,level,n,"
      "unit,valid,planned,reason_code,to_decide_command,to_decide_core_hours,"
      "source,commit,design,reason\n";
  auto text = [](const std::string& s) { return s.empty() ? "-" : CsvField(s); };
  for (const VerdictRow& r : rows) {
    const Fields f = FieldsOf(r.typed);
    std::vector<std::string> cells = {
        text(r.claim), text(r.experiment), text(r.tier), text(r.from),
        text(r.verdict), text(f.statistic), CsvNumber(f.estimate),
        CsvNumber(f.low), CsvNumber(f.high), CsvNumber(f.level), CsvNumber(f.n),
        text(f.unit), CsvNumber(f.valid), CsvNumber(f.planned),
        text(r.reason_code), text(f.command), CsvNumber(f.hours), text(r.source),
        text(r.commit), text(r.design), text(r.typed.reason)};
    absl::StrAppend(&csv, absl::StrJoin(cells, ","), "\n");
  }
  return csv;
}

nlohmann::json VerdictsJson(const std::vector<VerdictRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  auto text = [](const std::string& s) -> nlohmann::json {
    if (s.empty()) return nullptr;
    return s;
  };
  for (const VerdictRow& r : rows) {
    const Fields f = FieldsOf(r.typed);
    nlohmann::json j = {
        {"claim", r.claim},
        {"experiment", r.experiment},
        {"tier", r.tier},
        {"from", r.from},
        {"verdict", text(r.verdict)},
        {"statistic", text(f.statistic)},
        {"estimate", JsonNumber(f.estimate)},
        {"low", JsonNumber(f.low)},
        {"high", JsonNumber(f.high)},
        {"level", JsonNumber(f.level)},
        {"n", JsonNumber(f.n)},
        {"unit", text(f.unit)},
        {"valid", JsonNumber(f.valid)},
        {"planned", JsonNumber(f.planned)},
        {"reason_code", text(r.reason_code)},
        {"to_decide_command", text(f.command)},
        {"to_decide_core_hours", JsonNumber(f.hours)},
        {"source", text(r.source)},
        {"commit", text(r.commit)},
        {"design", text(r.design)},
        {"reason", text(r.typed.reason)},
    };
    out.push_back(j);
  }
  return out;
}

std::string VerdictWord(const std::string& v) {
  if (v == "undecided_at_this_scale") return "undecided";
  if (v == "not_reproduced") return "not reproduced";
  return v.empty() ? "-" : v;
}

std::string VerdictMark(const std::string& v) {
  if (v == "reproduced") return "\u2714";      // ✔
  if (v == "not_reproduced") return "\u2718";  // ✘
  if (v == "descriptive") return "~";
  return "?";
}

std::string EffectShort(const nlohmann::json& c) { return EffectShort(TolerantClaim(c)); }

std::string EffectShort(const Claim& c) {
  if (!c.effect.is_object()) return "";
  const std::string stat = Str(c.effect, "statistic");
  const auto est = EffectNumber(c, "estimate"), lo = EffectNumber(c, "low"),
             hi = EffectNumber(c, "high");
  if (!est && !lo && !hi) return absl::StrCat(stat, " undefined");
  auto num = [](const std::optional<double>& v) {
    return v ? Short(*v) : std::string("undefined");
  };
  return absl::StrCat(stat, " ", num(est), " [", num(lo), ", ", num(hi), "]");
}

namespace {

std::string Key(const VerdictRow& r, bool with_tier) {
  return with_tier ? absl::StrCat(r.claim, " [", r.tier, "]") : r.claim;
}

std::string Opt(const std::optional<double>& v) {
  return v ? Short(*v) : std::string("-");
}

bool Same(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  if (std::isnan(*a) && std::isnan(*b)) return true;
  return *a == *b;
}

}  // namespace

VerdictDiff DiffVerdicts(const std::vector<VerdictRow>& a,
                         const std::vector<VerdictRow>& b,
                         const std::string& a_name, const std::string& b_name) {
  std::set<std::string> ta, tb, common;
  for (const auto& r : a) ta.insert(r.tier);
  for (const auto& r : b) tb.insert(r.tier);
  for (const auto& t : ta)
    if (tb.count(t)) common.insert(t);
  const bool with_tier = !common.empty();
  VerdictDiff d;
  if (!with_tier && !(ta.size() == 1 && tb.size() == 1)) {
    d.text = absl::StrCat("no tier in common between ", a_name, " (",
                          absl::StrJoin(ta, ", "), ") and ", b_name, " (",
                          absl::StrJoin(tb, ", "), ")\n");
    return d;
  }
  std::map<std::string, const VerdictRow*> in_b;
  for (const auto& r : b)
    if (!with_tier || common.count(r.tier)) in_b[Key(r, with_tier)] = &r;
  std::set<std::string> seen;
  std::vector<std::string> only_a, only_b;
  for (const auto& ra : a) {
    if (with_tier && !common.count(ra.tier)) continue;
    const std::string key = Key(ra, with_tier);
    auto it = in_b.find(key);
    if (it == in_b.end()) {
      only_a.push_back(key);
      continue;
    }
    seen.insert(key);
    ++d.compared;
    const VerdictRow& rb = *it->second;
    const Fields fa = FieldsOf(ra.typed), fb = FieldsOf(rb.typed);
    std::vector<std::string> moved;
    const bool verdict_moved = ra.verdict != rb.verdict;
    if (verdict_moved)
      moved.push_back(absl::StrCat("verdict ", VerdictWord(ra.verdict), " -> ",
                                   VerdictWord(rb.verdict)));
    if (!Same(fa.estimate, fb.estimate) || fa.statistic != fb.statistic)
      moved.push_back(absl::StrCat(fa.statistic.empty() ? "effect" : fa.statistic, " ",
                                   Opt(fa.estimate), " -> ", Opt(fb.estimate)));
    if (!Same(fa.low, fb.low) || !Same(fa.high, fb.high))
      moved.push_back(absl::StrCat("interval [", Opt(fa.low), ", ", Opt(fa.high),
                                   "] -> [", Opt(fb.low), ", ", Opt(fb.high), "]"));
    if (!Same(fa.valid, fb.valid) || !Same(fa.planned, fb.planned))
      moved.push_back(absl::StrCat("valid runs ", Opt(fa.valid), "/", Opt(fa.planned),
                                   " -> ", Opt(fb.valid), "/", Opt(fb.planned)));
    if (moved.empty()) continue;
    if (verdict_moved) ++d.verdicts_moved;
    else ++d.other_moved;
    absl::StrAppend(&d.text, verdict_moved ? "* " : "  ", with_tier ? key : absl::StrCat(key, " [", ra.tier, " -> ", rb.tier, "]"),
                    ": ", absl::StrJoin(moved, "; "), "\n");
  }
  for (const auto& [key, r] : in_b)
    if (!seen.count(key)) only_b.push_back(key);
  for (const auto& k : only_a) absl::StrAppend(&d.text, "  only in ", a_name, ": ", k, "\n");
  for (const auto& k : only_b) absl::StrAppend(&d.text, "  only in ", b_name, ": ", k, "\n");
  absl::StrAppend(&d.text, d.compared, " claims compared (", a_name, " -> ", b_name,
                  "): ", d.verdicts_moved, " verdicts moved, ", d.other_moved,
                  " moved in effect, interval or valid runs only\n");
  return d;
}

std::string CaptionContradiction(const nlohmann::json& figure,
                                 const nlohmann::json& result) {
  const std::string caption = Str(figure, "caption");
  std::string word = "rise", key_wanted;
  if (figure.contains("direction") && figure["direction"].is_object()) {
    word = Str(figure["direction"], "word");
    key_wanted = Str(figure["direction"], "observed");
  }
  if (word.empty() || !absl::StrContains(caption, word)) return "";
  if (!result.contains("claims") || !result["claims"].is_array()) return "";
  for (const auto& c : result["claims"]) {
    if (!c.is_object() || !c.contains("observed") || !c["observed"].is_object()) continue;
    for (auto it = c["observed"].begin(); it != c["observed"].end(); ++it) {
      const std::string& key = it.key();
      const bool wanted = key_wanted.empty()
                              ? absl::StrContains(key, "rose") || absl::StrContains(key, "riser")
                              : key == key_wanted;
      if (!wanted) continue;
      const std::string v =
          it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      if (v == "0" || absl::StartsWith(v, "0 of") || absl::StartsWith(v, "0/"))
        return absl::StrCat("the caption says \"", word, "\" while ", key, " = ", v);
    }
  }
  return "";
}

}  // namespace initrepro
