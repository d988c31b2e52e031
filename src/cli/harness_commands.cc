#include "src/cli/harness_commands.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_format.h"
#include "src/core/status_macros.h"
#include "src/harness/driver.h"
#include "src/harness/experiment.h"
#include "src/harness/report.h"
#include "src/cli/flag_parser.h"
#include "src/harness/claims_doc.h"
#include "src/harness/design.h"
#include "src/harness/result.h"
#include "src/harness/sweep.h"
#include "src/harness/verdict_table.h"
#include "src/io/atomic_file.h"
#include "src/train/bits_identity.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_FLAG(std::string, tier, "ci", "smoke | ci | nightly | paper");
ABSL_FLAG(int, jobs, 0, "parallel runs (0: the CPUs this process may use); never changes a bit");
ABSL_FLAG(std::string, golden_dir, "golden", "directory of golden files");
ABSL_FLAG(int, shards, 1, "plan: number of shards (1 to 1000000)");
ABSL_FLAG(bool, overwrite_plan, false,
          "plan: replace a valid plan that has another shard count");
ABSL_FLAG(int, shard, -1, "run-shard: which shard (0-based)");
ABSL_FLAG(bool, quiet, false, "no progress line on stderr");
ABSL_FLAG(std::string, set, "",
          "design override FIELD=VALUE[,VALUE...], repeatable (`repro design "
          "EXP` lists the fields); the result is a modified design, never a "
          "golden");
ABSL_DECLARE_FLAG(std::string, format);
ABSL_FLAG(bool, until_decided, false,
          "run the design in 4 pre-declared batches (plan order), decide "
          "every claim after each at the Bonferroni level 1 - 0.01/4, stop "
          "once every tested claim is decided");
ABSL_FLAG(double, max_core_hours, 0,
          "with --until_decided: no batch that would take the estimated "
          "cost past this (0: no cap)");  // power_command.cc

