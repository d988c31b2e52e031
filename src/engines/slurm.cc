#include "src/engines/slurm.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/subprocess.h"

namespace initrepro {
namespace {

bool IsDigits(absl::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isdigit(c); });
}

// The #SBATCH lines hold only values checked to need no quoting (job name
// from the experiment and tier, --partition and --time through
// ValidateSbatchValue, numbers); sbatch reads these lines unquoted. Paths go
// on sbatch's argument vector instead (SlurmJob::sbatch_options).
std::string SbatchHeader(const SlurmOptions& o, const std::string& job_name) {
  std::string h = absl::StrCat("#SBATCH --job-name=", job_name, "\n");
  if (!o.partition.empty())
    absl::StrAppend(&h, "#SBATCH --partition=", o.partition, "\n");
  if (!o.time.empty()) absl::StrAppend(&h, "#SBATCH --time=", o.time, "\n");
  return h;
}

// `text` for a `#` comment line of a script: a newline (or another control
// character) in a path would end the comment and make the rest a command.
std::string CommentSafe(absl::string_view text) {
  std::string c;
  for (char ch : text) {
    const unsigned char u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f)
      absl::StrAppend(&c, "\\x", absl::Hex(u, absl::kZeroPad2));
    else
      c += ch;
  }
  return c;
}

// " --set 'FIELD=VALUE'" for each of the experiment's design overrides, in
// order: run-shard and merge must plan the same modified design as submit.
std::string SetArgs(const Experiment& e) {
  std::string args;
  for (const DesignOverride& o : e.Overrides())
    absl::StrAppend(&args, " --set ",
                    ShellQuote(absl::StrCat(o.field, "=", o.value)));
  return args;
}

// `sbatch --parsable` prints "JOBID" or "JOBID;CLUSTER".
absl::StatusOr<std::string> Sbatch(const CommandRunner& run,
                                   const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(std::string out, run(argv));
  const std::string id(absl::StripAsciiWhitespace(
      std::vector<std::string>(absl::StrSplit(out, ';'))[0]));
  uint64_t unused;
  if (!absl::SimpleAtoi(id, &unused))
    return absl::InternalError(
        absl::StrCat("`", CommandLine(argv),
                     "`: expected a job id on stdout, found '", out, "'"));
  return id;
}

}  // namespace

std::string SlurmPatternLiteral(absl::string_view literal) {
  return absl::StrReplaceAll(literal, {{"%", "%%"}});
}

absl::Status ValidateSlurmOutDir(const std::string& out_dir) {
  if (out_dir.find('\\') != std::string::npos)
    return absl::InvalidArgumentError(absl::StrCat(
        "--out=", out_dir,
        ": expected no backslash with --engine=slurm (a '\\' anywhere in a "
        "log path makes Slurm ignore every %A/%a pattern in sbatch --output, "
        "so all shard tasks would write one log file); choose a directory "
        "without one, or use --engine=local"));
  return absl::OkStatus();
}

absl::Status ValidateSbatchValue(const std::string& flag,
                                 const std::string& value) {
  // An empty value is what an unset shell variable gives; dropping the line
  // would silently fall back to the cluster's default.
  if (value.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=: expected a value (an empty one, e.g. from an unset "
        "shell variable, would silently mean Slurm's default; omit the flag "
        "for that)"));
  for (char c : value)
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '%' ||
        c == '"' || c == '\'' || c == '\\')
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, "=", value,
          ": expected no whitespace, quotes, backslashes or '%' (the value "
          "appears unquoted on #SBATCH lines)"));
  return absl::OkStatus();
}

absl::StatusOr<SlurmLimits> ParseSlurmConfig(const std::string& text) {
  SlurmLimits limits;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (key == "MaxArraySize") {
      if (!absl::SimpleAtoi(value, &limits.max_array_size) ||
          limits.max_array_size < 1)
        return absl::InvalidArgumentError(absl::StrCat(
            "scontrol show config: MaxArraySize = '", value,
            "': expected a positive integer"));
      found = true;
    } else if (key == "MaxJobCount") {
      if (!absl::SimpleAtoi(value, &limits.max_job_count))
        limits.max_job_count = 0;
    }
  }
  if (!found)
    return absl::InvalidArgumentError(
        "scontrol show config: no MaxArraySize line");
  limits.source = "scontrol show config";
  return limits;
}

