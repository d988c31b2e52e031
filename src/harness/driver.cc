#include "src/harness/driver.h"

#include <unistd.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/status_macros.h"
#include "src/harness/result.h"
#include "src/harness/run_store.h"
#include "src/harness/sweep.h"
#include "src/io/atomic_file.h"
#include "src/verdict/planner.h"
#include "src/verdict/sequential.h"
#include "src/verdict/verdict.h"
#include "src/io/subprocess.h"

namespace initrepro {
namespace {

// The planner searches designs up to this many single-core hours per claim.
constexpr double kPlannerCapCoreHours = 100;

RunStore StoreFor(const DriverOptions& o, const Experiment& e) {
  return RunStore(absl::StrCat(o.out_dir, "/store/", e.Name()));
}

std::string PlanPath(const DriverOptions& o, const std::string& name,
                     Tier tier) {
  return absl::StrCat(o.out_dir, "/plans/", name, ".", TierName(tier), ".json");
}

absl::StatusOr<nlohmann::json> ReadJson(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": malformed JSON: ", e.what()));
  }
}

// Rounded so that goldens do not move with the cost model's last bits.
double RoundHours(double hours) { return std::round(hours * 100) / 100; }

Tier NextTier(Tier tier) {
  if (tier == Tier::kSmoke) return Tier::kCi;
  if (tier == Tier::kCi) return Tier::kNightly;
  return Tier::kPaper;
}

// The next tier's design, for a claim more runs of this design cannot
// decide (the smoke tier, too few valid runs, a measurement ceiling, an
// undefined statistic).
nlohmann::json NextTierWay(const Experiment& experiment, Tier tier,
                           const std::string& why) {
  if (tier == Tier::kPaper)
    return {{"tier", "paper"},
            {"command", "more runs than P1's design: none planned"},
            {"core_hours", 0.0},
            {"why", why}};
  const Tier next = NextTier(tier);
  return {{"tier", TierName(next)},
          {"command", absl::StrCat("tools/repro run ", experiment.Name(),
                                   " --tier=", TierName(next))},
          {"core_hours",
           RoundHours(EstimatedCoreHours(experiment.Plan(next)))},
          {"why", why}};
}

// PAPER.md "Designs (v3)" item 5: an undecided claim's way forward is the
// cheapest design the planner predicts will decide it, with this run's
// evidence as the pilot: the same tier with `--set SCALE_FIELD=N` when the
// spec names the field the units grow with. Where more runs of this
// design cannot help, it is the next tier's design.
nlohmann::json WayForward(const Experiment& experiment, Tier tier,
                          const ClaimSpec& spec, const ClaimEvidence& ev,
                          const Claim& claim) {
  const std::string& code = claim.reason_code;
  if (code == "smoke_tier")
    return NextTierWay(experiment, tier, "the smoke tier decides nothing");
  if (code == "too_few_valid" && !spec.validity_finding.empty())
    return {{"tier", TierName(tier)},
            {"command", "no design known"},
            {"no_design_known", true},
            {"why", spec.validity_finding}};
  if (code == "too_few_valid")
    return NextTierWay(experiment, tier,
                       "more runs of this design do not help: too few of "
                       "its runs are valid (trained and settled)");
  if (code == "ceiling")
    return NextTierWay(experiment, tier,
                       "this design reaches a measurement ceiling");
  absl::StatusOr<Pilot> pilot = PilotFromTest(TestFrom(spec, ev));
  if (!pilot.ok())
    return NextTierWay(experiment, tier,
                       absl::StrCat("no pilot to plan from: ",
                                    pilot.status().message()));
  const std::vector<RunSpec> plan = experiment.Plan(tier);
  PlanCost cost;
  cost.runs_per_unit =
      pilot->units > 0 ? static_cast<double>(ev.runs.planned) / pilot->units
                       : 1;
  cost.core_hours_per_run =
      plan.empty() ? 0 : EstimatedCoreHours(plan) / plan.size();
  cost.cap_core_hours = kPlannerCapCoreHours;
  const ClaimPlan planned = PlanClaim(*pilot, cost);
  nlohmann::json j = ToDecide(planned, experiment.Name(), TierName(tier));
  if (j.contains("core_hours")) j["core_hours"] = RoundHours(j["core_hours"]);
  if (j.contains("not_decidable_below_core_hours"))
    j["not_decidable_below_core_hours"] =
        RoundHours(j["not_decidable_below_core_hours"]);
  // The command that gets the units: scale the spec's field.
  const nlohmann::json design = experiment.DesignJson(tier);
  if (planned.decidable && !spec.scale_field.empty() && design.is_object() &&
      design.contains(spec.scale_field) &&
      design[spec.scale_field].is_number_integer() && pilot->units > 0) {
    const int64_t now = design[spec.scale_field].get<int64_t>();
    const int64_t needed = std::max(
        now, static_cast<int64_t>(std::ceil(static_cast<double>(now) *
                                            planned.units / pilot->units)));
    j["command"] = absl::StrCat(j["command"].get<std::string>(), " --set ",
                                spec.scale_field, "=", needed);
    // The planner priced this claim's runs; the command trains the whole
    // design at the new count (e.g. every mode of MA-controls), so runs
    // and core-hours are the command's, the planner's kept beside them.
    std::vector<DesignOverride> overrides;
    for (const DesignOverride& o : experiment.Overrides())
      if (o.field != spec.scale_field) overrides.push_back(o);
    overrides.push_back({spec.scale_field, absl::StrCat(needed)});
    absl::StatusOr<std::unique_ptr<Experiment>> scaled =
        MakeExperiment(experiment.Name());
    if (scaled.ok() && (*scaled)->SetOverrides(overrides).ok()) {
      const std::vector<RunSpec> scaled_plan = (*scaled)->Plan(tier);
      j["claim_runs"] = j["runs"];
      j["claim_core_hours"] = j["core_hours"];
      j["runs"] = scaled_plan.size();
      j["core_hours"] = RoundHours(EstimatedCoreHours(scaled_plan));
    }
  }
  return j;
}