namespace initrepro {
namespace {

struct Context {
  Tier tier;
  DriverOptions options;
  std::vector<std::unique_ptr<Experiment>> experiments;
};

// The golden status of a result the report read from golden/ itself.
constexpr char kFromGolden[] = "committed golden (no result of this tier under --out)";

int Usage(const std::string& message) {
  std::fprintf(stderr, "repro: %s\n", message.c_str());
  return 2;
}

// Resolves flags and experiment names ("all" or none = every experiment).
bool MakeContext(const std::vector<std::string>& args, Context* ctx,
                 int* exit_code) {
  absl::StatusOr<Tier> tier = ParseTier(absl::GetFlag(FLAGS_tier));
  if (!tier.ok()) {
    *exit_code = Usage(std::string(tier.status().message()));
    return false;
  }
  ctx->tier = *tier;
  ctx->options.out_dir =
      absl::GetFlag(FLAGS_out).empty() ? "out" : absl::GetFlag(FLAGS_out);
  ctx->options.golden_dir = absl::GetFlag(FLAGS_golden_dir);
  int jobs = absl::GetFlag(FLAGS_jobs);
  if (jobs < 0) {
    *exit_code = Usage(absl::StrCat("--jobs=", jobs, ": expected >= 0"));
    return false;
  }
  // 0: the CPUs this process may use (affinity, cgroup quota); a larger
  // count is capped by the sweep at the number of runs.
  ctx->options.jobs = jobs == 0 ? UsableCpus() : jobs;
  ctx->options.progress = !absl::GetFlag(FLAGS_quiet);
  ctx->options.until_decided = absl::GetFlag(FLAGS_until_decided);
  ctx->options.max_core_hours = absl::GetFlag(FLAGS_max_core_hours);
  if (ctx->options.max_core_hours < 0 ||
      !std::isfinite(ctx->options.max_core_hours)) {
    *exit_code = Usage(absl::StrCat("--max_core_hours=",
                                    ctx->options.max_core_hours,
                                    ": expected a number >= 0 (0: no cap)"));
    return false;
  }
  if (FlagWasGiven("max_core_hours") && !ctx->options.until_decided) {
    *exit_code = Usage("--max_core_hours needs --until_decided");
    return false;
  }
  std::vector<std::string> names = args;
  if (names.empty() || (names.size() == 1 && names[0] == "all"))
    names = ExperimentNames();
  std::vector<DesignOverride> overrides;
  for (const std::string& text : RepeatedFlagValues("set")) {
    absl::StatusOr<DesignOverride> o = ParseDesignOverride(text);
    if (!o.ok()) {
      *exit_code = Usage(std::string(o.status().message()));
      return false;
    }
    overrides.push_back(*o);
  }
  for (const std::string& name : names) {
    absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(name);
    if (!e.ok()) {
      *exit_code = Usage(std::string(e.status().message()));
      return false;
    }
    // Every override is checked against every tier's preset before anything
    // runs: an unknown field or a bad value exits 2 naming it.
    absl::Status set = (*e)->SetOverrides(overrides);
    if (!set.ok()) {
      *exit_code = Usage(absl::StrCat(name, ": ", set.message()));
      return false;
    }
    // Constraints between fields, at the tier this command runs.
    const absl::Status fits = (*e)->CheckDesign(ctx->tier);
    if (!fits.ok()) {
      *exit_code = Usage(absl::StrCat(name, " (", TierName(ctx->tier),
                                      "): ", fits.message()));
      return false;
    }
    ctx->experiments.push_back(std::move(*e));
  }
  return true;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "repro: %s\n", std::string(status.message()).c_str());
  return absl::IsInvalidArgument(status) ? 2 : 1;
}

int List(const Context& ctx) {
  std::printf("%-18s %-6s %8s %14s  %s\n", "experiment", "tier", "runs",
              "est.core-hours", "description");
  for (const auto& e : ctx.experiments) {
    for (Tier t : {Tier::kSmoke, Tier::kCi, Tier::kNightly, Tier::kPaper}) {
      const std::vector<RunSpec> specs = e->Plan(t);
      std::printf("%-18s %-6s %8zu %14.3f  %s\n", e->Name().c_str(),
                  TierName(t).c_str(), specs.size(), EstimatedCoreHours(specs),
                  t == Tier::kSmoke ? e->Description().c_str() : "");
    }
  }
  return 0;
}

// What the report needs beside the results of its tier: every tier's
// results of the same experiments (under --out, else committed goldens)
// and each tier's estimated cost.
absl::StatusOr<ReportInputs> ReportInputsFor(const Context& ctx,
                             const std::vector<nlohmann::json>& results,
                             const std::vector<std::string>& golden_status,
                             double wall_seconds) {
  ReportInputs in;
  in.tier = TierName(ctx.tier);
  in.results = results;
  in.golden_match = golden_status;
  in.wall_seconds = wall_seconds;
  std::vector<std::string> names;
  for (const auto& e : ctx.experiments) {
    names.push_back(e->Name());
    for (Tier t : {Tier::kSmoke, Tier::kCi, Tier::kNightly, Tier::kPaper})
      in.core_hours[e->Name()][TierName(t)] = EstimatedCoreHours(e->Plan(t));
  }
  ASSIGN_OR_RETURN(in.by_tier,
                   LoadTierResults(names, {"smoke", "ci", "nightly", "paper"},
                                   ctx.options.out_dir, ctx.options.golden_dir,
                                   &in.by_tier_origin));
  // This command's own results are the freshest of their tier (they may
  // be the goldens themselves: `report` without results of its tier).
  for (size_t i = 0; i < results.size(); ++i) {
    const std::string e = results[i].value("experiment", "");
    in.by_tier[e][in.tier] = results[i];
    in.by_tier_origin[e][in.tier] =
        i < golden_status.size() && golden_status[i] == kFromGolden ? "golden" : "out";
  }
  return in;
}

// Each experiment's committed nightly golden, for the terminal table (an
// unreadable one is left out here; the report names it).
std::map<std::string, nlohmann::json> NightlyGoldens(const Context& ctx) {
  std::vector<std::string> names;
  for (const auto& e : ctx.experiments) names.push_back(e->Name());
  std::map<std::string, nlohmann::json> out;
  auto found = LoadTierResults(names, {"nightly"},
                               ctx.options.golden_dir + "/.no-results",
                               ctx.options.golden_dir);
  if (!found.ok()) return out;
  for (const auto& [e, tiers] : *found)
    for (const auto& [t, r] : tiers) out[e] = r;
  return out;
}

// `repro design EXP --tier=T [--set ...]`: the design's fields with their
// values (overrides applied), types, ranges and docs, and what it costs.
int Design(const Context& ctx) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "json")
    return Usage(absl::StrCat("--format=", format, ": expected text or json"));
  if (ctx.experiments.empty())
    return Usage("design: name an experiment (`repro list` lists them)");
  nlohmann::json all = nlohmann::json::array();
  for (const auto& e : ctx.experiments) {
    const nlohmann::json values = e->DesignJson(ctx.tier);
    const std::vector<RunSpec> specs = e->Plan(ctx.tier);
    const double hours = EstimatedCoreHours(specs);
    nlohmann::json overrides = nlohmann::json::array();
    for (const DesignOverride& o : e->Overrides())
      overrides.push_back(absl::StrCat(o.field, "=", o.value));
    if (format == "json") {
      nlohmann::json fields = nlohmann::json::array();
      for (const DesignFieldInfo& f : e->DesignFields())
        fields.push_back({{"name", f.name}, {"type", f.type},
                          {"range", f.range}, {"doc", f.doc},
                          {"value", values.is_object() && values.contains(f.name)
                                        ? values[f.name]
                                        : nlohmann::json()}});
      all.push_back({{"experiment", e->Name()}, {"tier", TierName(ctx.tier)},
                     {"design", values}, {"fields", fields},
                     {"overrides", overrides},
                     {"runs", specs.size()},
                     {"estimated_core_hours", hours}});
      continue;
    }
    std::printf("%s (%s)%s: %zu runs, ~%.3g core-hours (estimate)\n",
                e->Name().c_str(), TierName(ctx.tier).c_str(),
                e->ModifiedDesign() ? ", modified design" : "", specs.size(),
                hours);
    if (e->DesignFields().empty()) {
      std::printf("  (no settable design fields)\n");
      continue;
    }
    for (const DesignFieldInfo& f : e->DesignFields()) {
      const std::string value =
          values.is_object() && values.contains(f.name)
              ? values[f.name].dump()
              : std::string("?");
      std::printf("  %-18s = %-28s %s %s: %s\n", f.name.c_str(),
                  value.c_str(), f.type.c_str(), f.range.c_str(),
                  f.doc.c_str());
    }
    if (!overrides.empty())
      std::printf("  overrides: %s\n", overrides.dump().c_str());
  }
  if (format == "json") std::printf("%s\n", all.dump(1).c_str());
  return 0;
}

