#include "src/cli/power_command.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/harness/result.h"
#include "src/harness/verdict_table.h"
#include "src/verdict/claim_spec.h"
#include "src/verdict/planner.h"

ABSL_DECLARE_FLAG(std::string, tier);
ABSL_DECLARE_FLAG(std::string, golden_dir);
ABSL_FLAG(double, cap_core_hours, 100,
          "power: search designs up to this many core-hours per claim");
ABSL_FLAG(std::string, format, "text",
          "power, design: text | json; claims: text | md | json");

namespace initrepro {
namespace {

std::string Num(const nlohmann::json& j) {
  if (j.is_number()) return absl::StrFormat("%.3g", j.get<double>());
  if (j.is_string()) return j.get<std::string>();
  return "undefined";
}

std::string Hours(double h) { return absl::StrFormat("%.3g", h); }

// The tier itself, then the tiers below it, down to ci (smoke decides
// nothing, so it is no pilot).
std::vector<Tier> PilotTiers(Tier tier) {
  std::vector<Tier> out;
  for (Tier t : {Tier::kPaper, Tier::kNightly, Tier::kCi})
    if (static_cast<int>(t) <= static_cast<int>(tier)) out.push_back(t);
  return out;
}

void PrintText(const nlohmann::json& r) {
  std::printf(
      "%s at %s: pilot %s; %lld runs planned at %s, %s core-hours per run; "
      "cap %s core-hours per claim\n",
      r["experiment"].get<std::string>().c_str(),
      r["tier"].get<std::string>().c_str(),
      r["pilot_file"].get<std::string>().c_str(),
      static_cast<long long>(r["planned_runs"].get<int64_t>()),
      r["tier"].get<std::string>().c_str(),
      Hours(r["core_hours_per_run"].get<double>()).c_str(),
      Hours(r["cap_core_hours"].get<double>()).c_str());
  for (const auto& c : r["claims"]) {
    std::printf("  %s  [%s]\n", c["id"].get<std::string>().c_str(),
                c["verdict"].get<std::string>().c_str());
    if (c.contains("error")) {
      std::printf("    not planned: %s\n",
                  c["error"].get<std::string>().c_str());
      continue;
    }
    const auto& e = c["effect"];
    std::printf("    pilot       %s %s, 99 %% interval [%s, %s], n = %s\n",
                e["statistic"].get<std::string>().c_str(),
                Num(e["estimate"]).c_str(), Num(e["low"]).c_str(),
                Num(e["high"]).c_str(), Num(e["n"]).c_str());
    std::printf("    units now   %lld (%lld runs, %s runs per unit)\n",
                static_cast<long long>(c["units_now"].get<int64_t>()),
                static_cast<long long>(c["runs_now"].get<int64_t>()),
                Num(c["runs_per_unit"]).c_str());
    const auto& p = c["plan"];
    const std::string per_group =
        p["groups"].get<int64_t>() > 1
            ? absl::StrCat(" (", p["per_group"].get<int64_t>(), " per group x ",
                           p["groups"].get<int64_t>(), ")")
            : "";
    if (p["decidable"].get<bool>()) {
      std::printf(
          "    needed      %lld units%s, %lld runs, %s core-hours: decided "
          "with probability %.3f (reproduced %.3f, not_reproduced %.3f)\n",
          static_cast<long long>(p["units"].get<int64_t>()), per_group.c_str(),
          static_cast<long long>(p["runs"].get<int64_t>()),
          Hours(p["core_hours"].get<double>()).c_str(),
          p["p_decided"].get<double>(), p["p_reproduced"].get<double>(),
          p["p_not_reproduced"].get<double>());
    } else {
      std::printf(
          "    needed      not decidable below cap: %lld units%s (%lld runs, "
          "%s core-hours) decide it with probability %.3f\n",
          static_cast<long long>(p["units"].get<int64_t>()), per_group.c_str(),
          static_cast<long long>(p["runs"].get<int64_t>()),
          Hours(p["core_hours"].get<double>()).c_str(),
          p["p_decided"].get<double>());
    }
    std::vector<std::string> assumed =
        p["pilot"]["assumed"].get<std::vector<std::string>>();
    std::printf("    method      %s%s%s\n",
                p["method"].get<std::string>().c_str(),
                assumed.empty() ? "" : "; assumed: ",
                absl::StrJoin(assumed, "; ").c_str());
  }
}

// A result or golden file of `experiment` at `tier`, of result format 2
// (the committed goldens) up to the current one: only the claims' effects,
// rules, runs and designs are read, which both formats have.
absl::StatusOr<nlohmann::json> ReadPilotFile(const std::string& path,
                                             const std::string& experiment,
                                             Tier tier) {
  std::ifstream in(path);
  if (!in.good())
    return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid JSON"));
  if (!DisplayableResult(j) || j["format_version"].get<double>() >
                                   kResultFormatVersion)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'format_version': expected 2 to ", kResultFormatVersion,
        " with a 'claims' array, found ",
        j.is_object() && j.contains("format_version")
            ? j["format_version"].dump()
            : "nothing"));
  if (j.value("experiment", nlohmann::json()) != experiment)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'experiment': expected \"", experiment, "\", found ",
        j.value("experiment", nlohmann::json()).dump()));
  if (j.value("tier", nlohmann::json()) != TierName(tier))
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'tier': expected \"", TierName(tier), "\", found ",
        j.value("tier", nlohmann::json()).dump()));
  return j;
}