// Claims decided by an unconverted experiment (no spec): the next tier.
void AddWaysForward(const Experiment& experiment, Tier tier,
                    ExperimentResult* result) {
  for (Claim& c : result->claims)
    if (c.verdict == "undecided_at_this_scale" && c.to_decide.is_null())
      c.to_decide = NextTierWay(experiment, tier, "no claim spec to plan from");
}

// One claim decided, with its way forward when undecided.
Claim DecideWithWay(const Experiment& experiment, Tier tier,
                    const ClaimSpec& spec, const ClaimEvidence& ev,
                    double level) {
  Claim claim = Decide(tier, spec, ev, level);
  if (claim.verdict == "undecided_at_this_scale")
    claim.to_decide = WayForward(experiment, tier, spec, ev, claim);
  return claim;
}

// The one place where claims are decided: every piece of evidence the
// experiment returned is joined with its declared ClaimSpec and handed to
// the verdict engine; an undecided claim gets its way forward from the
// planner. Evidence without a spec, or whose conditions differ from the
// spec's, is a bug in the experiment and fails the command.
//
// Per-cell specs (ClaimSpec::per_cell): each "ID@CELL" evidence is decided
// by the same engine call, its verdict written to
// data.per_cell_verdicts[ID] (cell, verdict, reason_code, effect, runs,
// reason) instead of the claim list, and the claim of record (the bare
// ID) gets the cells per verdict in its observed numbers before it is
// decided, so the report lists where the claim holds.
absl::Status DecideClaims(const Experiment& experiment, Tier tier,
                          ExperimentResult* result,
                          double level = kVerdictLevel) {
  const std::vector<ClaimSpec> specs = experiment.ClaimSpecs();
  auto find_spec = [&](const std::string& id) { return SpecFor(specs, id); };
  auto is_cell = [](const ClaimSpec& spec, const std::string& id) {
    return spec.per_cell && id != spec.id;
  };
  std::vector<const ClaimSpec*> matched;
  for (const ClaimEvidence& ev : result->evidence) {
    const ClaimSpec* spec = find_spec(ev.claim_id);
    if (spec == nullptr)
      return absl::InternalError(absl::StrCat(
          experiment.Name(), ": evidence for claim '", ev.claim_id,
          "' has no ClaimSpec; declare it in ClaimSpecs()"));
    std::vector<std::string> names;
    for (const auto& [name, holds] : ev.conditions) names.push_back(name);
    if (!spec->descriptive && names != spec->conditions)
      return absl::InternalError(absl::StrCat(
          experiment.Name(), ": evidence for '", ev.claim_id,
          "' gives other v1 conditions than its ClaimSpec declares"));
    matched.push_back(spec);
  }
  // Cells first, so that the claims of record can list them.
  std::map<std::string, std::map<std::string, nlohmann::json>> cells_by;
  for (size_t i = 0; i < result->evidence.size(); ++i) {
    const ClaimEvidence& ev = result->evidence[i];
    if (!is_cell(*matched[i], ev.claim_id)) continue;
    const Claim c = Decide(tier, *matched[i], ev, level);
    const std::string cell = ev.claim_id.substr(matched[i]->id.size() + 1);
    result->data["per_cell_verdicts"][matched[i]->id].push_back(
        {{"cell", cell},
         {"verdict", c.verdict},
         {"reason_code", c.reason_code},
         {"effect", c.effect},
         {"runs", c.runs},
         {"reason", c.reason}});
    nlohmann::json& list = cells_by[matched[i]->id][c.verdict];
    if (list.is_null()) list = nlohmann::json::array();
    list.push_back(cell);
  }
  for (size_t i = 0; i < result->evidence.size(); ++i) {
    const ClaimEvidence& ev = result->evidence[i];
    if (is_cell(*matched[i], ev.claim_id)) continue;
    if (!matched[i]->per_cell) {
      result->claims.push_back(DecideWithWay(experiment, tier, *matched[i],
                                             ev, level));
      continue;
    }
    ClaimEvidence record = ev;
    const std::map<std::string, nlohmann::json>& by = cells_by[ev.claim_id];
    for (const char* verdict :
         {"reproduced", "not_reproduced", "undecided_at_this_scale"}) {
      const auto it = by.find(verdict);
      const std::string key =
          std::string(verdict) == "undecided_at_this_scale"
              ? "cells_undecided"
              : absl::StrCat("cells_", verdict);
      record.observed[key] =
          it == by.end() ? nlohmann::json::array() : it->second;
    }
    result->claims.push_back(
        DecideWithWay(experiment, tier, *matched[i], record, level));
  }
  result->evidence.clear();
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> WriteResult(
    const Experiment& experiment, Tier tier,
    const std::vector<RunRecord>& runs, const ExperimentResult& result,
    const DriverOptions& options) {
  nlohmann::json j = ResultToJson(experiment, tier, runs, result);
  RETURN_IF_ERROR(MakeDirs(options.out_dir + "/results"));
  RETURN_IF_ERROR(WriteFileAtomic(
      ResultPath(options, experiment.Name(), tier), j.dump(1) + "\n"));
  return j;
}

absl::StatusOr<nlohmann::json> AnalyseAndWrite(
    const Experiment& experiment, Tier tier,
    const std::vector<RunRecord>& runs, const DriverOptions& options) {
  ASSIGN_OR_RETURN(ExperimentResult result, experiment.Analyze(tier, runs));
  RETURN_IF_ERROR(DecideClaims(experiment, tier, &result));
  AddWaysForward(experiment, tier, &result);
  return WriteResult(experiment, tier, runs, result, options);
}

bool Decided(const Claim& c) {
  return c.verdict == "reproduced" || c.verdict == "not_reproduced";
}

// --until_decided: the plan in kMaxLooks batches (look i of K trains and
// analyses the first ceil(i N / K) runs of the plan), every claim decided
// at LookLevel(K) after each, stopping when every tested claim has been
// decided at some look. A claim keeps the verdict of its first deciding
// look (sequential.h: the union bound holds whatever the stopping rule);
// the figures and data are those of the last look analysed.
absl::StatusOr<nlohmann::json> RunUntilDecided(const Experiment& experiment,
                                               Tier tier,
                                               const DriverOptions& options) {
  const std::vector<RunSpec> specs = experiment.Plan(tier);
  const int looks = kMaxLooks;
  const double level = LookLevel(looks);
  const size_t total = specs.size();
  std::map<std::string, std::pair<Claim, int>> first;  // id -> claim, look
  std::map<int, size_t> runs_at;                          // look -> runs
  ExperimentResult last;
  std::vector<RunRecord> last_runs;
  std::string stopped_by = "last look";
  int stop_look = 0;
  size_t done = 0;
  double spent = 0;
  for (int look = 1; look <= looks; ++look) {
    const size_t n = std::max<size_t>(
        1, static_cast<size_t>(std::ceil(LookShare(look, looks) * total)));
    const std::vector<RunSpec> batch(specs.begin() + done, specs.begin() + n);
    const double cost = EstimatedCoreHours(batch);
    if (look > 1 && options.max_core_hours > 0 &&
        spent + cost > options.max_core_hours) {
      stopped_by = absl::StrCat("cost cap: look ", look, " would reach ~",
                                RoundHours(spent + cost), " of ",
                                options.max_core_hours, " core-hours");
      break;
    }
    const std::vector<RunSpec> prefix(specs.begin(), specs.begin() + n);
    SweepOptions sweep{options.jobs, options.progress, true};
    ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                     RunSweep(experiment, prefix,
                              StoreFor(options, experiment), sweep));
    spent += cost;
    done = n;
    ASSIGN_OR_RETURN(ExperimentResult result, experiment.Analyze(tier, runs));
    RETURN_IF_ERROR(DecideClaims(experiment, tier, &result, level));
    runs_at[look] = n;
    bool all = true;
    for (const Claim& c : result.claims) {
      if (c.verdict == "descriptive") continue;
      if (Decided(c) && first.count(c.id) == 0) first[c.id] = {c, look};
      if (first.count(c.id) == 0) all = false;
    }
    last = std::move(result);
    last_runs = std::move(runs);
    stop_look = look;
    if (all) {
      stopped_by = "every tested claim decided";
      break;
    }
  }
  for (Claim& c : last.claims) {
    if (c.verdict == "descriptive") continue;
    auto it = first.find(c.id);
    if (it != first.end()) c = it->second.first;
    const int look = it != first.end() ? it->second.second : 0;
    c.sequential = {{"look", look > 0 ? nlohmann::json(look) : nullptr},
                    {"looks", looks},
                    {"level", level},
                    {"runs", look > 0 ? runs_at[look] : runs_at[stop_look]}};
  }
  last.data["sequential"] = {{"looks", looks},
                             {"level", level},
                             {"stop_look", stop_look},
                             {"runs_used", done},
                             {"runs_planned", total},
                             {"stopped_by", stopped_by}};
  AddWaysForward(experiment, tier, &last);
  return WriteResult(experiment, tier, last_runs, last, options);
}

}  // namespace

