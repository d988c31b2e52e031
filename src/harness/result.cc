#include "src/harness/result.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace initrepro {
namespace {

nlohmann::json FigureToJson(const Figure& f) {
  nlohmann::json series = nlohmann::json::array();
  for (const Series& s : f.series) {
    nlohmann::json js = {{"label", s.label}, {"style", s.style},
                         {"x", s.x},         {"y", s.y}};
    if (!s.y_error.empty()) js["y_error"] = s.y_error;
    if (!s.trials.empty()) js["trials"] = s.trials;
    if (!s.z.empty()) js["z"] = s.z;
    if (s.excluded) js["excluded"] = true;
    series.push_back(js);
  }
  nlohmann::json refs = nlohmann::json::array();
  for (const RefLine& r : f.ref_lines)
    refs.push_back({{"axis", r.axis}, {"value", r.value}, {"label", r.label}});
  nlohmann::json j = {{"name", f.name},     {"title", f.title},
                      {"xlabel", f.xlabel}, {"ylabel", f.ylabel},
                      {"log_x", f.log_x},   {"log_y", f.log_y},
                      {"series", series},   {"caption", f.caption},
                      {"paper_figure", f.paper_figure},
                      {"ref_lines", refs},  {"integer_x", f.integer_x},
                      {"integer_y", f.integer_y}, {"legend", f.legend}};
  if (!std::isnan(f.y_min)) j["y_min"] = f.y_min;
  if (!std::isnan(f.y_max)) j["y_max"] = f.y_max;
  // Drawing only (FigureNumbers drops them): absent unless set, so older
  // figures serialise as before.
  for (const auto& [key, tics] : {std::make_pair("x_tics", &f.x_tics),
                                  std::make_pair("y_tics", &f.y_tics)}) {
    if (tics->empty()) continue;
    nlohmann::json t = nlohmann::json::array();
    for (const auto& [v, label] : *tics) t.push_back({v, label});
    j[key] = t;
  }
  return j;
}

// What a golden holds of a figure: its name and the plotted numbers. The
// rest (titles, labels, styles, captions, reference lines, axes) says how
// to draw them and may change without a bless.
nlohmann::json FigureNumbers(const nlohmann::json& figures) {
  if (!figures.is_array()) return figures;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : figures) {
    if (!f.is_object()) {
      out.push_back(f);
      continue;
    }
    nlohmann::json g = nlohmann::json::object();
    if (f.contains("name")) g["name"] = f["name"];
    if (f.contains("series") && f["series"].is_array()) {
      g["series"] = nlohmann::json::array();
      for (const auto& s : f["series"]) {
        nlohmann::json t = nlohmann::json::object();
        if (s.is_object()) {
          for (const char* key : {"x", "y", "y_error", "z"})
            if (s.contains(key)) t[key] = s[key];
        }
        g["series"].push_back(s.is_object() ? t : s);
      }
    } else if (f.contains("series")) {
      g["series"] = f["series"];
    }
    out.push_back(g);
  }
  return out;
}

// Numbers computed by library code that is not bit-stable across machines
// or Boost versions: p-values, and every number of a claim's effect (its
// interval bounds come from Boost quantiles). Compared at relative 1e-12.
bool IsLibraryNumberKey(const std::string& key) {
  return key == "p" || absl::StartsWith(key, "p_") || key == "effect";
}

void Compare(const nlohmann::json& g, const nlohmann::json& n,
             const std::string& path, bool p_value,
             std::vector<std::string>* out) {
  constexpr size_t kMaxDiffs = 40;
  if (out->size() >= kMaxDiffs) return;
  if (g.is_number() && n.is_number()) {
    const double a = g.get<double>(), b = n.get<double>();
    if (std::isnan(a) && std::isnan(b)) return;
    if (p_value) {
      if (std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b)))
        return;
    } else if (g == n) {
      return;
    }
    out->push_back(absl::StrFormat("%s: golden %.17g, now %.17g", path, a, b));
    return;
  }
  if (g.type() != n.type()) {
    out->push_back(absl::StrCat(path, ": golden ", g.dump(), ", now ",
                                n.dump()));
    return;
  }
  if (g.is_object()) {
    for (auto it = g.begin(); it != g.end(); ++it) {
      const std::string child = absl::StrCat(path, "/", it.key());
      if (!n.contains(it.key())) {
        out->push_back(absl::StrCat(child, ": in golden, missing now"));
        continue;
      }
      Compare(it.value(), n.at(it.key()), child,
              p_value || IsLibraryNumberKey(it.key()), out);
    }
    for (auto it = n.begin(); it != n.end(); ++it)
      if (!g.contains(it.key()))
        out->push_back(absl::StrCat(path, "/", it.key(), ": new, not in golden"));
    return;
  }
  if (g.is_array()) {
    if (g.size() != n.size()) {
      out->push_back(absl::StrCat(path, ": golden has ", g.size(),
                                  " entries, now ", n.size()));
      return;
    }
    for (size_t i = 0; i < g.size(); ++i)
      Compare(g[i], n[i], absl::StrCat(path, "/", i), p_value, out);
    return;
  }
  if (g != n)
    out->push_back(absl::StrCat(path, ": golden ", g.dump(), ", now ",
                                n.dump()));
}

}  // namespace