// PAPER.md "Tiers": the whole nightly tier fits 4 core-hours on the
// project's 2-core machine. Other tiers have no budget.
constexpr double kNightlyBudgetCoreHours = 4;

// An undecided claim's way forward as its golden states it: the planner's
// command at the same tier (core-hours of the whole experiment at that
// count), another tier, or no design known.
struct Way {
  std::string id, command, tier, why;
  std::string from;  // a higher tier's golden it was read from, else ""
  double core_hours = 0;  // of the experiment at the command's design
  bool same_tier = false, no_design = false, design_card = false;
};

Way WayOf(const nlohmann::json& claim, Tier tier, bool design_card) {
  Way w;
  w.id = claim.value("id", std::string());
  w.design_card = design_card;
  const nlohmann::json t = claim.value("to_decide", nlohmann::json());
  if (!t.is_object()) {
    w.no_design = true;
    w.why = "its golden names no way forward";
    return w;
  }
  w.command = t.value("command", std::string());
  w.tier = t.value("tier", std::string());
  w.why = t.value("why", std::string());
  w.no_design = t.value("no_design_known", false);
  const nlohmann::json h = t.value("core_hours", nlohmann::json());
  w.core_hours = h.is_number() ? h.get<double>() : 0;
  w.same_tier = !w.no_design && w.tier == TierName(tier) &&
                t.value("planner", false);
  return w;
}

}  // namespace