// The plan's run keys must still be the experiment's plan for this tier.
absl::StatusOr<int> ReadPlanShards(const Experiment& experiment, Tier tier,
                                   const std::vector<RunSpec>& specs,
                                   const DriverOptions& options) {
  const std::string path = PlanPath(options, experiment.Name(), tier);
  ASSIGN_OR_RETURN(nlohmann::json plan, ReadJson(path));
  if (!plan.is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected a JSON object"));
  // is_number_unsigned: a negative or huge count never reaches get<int>().
  if (!plan.contains("shards") || !plan["shards"].is_number_unsigned() ||
      plan["shards"].get<uint64_t>() < 1 ||
      plan["shards"].get<uint64_t>() > static_cast<uint64_t>(kMaxShards))
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'shards': expected an integer in [1, ", kMaxShards,
        "]"));
  if (!plan.contains("run_keys") || !plan["run_keys"].is_array() ||
      plan["run_keys"].size() != specs.size())
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": field 'run_keys': the plan has a different run list than ",
        experiment.Name(), " at tier ", TierName(tier),
        " now; write a new plan"));
  for (size_t i = 0; i < specs.size(); ++i)
    if (plan["run_keys"][i] != RunKey(specs[i]))
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": run ", i, " differs from the current plan; write a new plan"));
  return static_cast<int>(plan["shards"].get<uint64_t>());
}