// `repro claims [EXP...] [--format=text|md|json]`: every declared claim
// with its source, statistic, unit, threshold and generated rule.
int Claims(const Context& ctx) {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "md" && format != "json")
    return Usage(
        absl::StrCat("--format=", format, ": expected text, md or json"));
  std::vector<std::pair<std::string, std::vector<ClaimSpec>>> table;
  for (const auto& e : ctx.experiments)
    table.push_back({e->Name(), e->ClaimSpecs()});
  if (format == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& [name, specs] : table)
      for (const ClaimSpec& s : specs) {
        nlohmann::json j = ClaimSpecToJson(s);
        j["experiment"] = name;
        all.push_back(j);
      }
    std::printf("%s\n", all.dump(1).c_str());
    return 0;
  }
  std::printf("%s", ClaimsMarkdown(table).c_str());
  return 0;
}

// run / check / bless / reproduce share one loop.
int RunAll(const Context& ctx, bool check, bool bless, bool report) {
  const auto started = std::chrono::steady_clock::now();
  // A modified design is an exploration: it has no golden to match and
  // never becomes one.
  // `reproduce` with --set runs and reports it, marked as such; `check` and
  // `bless` refuse it.
  const bool modified =
      !ctx.experiments.empty() && ctx.experiments[0]->ModifiedDesign();
  if (modified && (bless || (check && !report)))
    return Usage(absl::StrCat(
        bless ? "bless" : "check",
        ": --set makes a modified design, which is an exploration, never "
        "compared with or written as a golden; use `repro run` or `repro "
        "reproduce` with --set, or drop --set to ",
        bless ? "bless" : "check", " the tier's design"));
  if (modified) check = false;
  std::vector<nlohmann::json> results;
  std::vector<std::string> golden_status;
  int exit_code = 0;
  for (const auto& e : ctx.experiments) {
    absl::StatusOr<nlohmann::json> result =
        RunExperiment(*e, ctx.tier, ctx.options);
    if (!result.ok()) return Fail(result.status());
    results.push_back(*result);
    if (bless) {
      absl::StatusOr<std::vector<std::string>> changes =
          BlessGolden(*result, ctx.options);
      if (!changes.ok()) return Fail(changes.status());
      std::printf("blessed %s:\n", GoldenPath(ctx.options, e->Name(), ctx.tier).c_str());
      if (changes->empty()) std::printf("  (no change)\n");
      for (const std::string& c : *changes) std::printf("  %s\n", c.c_str());
      golden_status.push_back("blessed");
      continue;
    }
    if (!check) {
      if (modified) {
        // Said where the verdict table is read, not only in the report.
        std::vector<std::string> sets;
        for (const DesignOverride& o : e->Overrides())
          sets.push_back(absl::StrCat(o.field, "=", o.value));
        std::printf("%s (%s): modified design (--set %s): an exploration, "
                    "not compared with a golden\n",
                    e->Name().c_str(), TierName(ctx.tier).c_str(),
                    absl::StrJoin(sets, " --set ").c_str());
      }
      golden_status.push_back(modified ? "modified design" : "");
      continue;
    }
    absl::StatusOr<std::vector<std::string>> diffs =
        CheckAgainstGolden(*result, ctx.options);
    if (!diffs.ok()) {
      std::fprintf(stderr, "%s: %s\n", e->Name().c_str(),
                   std::string(diffs.status().message()).c_str());
      golden_status.push_back(absl::IsNotFound(diffs.status())
                                  ? "no golden"
                                  : "unreadable golden");
      exit_code = 1;
      continue;
    }
    if (diffs->empty()) {
      std::printf("%s (%s): matches golden\n", e->Name().c_str(),
                  TierName(ctx.tier).c_str());
      golden_status.push_back("match");
    } else {
      std::printf("%s (%s): DIFFERS from golden:\n", e->Name().c_str(),
                  TierName(ctx.tier).c_str());
      for (const std::string& d : *diffs) std::printf("  %s\n", d.c_str());
      golden_status.push_back("DIFFERS");
      exit_code = 1;
    }
  }
  std::printf("\n%s", VerdictTable(results, NightlyGoldens(ctx)).c_str());
  if (report) {
    const std::string dir = ctx.options.out_dir + "/report";
    const double seconds = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - started)
                               .count();
    absl::StatusOr<ReportInputs> inputs =
        ReportInputsFor(ctx, results, golden_status, seconds);
    if (!inputs.ok()) return Fail(inputs.status());
    absl::Status written = WriteReport(*inputs, dir);
    if (!written.ok()) return Fail(written);
    std::printf("\nreport: %s/report.md and %s/report.html\n", dir.c_str(),
                dir.c_str());
  }
  return exit_code;
}

