#include "src/cli/commands.h"

#include <algorithm>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace initrepro {
namespace {

using Flags = std::vector<std::string>;

const Flags kTrainFlags = {
    "task",      "p",          "n",          "m",
    "k",         "v",          "dim",        "hidden",
    "steps",     "lr",         "wd",         "seed",
    "init_seed", "mode",       "freeze_embedding", "backend",
    "dtype",     "threads",    "log_every",  "snapshot_every",
    "snapshot_steps", "init_from", "split_from", "out",
    "overwrite"};
const Flags kSweepFlags = {"tier",  "jobs", "out",           "quiet",
                           "set",   "until_decided",  "max_core_hours"};
const Flags kGoldenFlags = {"tier", "jobs",          "out",
                            "golden_dir", "quiet",   "set",
                            "until_decided", "max_core_hours"};

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const auto* commands = new std::vector<CommandSpec>{
      {"train", "", "one training run, written to --out", kTrainFlags},
      {"geometry", "DIR",
       "circles, survivors and v2 validity of a modadd run directory; "
       "cluster geometry and completeness of a remainder one",
       {}},
      {"list", "[EXP...]",
       "experiments, tiers, run counts, estimated core-hours",
       {}},
      {"design", "EXP...",
       "the design of a tier: fields, values, ranges, runs, core-hours",
       {"tier", "set", "format"}},
      {"claims", "[EXP...]",
       "every claim: statement, source, statistic, unit, threshold, rule",
       {"format"}},
      {"run", "[EXP...]",
       "train what is missing, analyse, write OUT/results; resumes",
       kSweepFlags},
      {"check", "[EXP...]",
       "run, then compare with GOLDEN_DIR/EXP.TIER.json (exit 1 on a "
       "difference)",
       kGoldenFlags},
      {"bless", "[EXP...]", "run, then rewrite the goldens, printing what changed",
       kGoldenFlags},
      {"reproduce", "[EXP...]",
       "check + verdict table + report (OUT/report)", kGoldenFlags},
      {"report", "[EXP...]",
       "report from the results under --out, else the committed goldens",
       {"tier", "out", "golden_dir"}},
      {"diff", "A B",
       "what moved per claim between A and B (each an output folder, a "
       "tier's goldens, or `golden`); exit 1 when a verdict moved",
       {"golden_dir"}},
      {"plan", "EXP", "write the shard plan OUT/plans/EXP.TIER.json",
       {"tier", "shards", "out", "set", "overwrite_plan"}},
      {"run-shard", "EXP", "train the runs of one shard of the plan",
       {"tier", "shard", "jobs", "out", "quiet", "set"}},
      {"merge", "EXP",
       "load every run of the plan (failing on a missing or stale one), "
       "analyse, write the result",
       {"tier", "out", "set"}},
      {"status", "[EXP...]",
       "per shard: runs done, missing, corrupt, stale (from the files)",
       {"tier", "out", "set"}},
      {"submit", "EXP...",
       "plan + shards + merge on an engine (slurm: array job + dependent "
       "merge; local: in this process)",
       {"tier", "engine", "shards", "cpus_per_task", "partition", "time",
        "max_running",
        "dry_run", "jobs", "out", "quiet", "set"}},
      {"power", "EXP",
       "per claim: pilot effect, units, runs and core-hours to decide it "
       "(80 % power at 99 %), from the committed golden",
       {"tier", "golden_dir", "cap_core_hours", "format"}},
      {"help", "", "this text", {}},
  };
  return *commands;
}

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : Commands())
    if (c.name == name) return &c;
  return nullptr;
}

absl::Status CheckFlagOf(const CommandSpec& command, const std::string& flag) {
  const auto takes = [&flag](const CommandSpec& c) {
    return std::find(c.flags.begin(), c.flags.end(), flag) != c.flags.end();
  };
  if (takes(command)) return absl::OkStatus();
  std::vector<std::string> owners;
  for (const CommandSpec& c : Commands())
    if (takes(c)) owners.push_back(absl::StrCat("`", c.name, "`"));
  if (owners.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown flag '--", flag, "'; see `repro ", command.name, " --help`"));
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, " is not a flag of `", command.name, "`; it is a flag of ",
      absl::StrJoin(owners, ", "), " (see `repro ", command.name,
      " --help`)"));
}

std::string CommandHelp(const CommandSpec& command) {
  std::string out = absl::StrCat("usage: repro ", command.name,
                                 command.args.empty() ? "" : " ", command.args,
                                 command.flags.empty() ? "" : " [--flags]",
                                 "\n  ", command.summary, "\n");
  if (command.flags.empty()) {
    absl::StrAppend(&out, "flags: none\n");
    return out;
  }
  absl::StrAppend(&out, "flags:\n");
  for (const std::string& name : command.flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {  // commands_test keeps this from happening
      absl::StrAppend(&out, "  --", name, "\n");
      continue;
    }
    absl::StrAppend(&out, absl::StrFormat("  --%-18s %s (default: \"%s\")\n",
                                          name, flag->Help(),
                                          flag->DefaultValue()));
  }
  return out;
}

std::string Usage() {
  std::string out = "usage: repro COMMAND [ARGS] [--flags]\n";
  for (const CommandSpec& c : Commands())
    absl::StrAppend(&out, absl::StrFormat("  %-10s %-9s %s\n", c.name, c.args,
                                          c.summary));
  absl::StrAppend(&out,
                  "`repro COMMAND --help` lists the flags of COMMAND; a flag "
                  "of another command is an error (exit 2).\n");
  return out;
}

}  // namespace initrepro