std::string ResultPath(const DriverOptions& o, const std::string& name,
                       Tier tier) {
  return absl::StrCat(o.out_dir, "/results/", name, ".", TierName(tier),
                      ".json");
}

std::string GoldenPath(const DriverOptions& o, const std::string& name,
                       Tier tier) {
  return absl::StrCat(o.golden_dir, "/", name, ".", TierName(tier), ".json");
}

absl::StatusOr<nlohmann::json> RunExperiment(const Experiment& experiment,
                                             Tier tier,
                                             const DriverOptions& options) {
  if (options.until_decided)
    return RunUntilDecided(experiment, tier, options);
  const std::vector<RunSpec> specs = experiment.Plan(tier);
  SweepOptions sweep{options.jobs, options.progress, true};
  ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                   RunSweep(experiment, specs, StoreFor(options, experiment),
                            sweep));
  return AnalyseAndWrite(experiment, tier, runs, options);
}

absl::StatusOr<nlohmann::json> ReadResultFile(const std::string& path,
                                              const std::string& experiment,
                                              Tier tier) {
  ASSIGN_OR_RETURN(nlohmann::json j, ReadJson(path));
  RETURN_IF_ERROR(ValidateResultJson(j, experiment, tier, path));
  return j;
}

// A result of a modified design (--set) is an exploration: never compared
// with a golden, never written as one.
absl::Status RefuseModified(const nlohmann::json& result, const char* what) {
  if (!result.value("modified_design", false)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      result.value("experiment", "?"), " (", result.value("tier", "?"),
      "): the result is a modified design (", result.value("overrides",
      nlohmann::json::array()).dump(), "), an exploration that is never ",
      what, "; re-run without --set for the tier's design"));
}