absl::StatusOr<nlohmann::json> BudgetSheet(Tier tier,
                                           const DriverOptions& options) {
  nlohmann::json out = {{"tier", TierName(tier)},
                        {"golden_dir", options.golden_dir},
                        {"experiments", nlohmann::json::array()},
                        {"undecided", nlohmann::json::array()}};
  if (tier == Tier::kNightly) out["budget_core_hours"] = kNightlyBudgetCoreHours;
  double now = 0, card_cost = 0, all_cost = 0;
  int64_t tested = 0, decided = 0, card = 0, card_decided = 0;
  for (const std::string& name : ExperimentNames()) {
    absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(name);
    if (!e.ok()) return e.status();
    const std::vector<ClaimSpec> specs = (*e)->ClaimSpecs();
    auto card_of = [&](const std::string& id) {
      const ClaimSpec* s = SpecFor(specs, id);
      return s != nullptr && s->design_card;
    };
    const std::vector<RunSpec> plan = (*e)->Plan(tier);
    const double cost = EstimatedCoreHours(plan);
    nlohmann::json row = {{"experiment", name},
                          {"runs", plan.size()},
                          {"core_hours", cost}};
    // Higher tiers' goldens, read once: they may price a claim better.
    std::vector<std::pair<std::string, nlohmann::json>> higher;
    for (Tier up : {Tier::kNightly, Tier::kPaper}) {
      if (static_cast<int>(up) <= static_cast<int>(tier)) continue;
      const std::string up_path = GoldenPath(options, name, up);
      if (!std::filesystem::exists(up_path)) continue;
      absl::StatusOr<nlohmann::json> ug = ReadPilotFile(up_path, name, up);
      if (!ug.ok()) return ug.status();
      higher.emplace_back(up_path, *std::move(ug));
    }
    const std::string path = GoldenPath(options, name, tier);
    double card_max = cost, all_max = cost;
    int64_t t_n = 0, d_n = 0;
    if (std::filesystem::exists(path)) {
      absl::StatusOr<nlohmann::json> g = ReadPilotFile(path, name, tier);
      if (!g.ok()) return g.status();
      for (const auto& claim : (*g)["claims"]) {
        const std::string verdict = claim.value("verdict", std::string());
        if (verdict == "descriptive") continue;
        const bool is_card = card_of(claim.value("id", std::string()));
        ++t_n;
        card += is_card;
        if (verdict == "reproduced" || verdict == "not_reproduced") {
          ++d_n;
          card_decided += is_card;
          continue;
        }
        Way w = WayOf(claim, tier, is_card);
        // A higher tier's golden that tried more runs of the claim and
        // stayed undecided prices it better than this tier's pilot (e.g.
        // MA-horizon: 1 nightly run, 51 at paper).
        const int64_t planned_here =
            claim.contains("runs") ? claim["runs"].value("planned", int64_t{0})
                                   : 0;
        for (const auto& [up_path, ug] : higher) {
          for (const auto& uc : ug["claims"]) {
            if (uc.value("id", std::string()) != w.id ||
                uc.value("verdict", std::string()) !=
                    "undecided_at_this_scale" ||
                !uc.contains("runs") ||
                uc["runs"].value("planned", int64_t{0}) <= planned_here)
              continue;
            w = WayOf(uc, tier, is_card);
            w.from = up_path;
            w.same_tier = false;  // another tier's design: not in T's sums
          }
        }
        if (w.same_tier) {
          all_max = std::max(all_max, w.core_hours);
          if (is_card) card_max = std::max(card_max, w.core_hours);
        }
        out["undecided"].push_back({{"id", w.id},
                                    {"design_card", w.design_card},
                                    {"at_this_tier", w.same_tier},
                                    {"no_design_known", w.no_design},
                                    {"tier", w.tier},
                                    {"command", w.command},
                                    {"core_hours", w.core_hours},
                                    {"from", w.from},
                                    {"why", w.why}});
      }
    } else {
      row["golden"] = "missing";
    }
    row["tested"] = t_n;
    row["decided"] = d_n;
    row["core_hours_deciding_design_card"] = card_max;
    row["core_hours_deciding_all"] = all_max;
    tested += t_n;
    decided += d_n;
    now += cost;
    card_cost += card_max;
    all_cost += all_max;
    out["experiments"].push_back(row);
  }
  out["totals"] = {{"core_hours", now},
                   {"tested", tested},
                   {"decided", decided},
                   {"design_card", card},
                   {"design_card_decided", card_decided},
                   {"core_hours_deciding_design_card", card_cost},
                   {"core_hours_deciding_all", all_cost}};
  return out;
}