// Reads OUT/results/EXP.TIER.json of each experiment, else its committed
// golden (`repro report --tier=nightly` needs no training). A result of
// format 2 or newer displays; format 1 is skipped (stale).
int Report(const Context& ctx) {
  std::vector<nlohmann::json> results;
  std::vector<std::string> golden_status;
  for (const auto& e : ctx.experiments) {
    std::string path = ResultPath(ctx.options, e->Name(), ctx.tier);
    bool from_golden = false;
    if (!PathExists(path)) {
      path = GoldenPath(ctx.options, e->Name(), ctx.tier);
      from_golden = true;
      if (!PathExists(path)) continue;
    }
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return Fail(text.status());
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded())
      return Fail(absl::DataLossError(absl::StrCat(path, ": malformed JSON")));
    absl::Status valid = ValidateResultJson(j, e->Name(), ctx.tier, path);
    if (j.value("modified_design", false)) {
      golden_status.push_back("modified design");
      results.push_back(j);
      continue;
    }
    // A newer format than this binary's still displays (its readers take
    // missing fields as "-"); format 1 does not.
    if (!valid.ok() && !(DisplayableResult(j) && j.value("experiment", "") == e->Name())) {
      if (from_golden) continue;  // a stale golden: shown as such in the table
      return Fail(absl::DataLossError(valid.message()));
    }
    if (from_golden) {
      golden_status.push_back(kFromGolden);
    } else {
      absl::StatusOr<std::vector<std::string>> diffs =
          CheckAgainstGolden(j, ctx.options);
      // Only an absent golden is "no golden"; an unreadable one is an error.
      if (!diffs.ok() && !absl::IsNotFound(diffs.status()))
        return Fail(diffs.status());
      golden_status.push_back(!diffs.ok() ? "no golden"
                              : diffs->empty() ? "match" : "DIFFERS");
    }
    results.push_back(j);
  }
  if (results.empty())
    return Usage(absl::StrCat("no results under ", ctx.options.out_dir,
                              "/results and no goldens under ",
                              ctx.options.golden_dir, " for tier ",
                              TierName(ctx.tier), "; run `repro run` first"));
  const std::string dir = ctx.options.out_dir + "/report";
  // A result file that passed validation may still hold a field of the
  // wrong type deeper down: an error naming the files, never an abort.
  try {
    absl::StatusOr<ReportInputs> inputs =
        ReportInputsFor(ctx, results, golden_status, -1);
    if (!inputs.ok()) return Fail(inputs.status());
    absl::Status written = WriteReport(*inputs, dir);
    if (!written.ok()) return Fail(written);
    std::printf("%s\nreport: %s/report.md and %s/report.html\n",
                VerdictTable(results, ctx.tier == Tier::kNightly
                                          ? std::map<std::string, nlohmann::json>()
                                          : NightlyGoldens(ctx))
                    .c_str(),
                dir.c_str(), dir.c_str());
  } catch (const nlohmann::json::exception& e) {
    return Fail(absl::DataLossError(absl::StrCat(
        "a result file under ", ctx.options.out_dir,
        "/results is malformed: ", e.what())));
  }
  return 0;
}