absl::StatusOr<std::vector<std::string>> CheckAgainstGolden(
    const nlohmann::json& result, const DriverOptions& options) {
  RETURN_IF_ERROR(RefuseModified(result, "compared with a golden"));
  const std::string name = result["experiment"];
  ASSIGN_OR_RETURN(Tier tier, ParseTier(result["tier"]));
  const std::string path = GoldenPath(options, name, tier);
  if (!PathExists(path)) {
    // No golden directory at all (run outside the repository, or an empty
    // --golden_dir) is not "no golden for this experiment".
    if (options.golden_dir.empty() || !PathExists(options.golden_dir)) {
      char cwd[4096];
      const std::string here =
          ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : "(unknown)";
      return absl::NotFoundError(absl::StrCat(
          "golden directory not found: --golden_dir=",
          options.golden_dir.empty() ? "(empty)" : ShellQuote(options.golden_dir),
          " looked for ",
          options.golden_dir.empty() || options.golden_dir[0] != '/'
              ? absl::StrCat("relative to the working directory ", here)
              : "as given",
          "; run from the repository root (where golden/ is) or pass "
          "--golden_dir=PATH/TO/golden"));
    }
    return absl::NotFoundError(absl::StrCat(
        path, ": no golden; create it with `repro bless ", name,
        " --tier=", TierName(tier), "`"));
  }
  ASSIGN_OR_RETURN(nlohmann::json golden, ReadResultFile(path, name, tier));
  return CompareResults(golden, result);
}

absl::StatusOr<std::vector<std::string>> BlessGolden(
    const nlohmann::json& result, const DriverOptions& options) {
  RETURN_IF_ERROR(RefuseModified(result, "written as a golden"));
  const std::string name = result["experiment"];
  ASSIGN_OR_RETURN(Tier tier, ParseTier(result["tier"]));
  const std::string path = GoldenPath(options, name, tier);
  std::vector<std::string> changes = {"new golden"};
  if (PathExists(path)) {
    absl::StatusOr<nlohmann::json> old = ReadJson(path);
    changes = old.ok() ? CompareResults(*old, result)
                       : std::vector<std::string>{absl::StrCat(
                             "replacing unreadable golden: ",
                             old.status().message())};
  }
  RETURN_IF_ERROR(MakeDirs(options.golden_dir));
  RETURN_IF_ERROR(WriteFileAtomic(path, result.dump(1) + "\n"));
  return changes;
}

absl::Status WritePlan(const Experiment& experiment, Tier tier, int shards,
                       const DriverOptions& options, bool replace_valid) {
  // Checked before anything is read or written, with the bounds the
  // readers of a plan (status, run-shard, merge) accept.
  if (shards < 1 || shards > kMaxShards)
    return absl::InvalidArgumentError(absl::StrCat(
        "--shards=", shards, ": expected an integer in [1, ", kMaxShards, "]"));
  const std::vector<RunSpec> specs = experiment.Plan(tier);
  const std::string path = PlanPath(options, experiment.Name(), tier);
  // A valid plan (the current run list) is replaced only when asked: shards
  // of the old plan may still be queued or running.
  if (!replace_valid && PathExists(path)) {
    absl::StatusOr<int> old = ReadPlanShards(experiment, tier, specs, options);
    if (old.ok() && *old != shards)
      return absl::AlreadyExistsError(absl::StrCat(
          path, ": a valid plan with ", *old, " shards exists; pass "
          "--overwrite_plan to replace it with ", shards,
          " shards (finished runs are kept; shards of the old plan still "
          "queued would train a different subset)"));
  }
  nlohmann::json plan;
  plan["format_version"] = 1;
  plan["experiment"] = experiment.Name();
  plan["tier"] = TierName(tier);
  plan["shards"] = shards;
  plan["assignment"] = "run i belongs to shard i mod shards";
  nlohmann::json keys = nlohmann::json::array();
  for (const RunSpec& s : specs) keys.push_back(RunKey(s));
  plan["run_keys"] = keys;
  plan["estimated_core_hours"] = EstimatedCoreHours(specs);
  RETURN_IF_ERROR(MakeDirs(options.out_dir + "/plans"));
  return WriteFileAtomic(path, plan.dump(1) + "\n");
}