namespace {

void PrintBudget(const nlohmann::json& b) {
  const std::string tier = b["tier"].get<std::string>();
  const bool has_budget = b.contains("budget_core_hours");
  const double budget = has_budget ? b["budget_core_hours"].get<double>() : 0;
  std::printf("Budget sheet, %s tier (goldens in %s)%s\n", tier.c_str(),
              b["golden_dir"].get<std::string>().c_str(),
              has_budget ? absl::StrFormat(": budget %g core-hours "
                                           "(docs/claims.md \"Tiers\")", budget)
                               .c_str()
                         : "");
  std::printf("%-24s %6s %8s %7s %8s %18s\n", "experiment", "runs", "core-h",
              "tested", "decided", "core-h to decide*");
  for (const auto& r : b["experiments"])
    std::printf("%-24s %6lld %8.3f %7lld %8lld %18.3f%s\n",
                r["experiment"].get<std::string>().c_str(),
                static_cast<long long>(r["runs"].get<int64_t>()),
                r["core_hours"].get<double>(),
                static_cast<long long>(r["tested"].get<int64_t>()),
                static_cast<long long>(r["decided"].get<int64_t>()),
                r["core_hours_deciding_all"].get<double>(),
                r.contains("golden") ? "  (no golden)" : "");
  const auto& t = b["totals"];
  std::printf("%-24s %6s %8.3f %7lld %8lld %18.3f\n", "all", "",
              t["core_hours"].get<double>(),
              static_cast<long long>(t["tested"].get<int64_t>()),
              static_cast<long long>(t["decided"].get<int64_t>()),
              t["core_hours_deciding_all"].get<double>());
  std::printf(
      "* each experiment at the largest design its undecided claims' "
      "planner commands ask for at this tier (estimated; a lower bound where "
      "two commands scale different fields)\n\n");
  std::printf("Undecided tested claims and their way forward (the goldens' "
              "to_decide; [card]: named by the design card, issue 17):\n");
  for (const auto& u : b["undecided"]) {
    std::string way;
    if (u["no_design_known"].get<bool>())
      way = "no design known";
    else
      way = absl::StrFormat(
          "%s (%s core-hours%s%s)", u["command"].get<std::string>(),
          Hours(u["core_hours"].get<double>()),
          u["at_this_tier"].get<bool>()
              ? ""
              : absl::StrCat(", ", u["tier"].get<std::string>(), " tier"),
          u["from"].get<std::string>().empty()
              ? ""
              : absl::StrCat("; from ", u["from"].get<std::string>(),
                             ", which tried more runs"));
    std::printf("  %s %s\n      %s\n",
                u["design_card"].get<bool>() ? "[card]" : "      ",
                u["id"].get<std::string>().c_str(), way.c_str());
  }
  const double card = t["core_hours_deciding_design_card"].get<double>();
  const double all = t["core_hours_deciding_all"].get<double>();
  std::printf(
      "\nDesign-card claims: %lld tested, %lld decided. The tier with every "
      "design-card claim that has a design at this tier sized to decide it: "
      "%s core-hours; with every undecided claim that has one: %s "
      "core-hours (estimated).\n",
      static_cast<long long>(t["design_card"].get<int64_t>()),
      static_cast<long long>(t["design_card_decided"].get<int64_t>()),
      Hours(card).c_str(), Hours(all).c_str());
  if (has_budget)
    std::printf(
        "Against the %g core-hour budget: the tier now %s, deciding the "
        "design card %s (%s), deciding every claim %s (%s). Claims marked "
        "\"no design known\" or another tier are not in these sums.\n",
        budget, Hours(t["core_hours"].get<double>()).c_str(),
        Hours(card).c_str(), card <= budget ? "fits" : "over",
        Hours(all).c_str(), all <= budget ? "fits" : "over");
}

}  // namespace