SlurmLimits ReadSlurmLimits(const CommandRunner& run, bool have_scontrol) {
  SlurmLimits fallback;
  if (!have_scontrol) {
    fallback.source = "Slurm's default; scontrol not found on PATH";
    return fallback;
  }
  absl::StatusOr<std::string> text = run({"scontrol", "show", "config"});
  absl::StatusOr<SlurmLimits> limits =
      text.ok() ? ParseSlurmConfig(*text) : text.status();
  if (limits.ok()) return *limits;
  // Only the first line: scontrol's stderr can run to several.
  const std::string why = std::vector<std::string>(
      absl::StrSplit(limits.status().message(), '\n'))[0];
  fallback.source = absl::StrCat("Slurm's default; ", why);
  return fallback;
}

std::vector<ArrayChunk> SplitIntoArrays(const std::vector<int>& shards,
                                        int64_t max_array_size) {
  std::vector<ArrayChunk> chunks;
  for (int shard : shards) {
    if (chunks.empty() || shard - chunks.back().base >= max_array_size) {
      ArrayChunk c;
      // Within the limit, task id = shard id (scripts as before splitting).
      c.base = chunks.empty() && shard < max_array_size ? 0 : shard;
      chunks.push_back(c);
    }
    chunks.back().tasks.push_back(shard - chunks.back().base);
  }
  return chunks;
}

SlurmSubmission PlanSlurmJobs(const Experiment& e, Tier tier,
                              const std::vector<int>& pending,
                              const SlurmOptions& o, const std::string& repro,
                              const SlurmLimits& limits) {
  const std::string& out = o.out_dir;
  const std::string tier_name = TierName(tier);
  const std::string stem = absl::StrCat(e.Name(), ".", tier_name);
  // Slurm expands %A, %a, %j in --output; every literal '%' is doubled.
  const std::string logs = SlurmPatternLiteral(out + "/slurm/logs/" + stem);
  const std::string set_args = SetArgs(e);
  const std::string shown_out = CommentSafe(out);
  const std::string log_note =
      "# The log path is given to sbatch as --output on its command line\n"
      "# (see `repro submit --dry_run`): on an #SBATCH line a path with a\n"
      "# space or a quote would be cut.\n";
  SlurmSubmission sub;
  const std::vector<ArrayChunk> chunks =
      SplitIntoArrays(pending, limits.max_array_size);
  for (size_t k = 0; k < chunks.size(); ++k) {
    const ArrayChunk& c = chunks[k];
    SlurmJob job;
    job.chunk = c;
    job.script_path =
        chunks.size() == 1
            ? absl::StrCat(out, "/slurm/", stem, ".array.sbatch")
            : absl::StrCat(out, "/slurm/", stem, ".array-", k, ".sbatch");
    const std::string shard_expr =
        c.base == 0 ? "\"${SLURM_ARRAY_TASK_ID}\""
                    : absl::StrCat("\"$((", c.base, " + SLURM_ARRAY_TASK_ID))\"");
    job.sbatch_options.push_back(absl::StrCat(
        "--output=", logs,
        c.base == 0 ? ".shard-%a.%A.out"
                    : absl::StrCat(".shard-", c.base, "+%a.%A.out")));
    std::string spec = ArraySpec(c.tasks);
    if (o.max_running > 0) absl::StrAppend(&spec, "%", o.max_running);
    job.script_text = absl::StrCat(
        "#!/bin/bash\n", SbatchHeader(o, absl::StrCat("repro-", stem)),
        "#SBATCH --array=", spec, "\n", "#SBATCH --cpus-per-task=",
        o.cpus_per_task, "\n",
        "# Written by `repro submit`. Task ",
        c.base == 0 ? "i trains the runs of shard i"
                    : absl::StrCat("t trains the runs of shard ", c.base, "+t"),
        " of\n", "# ", shown_out, "/plans/", stem, ".json (shard i: runs i, i+",
        o.shards, ", ...);\n",
        "# finished runs are skipped, so resubmitting is always safe.\n",
        chunks.size() > 1
            ? absl::StrCat("# Array ", k + 1, " of ", chunks.size(),
                           ": task ids stay below MaxArraySize=",
                           limits.max_array_size, ".\n")
            : "",
        log_note, "set -euo pipefail\n", "exec ", ShellQuote(repro),
        " run-shard ", ShellQuote(e.Name()), " --tier=", tier_name,
        " --shard=", shard_expr, " --out=", ShellQuote(out), set_args,
        " --jobs=", o.cpus_per_task, " --quiet\n");
    // With a throttle, chaining keeps the total under it across arrays.
    if (o.max_running > 0 && k > 0) job.after_any.push_back(k - 1);
    sub.merge.after_ok.push_back(static_cast<int>(k));
    sub.arrays.push_back(std::move(job));
  }
  sub.merge.script_path = absl::StrCat(out, "/slurm/", stem, ".merge.sbatch");
  sub.merge.sbatch_options.push_back(
      absl::StrCat("--output=", logs, ".merge.%j.out"));
  sub.merge.script_text = absl::StrCat(
      "#!/bin/bash\n", SbatchHeader(o, absl::StrCat("repro-merge-", stem)),
      "#SBATCH --cpus-per-task=1\n",
      "# Written by `repro submit`. Loads every run of the plan (failing on\n",
      "# a missing one) and writes ", shown_out, "/results/", stem, ".json.\n",
      log_note, "set -euo pipefail\n", "exec ", ShellQuote(repro), " merge ",
      ShellQuote(e.Name()), " --tier=", tier_name, " --out=", ShellQuote(out),
      set_args, "\n");
  return sub;
}