void to_json(nlohmann::json& j, const Claim& c) {
  j = {{"id", c.id},
       {"statement", c.statement},
       {"rule", c.rule},
       {"observed", c.observed},
       {"verdict", c.verdict},
       {"design", c.design},
       {"runs", c.runs},
       {"reconstructed", c.reconstructed},
       {"source", c.source}};
  if (!c.variant_of.empty()) j["variant_of"] = c.variant_of;
  if (!c.effect.is_null()) j["effect"] = c.effect;
  if (!c.reason.empty()) j["reason"] = c.reason;
  if (!c.reason_code.empty()) j["reason_code"] = c.reason_code;
  if (!c.to_decide.is_null()) j["to_decide"] = c.to_decide;
  if (!c.sequential.is_null()) j["sequential"] = c.sequential;
}

void from_json(const nlohmann::json& j, Claim& c) {
  // value(): every field but id is optional in older formats.
  c.id = j.at("id").get<std::string>();
  c.statement = j.value("statement", "");
  c.rule = j.value("rule", "");
  c.observed = j.value("observed", nlohmann::json::object());
  c.verdict = j.value("verdict", "");
  c.design = j.value("design", "");
  c.runs = j.value("runs", nlohmann::json());
  c.reconstructed = j.value("reconstructed", false);
  c.source = j.value("source", nlohmann::json::object());
  c.variant_of = j.value("variant_of", "");
  c.effect = j.value("effect", nlohmann::json());
  c.reason = j.value("reason", "");
  c.reason_code = j.value("reason_code", "");
  c.to_decide = j.value("to_decide", nlohmann::json());
  c.sequential = j.value("sequential", nlohmann::json());
}

void to_json(nlohmann::json& j, const StoredRun& r) {
  j = {{"key", r.key}, {"digest", r.digest}, {"diverged", r.diverged}};
}

void from_json(const nlohmann::json& j, StoredRun& r) {
  r.key = j.value("key", "");
  r.digest = j.value("digest", "");
  r.diverged = j.value("diverged", false);
}

void to_json(nlohmann::json& j, const StoredResult& r) {
  j = {{"format_version", r.format_version},
       {"experiment", r.experiment},
       {"tier", r.tier},
       {"description", r.description},
       {"num_runs", r.num_runs},
       {"num_diverged", r.num_diverged},
       {"runs", r.runs},
       {"data", r.data},
       {"stats", r.stats},
       {"design", r.design},
       {"overrides", r.overrides},
       {"modified_design", r.modified_design},
       {"claims", r.claims},
       {"figures", r.figures},
       {"notes", r.notes}};
  if (!r.commit.empty()) j["commit"] = r.commit;
}

void from_json(const nlohmann::json& j, StoredResult& r) {
  // value(): every field is optional in older formats (format 2 has no
  // design, overrides or modified_design).
  r.format_version = j.value("format_version", 0);
  r.experiment = j.value("experiment", "");
  r.tier = j.value("tier", "");
  r.description = j.value("description", "");
  r.commit = j.value("commit", "");
  r.num_runs = j.value("num_runs", int64_t{0});
  r.num_diverged = j.value("num_diverged", int64_t{0});
  r.runs = j.value("runs", std::vector<StoredRun>());
  r.data = j.value("data", nlohmann::json::object());
  r.stats = j.value("stats", nlohmann::json::object());
  r.design = j.value("design", nlohmann::json());
  r.overrides = j.value("overrides", std::vector<std::string>());
  r.modified_design = j.value("modified_design", false);
  r.claims = j.value("claims", std::vector<Claim>());
  r.figures = j.value("figures", nlohmann::json::array());
  r.notes = j.value("notes", nlohmann::json::array());
}