absl::Status RunShard(const Experiment& experiment, Tier tier, int shard,
                      const DriverOptions& options) {
  const std::vector<RunSpec> specs = experiment.Plan(tier);
  ASSIGN_OR_RETURN(int shards,
                   ReadPlanShards(experiment, tier, specs, options));
  if (shard < 0 || shard >= shards)
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard=", shard, ": expected an integer in [0, ", shards, ")"));
  std::vector<RunSpec> mine;
  for (size_t i = shard; i < specs.size(); i += shards) mine.push_back(specs[i]);
  SweepOptions sweep{options.jobs, options.progress, true};
  return RunSweep(experiment, mine, StoreFor(options, experiment), sweep)
      .status();
}

absl::StatusOr<nlohmann::json> MergeShards(const Experiment& experiment,
                                           Tier tier,
                                           const DriverOptions& options) {
  const std::vector<RunSpec> specs = experiment.Plan(tier);
  ASSIGN_OR_RETURN(int shards,
                   ReadPlanShards(experiment, tier, specs, options));
  SweepOptions sweep{1, false, /*train_missing=*/false};
  absl::StatusOr<std::vector<RunRecord>> runs =
      RunSweep(experiment, specs, StoreFor(options, experiment), sweep);
  if (const int i = MissingRunIndex(runs.status()); i >= 0)
    return absl::FailedPreconditionError(absl::StrCat(
        runs.status().message(), ": train it with `repro run-shard ",
        experiment.Name(), " --tier=", TierName(tier), " --shard=", i % shards,
        " --out=", ShellQuote(options.out_dir),
        "` (or resubmit), then merge again"));
  if (!runs.ok()) return runs.status();
  return AnalyseAndWrite(experiment, tier, *runs, options);
}

absl::StatusOr<std::vector<ShardStatus>> PlanStatus(
    const Experiment& experiment, Tier tier, const DriverOptions& options) {
  const std::vector<RunSpec> specs = experiment.Plan(tier);
  ASSIGN_OR_RETURN(int shards,
                   ReadPlanShards(experiment, tier, specs, options));
  std::vector<ShardStatus> status(shards);
  for (int i = 0; i < shards; ++i) status[i].shard = i;
  const RunStore store = StoreFor(options, experiment);
  for (size_t i = 0; i < specs.size(); ++i) {
    ShardStatus& s = status[i % shards];
    absl::StatusOr<RunRecord> r = store.Load(specs[i]);
    if (r.ok()) {
      ++s.done;
    } else if (absl::IsNotFound(r.status())) {
      ++s.missing;
    } else {
      ++s.corrupt;
      if (IsStaleRun(r.status())) ++s.stale;
    }
  }
  return status;
}

double EstimatedCoreHours(const std::vector<RunSpec>& specs) {
  // Per step: a fixed overhead plus a cost per multiply-add, fitted to this
  // project's trainer on one core (AVX-512) at p = 23, d = 32 (1.1 ms/step)
  // and p = 59, d = 128 (5.5 ms/step); see README "Speed". A rough guide
  // for planning shards, not a promise: AVX2-only machines are ~2x slower.
  constexpr double kSecondsPerStep = 5e-4;
  constexpr double kSecondsPerMac = 3.6e-11;
  double seconds = 0;
  for (const RunSpec& s : specs) {
    absl::StatusOr<ModelShape> shape = ShapeFor(s.config);
    if (!shape.ok()) continue;
    const double pairs = s.config.train_fraction * shape->vocab * shape->vocab;
    const double macs = 3.0 * (pairs * shape->hidden *
                                   (shape->hidden + shape->classes) +
                               2.0 * shape->vocab * shape->dim * shape->hidden);
    seconds += (kSecondsPerStep + kSecondsPerMac * macs) * s.config.steps;
  }
  return seconds / 3600.0;
}

}  // namespace initrepro