std::vector<std::string> SbatchArgv(const SlurmJob& job,
                                    const std::vector<std::string>& ids) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  auto dependency = [&](const char* type, const std::vector<int>& on) {
    std::string d = absl::StrCat("--dependency=", type);
    for (int k : on) absl::StrAppend(&d, ":", ids[k]);
    return d;
  };
  if (!job.after_any.empty()) argv.push_back(dependency("afterany", job.after_any));
  if (!job.after_ok.empty()) {
    argv.push_back(dependency("afterok", job.after_ok));
    // If a shard fails, cancel the merge instead of leaving it pending
    // forever (DependencyNeverSatisfied); `repro status` then shows what is
    // missing and a resubmission retries only that.
    argv.push_back("--kill-on-invalid-dep=yes");
  }
  argv.insert(argv.end(), job.sbatch_options.begin(), job.sbatch_options.end());
  argv.push_back(job.script_path);
  return argv;
}

std::vector<std::string> PlaceholderIds(const SlurmSubmission& sub) {
  if (sub.arrays.size() == 1) return {"ARRAY_JOB_ID"};
  std::vector<std::string> ids;
  for (size_t k = 0; k < sub.arrays.size(); ++k)
    ids.push_back(absl::StrCat("ARRAY_JOB_ID_", k));
  return ids;
}

absl::Status WriteSlurmScripts(const SlurmSubmission& sub,
                               const std::string& out_dir) {
  RETURN_IF_ERROR(MakeDirs(out_dir + "/slurm/logs"));
  for (const SlurmJob& job : sub.arrays)
    RETURN_IF_ERROR(WriteFileAtomic(job.script_path, job.script_text));
  return WriteFileAtomic(sub.merge.script_path, sub.merge.script_text);
}

absl::Status SubmitSlurmJobs(SlurmSubmission* sub, const CommandRunner& run) {
  std::vector<std::string> ids;
  auto submitted_note = [&]() {
    if (ids.empty()) return std::string();
    return absl::StrCat(" (already submitted: ", absl::StrJoin(ids, " "),
                        "; `scancel ", absl::StrJoin(ids, " "),
                        "` or submit again once sbatch works)");
  };
  for (SlurmJob& job : sub->arrays) {
    absl::StatusOr<std::string> id = Sbatch(run, SbatchArgv(job, ids));
    if (!id.ok())
      return absl::Status(id.status().code(), absl::StrCat(id.status().message(),
                                                           submitted_note()));
    job.job_id = *id;
    ids.push_back(*id);
  }
  absl::StatusOr<std::string> id = Sbatch(run, SbatchArgv(sub->merge, ids));
  if (!id.ok())
    return absl::Status(id.status().code(),
                        absl::StrCat(id.status().message(), submitted_note()));
  sub->merge.job_id = *id;
  return absl::OkStatus();
}

