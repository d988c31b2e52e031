#include "src/harness/driver.h"

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
#include "src/verdict/verdict.h"

namespace initrepro {
namespace {

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

// PAPER.md v2 item 4: every undecided claim names the next tier that could
// decide it, with the command and its estimated single-core cost.
void AddWaysForward(const Experiment& experiment, Tier tier,
                    ExperimentResult* result) {
  Tier next = Tier::kPaper;
  if (tier == Tier::kSmoke) next = Tier::kCi;
  if (tier == Tier::kCi) next = Tier::kNightly;
  for (Claim& c : result->claims) {
    if (c.verdict != "undecided_at_this_scale") continue;
    if (tier == Tier::kPaper) {
      c.to_decide = {{"tier", "paper"},
                     {"command", "more runs than P1's design: none planned"},
                     {"core_hours", 0.0}};
      continue;
    }
    const double hours = EstimatedCoreHours(experiment.Plan(next));
    c.to_decide = {
        {"tier", TierName(next)},
        {"command", absl::StrCat("tools/repro run ", experiment.Name(),
                                 " --tier=", TierName(next))},
        // Rounded so that goldens do not move with the cost model's last bits.
        {"core_hours", std::round(hours * 100) / 100}};
  }
}

// The one place where claims are decided: every piece of evidence the
// experiment returned is joined with its declared ClaimSpec and handed to
// the verdict engine. Evidence without a spec, or whose conditions differ
// from the spec's, is a bug in the experiment and fails the command.
//
// Per-cell specs (ClaimSpec::per_cell): each "ID@CELL" evidence is decided
// by the same engine call, its verdict written to
// data.per_cell_verdicts[ID] (cell, verdict, reason_code, effect, runs,
// reason) instead of the claim list, and the claim of record (the bare
// ID) gets the cells per verdict in its observed numbers before it is
// decided, so the report lists where the claim holds.
absl::Status DecideClaims(const Experiment& experiment, Tier tier,
                          ExperimentResult* result) {
  const std::vector<ClaimSpec> specs = experiment.ClaimSpecs();
  auto find_spec = [&](const std::string& id) -> const ClaimSpec* {
    for (const ClaimSpec& s : specs)
      if (s.id == id ||
          ((s.per_checkpoint || s.per_cell) && s.id == SpecIdOf(id)))
        return &s;
    return nullptr;
  };
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
    const Claim c = Decide(tier, *matched[i], ev);
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
      result->claims.push_back(Decide(tier, *matched[i], ev));
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
    result->claims.push_back(Decide(tier, *matched[i], record));
  }
  result->evidence.clear();
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> AnalyseAndWrite(
    const Experiment& experiment, Tier tier,
    const std::vector<RunRecord>& runs, const DriverOptions& options) {
  ASSIGN_OR_RETURN(ExperimentResult result, experiment.Analyze(tier, runs));
  RETURN_IF_ERROR(DecideClaims(experiment, tier, &result));
  AddWaysForward(experiment, tier, &result);
  nlohmann::json j = ResultToJson(experiment, tier, runs, result);
  RETURN_IF_ERROR(MakeDirs(options.out_dir + "/results"));
  RETURN_IF_ERROR(WriteFileAtomic(
      ResultPath(options, experiment.Name(), tier), j.dump(1) + "\n"));
  return j;
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
      plan["shards"].get<uint64_t>() > 1000000)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'shards': expected an integer in [1, 1000000]"));
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
  if (!PathExists(path))
    return absl::NotFoundError(absl::StrCat(
        path, ": no golden; create it with `repro bless ", name,
        " --tier=", TierName(tier), "`"));
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
                       const DriverOptions& options) {
  if (shards < 1)
    return absl::InvalidArgumentError(
        absl::StrCat("--shards=", shards, ": expected an integer >= 1"));
  const std::vector<RunSpec> specs = experiment.Plan(tier);
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
  return WriteFileAtomic(PlanPath(options, experiment.Name(), tier),
                         plan.dump(1) + "\n");
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
  RETURN_IF_ERROR(
      ReadPlanShards(experiment, tier, specs, options).status());
  SweepOptions sweep{1, false, /*train_missing=*/false};
  ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                   RunSweep(experiment, specs, StoreFor(options, experiment),
                            sweep));
  return AnalyseAndWrite(experiment, tier, runs, options);
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