absl::StatusOr<StoredResult> ParseStoredResult(const nlohmann::json& j,
                                               const std::string& where) {
  if (!j.is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected a JSON object, found ", j.type_name()));
  try {
    return j.get<StoredResult>();
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", e.what()));
  }
}

nlohmann::json ResultToJson(const Experiment& experiment, Tier tier,
                            const std::vector<RunRecord>& runs,
                            const ExperimentResult& result) {
  nlohmann::json j;
  j["format_version"] = kResultFormatVersion;
  j["experiment"] = experiment.Name();
  j["tier"] = TierName(tier);
  j["description"] = experiment.Description();
  nlohmann::json run_list = nlohmann::json::array();
  int64_t diverged = 0;
  for (const RunRecord& r : runs) {
    run_list.push_back({{"key", RunKey(r.spec)},
                        {"digest", r.digest},
                        {"diverged", r.diverged}});
    diverged += r.diverged;
  }
  j["num_runs"] = runs.size();
  j["num_diverged"] = diverged;
  j["runs"] = run_list;
  j["data"] = result.data;
  j["stats"] = result.stats;
  j["design"] = experiment.DesignJson(tier);
  nlohmann::json overrides = nlohmann::json::array();
  for (const DesignOverride& o : experiment.Overrides())
    overrides.push_back(absl::StrCat(o.field, "=", o.value));
  j["overrides"] = overrides;
  j["modified_design"] = experiment.ModifiedDesign();
  nlohmann::json claims = nlohmann::json::array();
  for (const Claim& c : result.claims) claims.push_back(c);
  j["claims"] = claims;
  nlohmann::json figures = nlohmann::json::array();
  for (const Figure& f : result.figures) figures.push_back(FigureToJson(f));
  j["figures"] = figures;
  j["notes"] = result.notes;
  // JSON has no NaN: dump() writes it as null. Round-tripping here makes the
  // in-memory result equal to what a golden file holds, so comparisons see
  // an undefined statistic as null on both sides.
  return nlohmann::json::parse(j.dump());
}

absl::Status ValidateResultJson(const nlohmann::json& j,
                                const std::string& experiment, Tier tier,
                                const std::string& where) {
  auto bad = [&](const std::string& field, const std::string& expected,
                 const std::string& found) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": field '", field, "': expected ", expected, ", found ",
        found));
  };
  if (!j.is_object()) return bad("(top level)", "a JSON object", j.type_name());
  if (!j.contains("format_version") || j["format_version"] != kResultFormatVersion)
    return bad("format_version",
               absl::StrCat(kResultFormatVersion,
                            " (an older result is re-made by `repro run`, an "
                            "older golden by `repro bless`)"),
               j.contains("format_version") ? j["format_version"].dump()
                                            : "nothing");
  if (!j.contains("experiment") || j["experiment"] != experiment)
    return bad("experiment", absl::StrCat("\"", experiment, "\""),
               j.value("experiment", nlohmann::json()).dump());
  if (!j.contains("tier") || j["tier"] != TierName(tier))
    return bad("tier", absl::StrCat("\"", TierName(tier), "\""),
               j.value("tier", nlohmann::json()).dump());
  for (const char* field : {"runs", "claims", "figures"})
    if (!j.contains(field) || !j[field].is_array())
      return bad(field, "an array",
                 j.contains(field) ? j[field].type_name() : "nothing");
  return absl::OkStatus();
}

std::vector<std::string> CompareResults(const nlohmann::json& golden,
                                        const nlohmann::json& now) {
  std::vector<std::string> diffs;
  // A different plan makes every later difference noise: say that first.
  if (golden.contains("runs") && now.contains("runs") &&
      golden["runs"].size() == now["runs"].size()) {
    for (size_t i = 0; i < golden["runs"].size(); ++i) {
      // value(): a golden run entry without a key is a difference, not a
      // read past the end (const operator[] on a missing key is undefined).
      const auto key_of = [](const nlohmann::json& run) {
        return run.is_object() ? run.value("key", nlohmann::json())
                               : nlohmann::json();
      };
      if (key_of(golden["runs"][i]) != key_of(now["runs"][i])) {
        diffs.push_back(absl::StrCat(
            "/runs/", i,
            "/key: the golden was made from a different plan (run configs "
            "differ); re-bless only if the plan changed on purpose"));
        break;
      }
    }
  }
  nlohmann::json g = golden, n = now;
  if (g.is_object() && g.contains("figures"))
    g["figures"] = FigureNumbers(g["figures"]);
  if (n.is_object() && n.contains("figures"))
    n["figures"] = FigureNumbers(n["figures"]);
  Compare(g, n, "", false, &diffs);
  return diffs;
}

}  // namespace initrepro