bool OnPath(const std::string& program) {
  return !FindOnPath(program).empty();
}

// Copies the running binary (/proc/self/exe) to OUT/bin/repro and returns
// that path. Jobs may start hours later on other nodes: bazel-bin is a
// symlink into the submitting user's Bazel output base, which the next
// `bazel build` overwrites and compute nodes may not see, and the binary is
// part of what defines the bits. OUT must be on a filesystem the nodes share
// anyway, so the copy there is what every shard and the merge run.
absl::StatusOr<std::string> InstallBinary(const std::string& out_dir) {
  const std::string dir = out_dir + "/bin";
  const std::string dest = dir + "/repro";
  RETURN_IF_ERROR(MakeDirs(dir));
  // /proc/self/exe reads the running inode even if bazel replaced the file.
  ASSIGN_OR_RETURN(std::string bytes, ReadFile("/proc/self/exe"));
  if (PathExists(dest)) {
    absl::StatusOr<std::string> old = ReadFile(dest);
    if (old.ok() && *old == bytes) return dest;
  }
  // Written beside and renamed over (WriteFileAtomic, which also fsyncs
  // the directory so the rename survives a crash): writing in place would
  // fail with ETXTBSY on (or corrupt) a copy that running jobs execute. The
  // mode is set on the temp file, so the umask cannot clear the execute bits
  // jobs need and no job ever sees a non-executable copy.
  const absl::Status written = WriteFileAtomic(dest, bytes, 0755);
  if (!written.ok())
    return absl::Status(written.code(),
                        absl::StrCat(written.message(),
                                     " (installing a copy of the running "
                                     "binary)"));
  return dest;
}

absl::Status ValidateSlurmTime(const std::string& time) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--time=", time, ": ", why,
        "; expected HH:MM:SS (any number of hours) or D-HH:MM:SS (hours "
        "below 24), minutes and seconds below 60, e.g. 02:00:00 or "
        "1-12:00:00"));
  };
  const auto format = "not in a Slurm time format";
  absl::string_view rest = time;
  int days = 0;
  const size_t dash = rest.find('-');
  if (dash != absl::string_view::npos) {
    if (!IsDigits(rest.substr(0, dash), 1, 3) ||
        !absl::SimpleAtoi(rest.substr(0, dash), &days))
      return bad(format);
    rest.remove_prefix(dash + 1);
  }
  const std::vector<absl::string_view> hms = absl::StrSplit(rest, ':');
  if (hms.size() != 3) return bad(format);
  // With days, hours are 00-23; without, Slurm accepts any hour count.
  if (!IsDigits(hms[0], 2, dash == absl::string_view::npos ? 4 : 2) ||
      !IsDigits(hms[1], 2, 2) || !IsDigits(hms[2], 2, 2))
    return bad(format);
  int h = 0, m = 0, s = 0;
  if (!absl::SimpleAtoi(hms[0], &h) || !absl::SimpleAtoi(hms[1], &m) ||
      !absl::SimpleAtoi(hms[2], &s))
    return bad(format);
  if (dash != absl::string_view::npos && h > 23)
    return bad(absl::StrCat("hours ", hms[0], " with days must be below 24"));
  if (m > 59) return bad(absl::StrCat("minutes ", hms[1], " must be below 60"));
  if (s > 59) return bad(absl::StrCat("seconds ", hms[2], " must be below 60"));
  // Slurm reads a zero limit as "no limit", never what a typo meant.
  if (days == 0 && h == 0 && m == 0 && s == 0)
    return bad("zero, which Slurm reads as no limit (omit --time for the "
               "partition's default)");
  return absl::OkStatus();
}

std::string ArraySpec(const std::vector<int>& ids) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(ids[i])
                           : absl::StrCat(ids[i], "-", ids[j]));
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv) {
  return RunProcessOk(argv);
}

}  // namespace initrepro