absl::StatusOr<nlohmann::json> PowerReport(const Experiment& experiment,
                                           Tier tier,
                                           const DriverOptions& options,
                                           double cap_core_hours) {
  if (tier == Tier::kSmoke)
    return absl::InvalidArgumentError(
        "--tier=smoke: the smoke tier decides nothing; plan ci, nightly or "
        "paper");
  std::vector<std::string> tried;
  nlohmann::json golden;
  Tier pilot_tier = tier;
  std::string pilot_file;
  for (Tier t : PilotTiers(tier)) {
    const std::string path = GoldenPath(options, experiment.Name(), t);
    tried.push_back(path);
    if (!std::filesystem::exists(path)) continue;
    absl::StatusOr<nlohmann::json> g = ReadPilotFile(path, experiment.Name(), t);
    if (!g.ok()) return g.status();
    golden = *std::move(g);
    pilot_tier = t;
    pilot_file = path;
    break;
  }
  if (pilot_file.empty())
    return absl::NotFoundError(absl::StrCat(
        "no pilot golden for ", experiment.Name(), "; tried ",
        absl::StrJoin(tried, ", ")));

  const std::vector<RunSpec> specs = experiment.Plan(tier);
  const double per_run =
      specs.empty() ? 0 : EstimatedCoreHours(specs) / specs.size();
  nlohmann::json out = {{"experiment", experiment.Name()},
                        {"tier", TierName(tier)},
                        {"pilot_tier", TierName(pilot_tier)},
                        {"pilot_file", pilot_file},
                        {"planned_runs", specs.size()},
                        {"core_hours_per_run", per_run},
                        {"cap_core_hours", cap_core_hours},
                        {"claims", nlohmann::json::array()}};
  // The claims' specs: statistic, side and thresholds come from them, the
  // rule sentence is read only for a claim without one.
  const std::vector<ClaimSpec> claim_specs = experiment.ClaimSpecs();
  auto spec_of = [&](const std::string& id) {
    return SpecFor(claim_specs, id);
  };
  for (const auto& claim : golden["claims"]) {
    const std::string id = claim.value("id", std::string());
    nlohmann::json c = {{"id", id},
                        {"verdict", claim.value("verdict", std::string())},
                        {"effect", claim.value("effect", nlohmann::json())}};
    const ClaimSpec* spec = spec_of(id);
    c["from_spec"] = spec != nullptr;
    // More runs of a design whose runs are mostly invalid decide nothing
    // (the driver's way forward says so): no plan that pretends they do.
    if (claim.value("reason_code", std::string()) == "too_few_valid") {
      const nlohmann::json t = claim.value("to_decide", nlohmann::json());
      c["error"] = absl::StrCat(
          claim.value("reason", std::string("too few valid runs")),
          " More runs of this design do not help. The golden's way "
          "forward: ",
          t.is_object() ? t.value("command", std::string("none")) : "none",
          t.is_object() && t.contains("why")
              ? absl::StrCat(" (", t.value("why", std::string()), ")")
              : std::string());
      out["claims"].push_back(c);
      continue;
    }
    absl::StatusOr<Pilot> pilot = PilotFromClaimJson(claim, spec);
    if (!pilot.ok()) {
      c["error"] = std::string(pilot.status().message());
      out["claims"].push_back(c);
      continue;
    }
    const int64_t runs_now =
        claim.contains("runs") ? claim["runs"].value("planned", int64_t{0}) : 0;
    const int64_t units_now = pilot->units;
    double runs_per_unit = 1;
    if (units_now > 0 && runs_now > 0)
      runs_per_unit = static_cast<double>(runs_now) / units_now;
    const ClaimPlan plan =
        PlanClaim(*pilot, {runs_per_unit, per_run, cap_core_hours});
    c["units_now"] = units_now;
    c["runs_now"] = runs_now;
    c["runs_per_unit"] = runs_per_unit;
    c["plan"] = plan.ToJson();
    c["to_decide"] = ToDecide(plan, experiment.Name(), TierName(tier));
    out["claims"].push_back(c);
  }
  return out;
}

int RunPowerCommand(const std::vector<std::string>& args) {
  if (args.size() > 1) {
    std::fprintf(stderr, "repro power: expected one experiment (EXP), or "
                         "none for the tier's budget sheet; got %zu "
                         "arguments\n", args.size());
    return 2;
  }
  absl::StatusOr<Tier> tier = ParseTier(absl::GetFlag(FLAGS_tier));
  if (!tier.ok()) {
    std::fprintf(stderr, "repro power: %s\n",
                 std::string(tier.status().message()).c_str());
    return 2;
  }
  const double cap = absl::GetFlag(FLAGS_cap_core_hours);
  if (!(cap > 0) || !std::isfinite(cap)) {
    std::fprintf(stderr,
                 "repro power: --cap_core_hours=%g: expected a positive "
                 "number of core-hours\n", cap);
    return 2;
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "repro power: --format=%s: expected text or json\n",
                 format.c_str());
    return 2;
  }
  DriverOptions options;
  options.golden_dir = absl::GetFlag(FLAGS_golden_dir);
  if (args.empty()) {
    absl::StatusOr<nlohmann::json> sheet = BudgetSheet(*tier, options);
    if (!sheet.ok()) {
      std::fprintf(stderr, "repro power: %s\n",
                   std::string(sheet.status().message()).c_str());
      return 2;
    }
    if (format == "json")
      std::printf("%s\n", sheet->dump(1).c_str());
    else
      PrintBudget(*sheet);
    return 0;
  }
  absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(args[0]);
  if (!e.ok()) {
    std::fprintf(stderr, "repro power: %s\n",
                 std::string(e.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<nlohmann::json> report =
      PowerReport(**e, *tier, options, cap);
  if (!report.ok()) {
    std::fprintf(stderr, "repro power: %s\n",
                 std::string(report.status().message()).c_str());
    return 2;
  }
  if (format == "json") {
    std::printf("%s\n", report->dump(1).c_str());
  } else {
    PrintText(*report);
  }
  return 0;
}

}  // namespace initrepro