// One side of `repro diff`: an output folder (its results/*.json of every
// tier), a tier name (the committed goldens of that tier) or "golden"
// (every committed golden). Fails (nullopt) when SPEC is none of these.
std::optional<std::vector<VerdictRow>> DiffSide(const std::string& spec,
                                                const std::string& golden_dir) {
  const std::vector<std::string> names = ExperimentNames();
  TierOrigins origins;
  absl::StatusOr<TierResults> results;
  if (spec == "golden") {
    results = LoadTierResults(names, TierOrder(), golden_dir + "/.no-results",
                              golden_dir, &origins);
  } else if (TierRank(spec) >= 0) {
    results = LoadTierResults(names, {spec}, golden_dir + "/.no-results",
                              golden_dir, &origins);
  } else if (PathExists(spec + "/results")) {
    results = LoadTierResults(names, TierOrder(), spec, spec + "/.no-goldens",
                              &origins);
  } else {
    return std::nullopt;
  }
  // An unreadable file is not "no result": say so and treat the side as bad.
  if (!results.ok()) {
    std::fprintf(stderr, "repro diff: %s\n",
                 std::string(results.status().message()).c_str());
    return std::nullopt;
  }
  return VerdictRows(*results, origins, nullptr, "");
}

// repro diff A B: what moved between two sets of results; exit 1 when a
// verdict moved, 0 otherwise, 2 on bad input.
int Diff(const std::vector<std::string>& args) {
  if (args.size() != 2)
    return Usage("diff: expected two arguments A B, each an output folder "
                 "(with results/), a tier (smoke, ci, nightly, paper) or "
                 "`golden`");
  const std::string golden_dir = absl::GetFlag(FLAGS_golden_dir);
  std::vector<std::vector<VerdictRow>> sides;
  for (const std::string& spec : args) {
    std::optional<std::vector<VerdictRow>> rows = DiffSide(spec, golden_dir);
    if (!rows.has_value())
      return Usage(absl::StrCat("diff: ", spec,
                                " is no output folder (no ", spec,
                                "/results), no tier (smoke, ci, nightly, "
                                "paper) and not `golden`"));
    if (rows->empty())
      return Usage(absl::StrCat("diff: no displayable result in ", spec));
    sides.push_back(*rows);
  }
  const VerdictDiff d = DiffVerdicts(sides[0], sides[1], args[0], args[1]);
  std::printf("%s", d.text.c_str());
  if (d.compared == 0) return 2;
  return d.verdicts_moved > 0 ? 1 : 0;
}

int Shards(const std::string& command, const Context& ctx) {
  if (ctx.experiments.size() != 1 && command != "status")
    return Usage(absl::StrCat(command, ": name exactly one experiment"));
  for (const auto& e : ctx.experiments) {
    if (command == "plan") {
      absl::Status s = WritePlan(*e, ctx.tier, absl::GetFlag(FLAGS_shards),
                                 ctx.options, absl::GetFlag(FLAGS_overwrite_plan));
      if (!s.ok()) return Fail(s);
      std::printf("plan: %s, tier %s, %d shards, %zu runs\n", e->Name().c_str(),
                  TierName(ctx.tier).c_str(), absl::GetFlag(FLAGS_shards),
                  e->Plan(ctx.tier).size());
    } else if (command == "run-shard") {
      absl::Status s =
          RunShard(*e, ctx.tier, absl::GetFlag(FLAGS_shard), ctx.options);
      if (!s.ok()) return Fail(s);
    } else if (command == "merge") {
      absl::StatusOr<nlohmann::json> r = MergeShards(*e, ctx.tier, ctx.options);
      if (!r.ok()) return Fail(r.status());
      std::printf("%s", VerdictTable({*r}).c_str());
    } else if (command == "status") {
      absl::StatusOr<std::vector<ShardStatus>> st =
          PlanStatus(*e, ctx.tier, ctx.options);
      if (!st.ok()) return Fail(st.status());
      int64_t done = 0, missing = 0, corrupt = 0, stale = 0;
      for (const ShardStatus& s : *st) {
        done += s.done;
        missing += s.missing;
        corrupt += s.corrupt - s.stale;
        stale += s.stale;
      }
      std::printf("%s (%s): %lld done, %lld missing, %lld corrupt", e->Name().c_str(),
                  TierName(ctx.tier).c_str(), static_cast<long long>(done),
                  static_cast<long long>(missing),
                  static_cast<long long>(corrupt));
      if (stale > 0)
        std::printf(", %lld stale (trained by another build, bits identity "
                    "of this one: %s)",
                    static_cast<long long>(stale), BitsIdentity().c_str());
      std::printf("\n");
      for (const ShardStatus& s : *st)
        if (s.missing + s.corrupt > 0)
          std::printf("  shard %d: %lld missing, %lld corrupt%s\n", s.shard,
                      static_cast<long long>(s.missing),
                      static_cast<long long>(s.corrupt - s.stale),
                      s.stale > 0 ? absl::StrCat(", ", s.stale, " stale").c_str()
                                  : "");
    }
  }
  return 0;
}

}  // namespace

int RunHarnessCommand(const std::string& command,
                      const std::vector<std::string>& args) {
  if (command == "diff") return Diff(args);  // its arguments are no experiments
  Context ctx;
  int exit_code = 0;
  if (!MakeContext(args, &ctx, &exit_code)) return exit_code;
  if (command == "list") return List(ctx);
  if (command == "design") return Design(ctx);
  if (command == "claims") return Claims(ctx);
  if (command == "run") return RunAll(ctx, false, false, false);
  if (command == "check") return RunAll(ctx, true, false, false);
  if (command == "bless") return RunAll(ctx, false, true, false);
  if (command == "reproduce") return RunAll(ctx, true, false, true);
  if (command == "report") return Report(ctx);
  return Shards(command, ctx);
}

}  // namespace initrepro
