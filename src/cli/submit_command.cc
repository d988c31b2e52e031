#include "src/cli/submit_command.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/core/status_macros.h"
#include "src/harness/driver.h"
#include "src/harness/experiment.h"
#include "src/harness/report.h"
#include "src/io/atomic_file.h"

// Shared with the other harness commands (harness_commands.cc, and --out
// from train_command.cc), so `submit` reads them exactly as `plan`,
// `run-shard` and `merge` do.
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, tier);
ABSL_DECLARE_FLAG(int, jobs);
ABSL_DECLARE_FLAG(int, shards);
ABSL_DECLARE_FLAG(bool, quiet);

ABSL_FLAG(std::string, engine, "slurm", "submit: slurm | local");
ABSL_FLAG(std::string, partition, "",
          "submit: Slurm partition (empty: the cluster's default)");
ABSL_FLAG(std::string, time, "",
          "submit: Slurm time limit per job, HH:MM:SS or D-HH:MM:SS "
          "(empty: the partition's default)");
ABSL_FLAG(int, cpus_per_task, 1,
          "submit: CPUs per Slurm shard task; also the task's --jobs");
ABSL_FLAG(bool, dry_run, false,
          "submit: write plan and scripts, print the sbatch commands, "
          "submit nothing");

namespace initrepro {
namespace {

int Usage(const std::string& message) {
  std::fprintf(stderr, "repro submit: %s\n", message.c_str());
  return 2;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "repro submit: %s\n",
               std::string(status.message()).c_str());
  return absl::IsInvalidArgument(status) ? 2 : 1;
}

struct SubmitOptions {
  Tier tier = Tier::kCi;
  std::string engine;
  int shards = 1;
  std::string partition;
  std::string time;
  int cpus_per_task = 1;
  bool dry_run = false;
  DriverOptions driver;  // out_dir is absolute (jobs start elsewhere)
};

bool IsDigits(absl::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isdigit(c); });
}

// A value that lands on an `#SBATCH` line: Slurm splits those lines at
// whitespace without shell quoting, and expands '%' in --output paths.
absl::Status CheckSbatchSafe(const std::string& flag,
                             const std::string& value) {
  for (char c : value)
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '%' ||
        c == '"' || c == '\'' || c == '\\')
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, "=", value,
          ": expected no whitespace, quotes, backslashes or '%' (the value "
          "appears unquoted on #SBATCH lines)"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> AbsolutePath(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (!p.empty() && p[0] == '/') return p;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr)
    return absl::ErrnoToStatus(errno, "getcwd (to make --out absolute)");
  if (p == ".") return std::string(cwd);
  return absl::StrCat(cwd, "/", p);
}

// Reads and checks every flag `submit` uses; InvalidArgument (exit 2) names
// the flag and what it expects.
absl::StatusOr<SubmitOptions> ReadOptions() {
  SubmitOptions o;
  ASSIGN_OR_RETURN(o.tier, ParseTier(absl::GetFlag(FLAGS_tier)));
  o.engine = absl::GetFlag(FLAGS_engine);
  if (o.engine != "slurm" && o.engine != "local")
    return absl::InvalidArgumentError(
        absl::StrCat("--engine=", o.engine, ": expected slurm or local"));
  o.shards = absl::GetFlag(FLAGS_shards);
  if (o.shards < 1)
    return absl::InvalidArgumentError(
        absl::StrCat("--shards=", o.shards, ": expected an integer >= 1"));
  o.partition = absl::GetFlag(FLAGS_partition);
  o.time = absl::GetFlag(FLAGS_time);
  o.cpus_per_task = absl::GetFlag(FLAGS_cpus_per_task);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  if (o.cpus_per_task < 1)
    return absl::InvalidArgumentError(absl::StrCat(
        "--cpus_per_task=", o.cpus_per_task, ": expected an integer >= 1"));
  const int jobs = absl::GetFlag(FLAGS_jobs);
  if (jobs < 0)
    return absl::InvalidArgumentError(
        absl::StrCat("--jobs=", jobs, ": expected an integer >= 0"));
  if (o.engine == "local") {
    // Silently ignoring them would suggest they took effect.
    if (!o.partition.empty() || !o.time.empty())
      return absl::InvalidArgumentError(
          "--partition and --time apply to --engine=slurm only; use --jobs "
          "with --engine=local");
    o.driver.jobs =
        jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : jobs;
  } else {
    if (!o.time.empty()) RETURN_IF_ERROR(ValidateSlurmTime(o.time));
    if (!o.partition.empty())
      RETURN_IF_ERROR(CheckSbatchSafe("partition", o.partition));
    o.driver.jobs = o.cpus_per_task;
  }
  const std::string out =
      absl::GetFlag(FLAGS_out).empty() ? "out" : absl::GetFlag(FLAGS_out);
  ASSIGN_OR_RETURN(o.driver.out_dir, AbsolutePath(out));
  if (o.engine == "slurm")
    RETURN_IF_ERROR(CheckSbatchSafe("out", o.driver.out_dir));
  o.driver.progress = !absl::GetFlag(FLAGS_quiet);
  return o;
}

// Makes sure OUT/plans/NAME.TIER.json has the experiment's current run list
// and `shards` shards, and returns the per-shard status read from the files.
// An existing matching plan is kept, so a resubmission changes nothing a
// still-queued job relies on. A plan with another shard count is rewritten:
// runs are stored per run key, not per shard, so no finished run is lost.
absl::StatusOr<std::vector<ShardStatus>> EnsurePlan(const Experiment& e,
                                                    const SubmitOptions& o,
                                                    std::string* note) {
  absl::StatusOr<std::vector<ShardStatus>> status =
      PlanStatus(e, o.tier, o.driver);
  if (status.ok() && static_cast<int>(status->size()) == o.shards) {
    *note = "plan kept";
    return status;
  }
  if (status.ok()) {
    *note = absl::StrCat("plan rewritten: ", o.shards, " shards (was ",
                         status->size(), "); finished runs are kept");
  } else if (absl::IsNotFound(status.status())) {
    *note = "plan written";
  } else if (absl::IsFailedPrecondition(status.status())) {
    *note = "plan rewritten: the experiment's run list changed";
  } else {
    return status.status();  // malformed plan: the user should look at it
  }
  RETURN_IF_ERROR(WritePlan(e, o.tier, o.shards, o.driver));
  return PlanStatus(e, o.tier, o.driver);
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
  // Written beside and renamed over: writing in place would fail with
  // ETXTBSY (or corrupt) a copy that running jobs are executing.
  const std::string tmp = absl::StrCat(dir, "/.repro.tmp.", ::getpid());
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0) return absl::ErrnoToStatus(errno, tmp + ": open for write");
  const char* p = bytes.data();
  size_t left = bytes.size();
  int err = 0;
  while (left > 0 && err == 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) {
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  // fchmod: the umask may have cleared execute bits that jobs need.
  if (err == 0 && ::fchmod(fd, 0755) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), dest.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return absl::ErrnoToStatus(err, absl::StrCat(dest,
                                                 ": installing a copy "
                                                 "of the running binary"));
  }
  return dest;
}

std::string SbatchHeader(const SubmitOptions& o, const std::string& job_name,
                         const std::string& log) {
  std::string h = absl::StrCat("#SBATCH --job-name=", job_name, "\n");
  absl::StrAppend(&h, "#SBATCH --output=", log, "\n");
  if (!o.partition.empty())
    absl::StrAppend(&h, "#SBATCH --partition=", o.partition, "\n");
  if (!o.time.empty()) absl::StrAppend(&h, "#SBATCH --time=", o.time, "\n");
  return h;
}

struct Scripts {
  std::string array_path, array_text, merge_path, merge_text;
};

Scripts MakeScripts(const Experiment& e, const SubmitOptions& o,
                    const std::string& repro, const std::vector<int>& pending) {
  const std::string& out = o.driver.out_dir;
  const std::string tier = TierName(o.tier);
  const std::string stem = absl::StrCat(e.Name(), ".", tier);
  const std::string logs = out + "/slurm/logs/";
  Scripts s;
  s.array_path = absl::StrCat(out, "/slurm/", stem, ".array.sbatch");
  s.merge_path = absl::StrCat(out, "/slurm/", stem, ".merge.sbatch");
  s.array_text = absl::StrCat(
      "#!/bin/bash\n",
      "# Written by `repro submit`. Task i trains the runs of shard i of\n",
      "# ", out, "/plans/", stem, ".json (runs i, i+", o.shards, ", ...);\n",
      "# finished runs are skipped, so resubmitting is always safe.\n",
      SbatchHeader(o, absl::StrCat("repro-", stem),
                   absl::StrCat(logs, stem, ".shard-%a.%A.out")),
      "#SBATCH --array=", ArraySpec(pending), "\n",
      "#SBATCH --cpus-per-task=", o.cpus_per_task, "\n", "set -euo pipefail\n",
      "exec ", ShellQuote(repro), " run-shard ", ShellQuote(e.Name()),
      " --tier=", tier,
      " --shard=\"${SLURM_ARRAY_TASK_ID}\" --out=", ShellQuote(out),
      " --jobs=", o.cpus_per_task, " --quiet\n");
  s.merge_text = absl::StrCat(
      "#!/bin/bash\n",
      "# Written by `repro submit`. Loads every run of the plan (failing on\n",
      "# a missing one) and writes ", out, "/results/", stem, ".json.\n",
      SbatchHeader(o, absl::StrCat("repro-merge-", stem),
                   absl::StrCat(logs, stem, ".merge.%j.out")),
      "#SBATCH --cpus-per-task=1\n", "set -euo pipefail\n", "exec ",
      ShellQuote(repro), " merge ", ShellQuote(e.Name()), " --tier=", tier,
      " --out=", ShellQuote(out), "\n");
  return s;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::vector<std::string> quoted;
  for (const std::string& a : argv) quoted.push_back(ShellQuote(a));
  return absl::StrJoin(quoted, " ");
}

// `sbatch --parsable` prints "JOBID" or "JOBID;CLUSTER".
absl::StatusOr<std::string> Sbatch(const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(std::string out, RunCommand(argv));
  const std::string id(absl::StripAsciiWhitespace(
      std::vector<std::string>(absl::StrSplit(out, ';'))[0]));
  uint64_t unused;
  if (!absl::SimpleAtoi(id, &unused))
    return absl::InternalError(
        absl::StrCat("`", CommandLine(argv),
                     "`: expected a job id on stdout, found '", out, "'"));
  return id;
}

absl::Status SubmitSlurm(const Experiment& e, const SubmitOptions& o,
                         const std::string& repro,
                         const std::vector<int>& pending) {
  const Scripts s = MakeScripts(e, o, repro, pending);
  RETURN_IF_ERROR(MakeDirs(o.driver.out_dir + "/slurm/logs"));
  if (!pending.empty())
    RETURN_IF_ERROR(WriteFileAtomic(s.array_path, s.array_text));
  RETURN_IF_ERROR(WriteFileAtomic(s.merge_path, s.merge_text));

  const std::vector<std::string> array_cmd = {"sbatch", "--parsable",
                                              s.array_path};
  // --kill-on-invalid-dep: if a shard fails, cancel the merge instead of
  // leaving it pending forever (DependencyNeverSatisfied); `repro status`
  // then shows what is missing and a resubmission retries only that.
  auto merge_cmd = [&](const std::string& array_id) {
    std::vector<std::string> cmd = {"sbatch", "--parsable"};
    if (!array_id.empty()) {
      cmd.push_back("--dependency=afterok:" + array_id);
      cmd.push_back("--kill-on-invalid-dep=yes");
    }
    cmd.push_back(s.merge_path);
    return cmd;
  };

  if (o.dry_run) {
    if (!pending.empty())
      std::printf("--- %s\n%s", s.array_path.c_str(), s.array_text.c_str());
    std::printf("--- %s\n%s---\n", s.merge_path.c_str(), s.merge_text.c_str());
    if (!pending.empty()) {
      std::printf("would run: %s\n", CommandLine(array_cmd).c_str());
      std::printf("would run: %s\n",
                  CommandLine(merge_cmd("ARRAY_JOB_ID")).c_str());
    } else {
      std::printf("would run: %s\n", CommandLine(merge_cmd("")).c_str());
    }
    return absl::OkStatus();
  }

  std::string array_id;
  if (!pending.empty()) {
    ASSIGN_OR_RETURN(array_id, Sbatch(array_cmd));
    std::printf("  array job %s: %s %s (%s)\n", array_id.c_str(),
                pending.size() == 1 ? "shard" : "shards",
                ArraySpec(pending).c_str(), s.array_path.c_str());
  }
  absl::StatusOr<std::string> merge_id = Sbatch(merge_cmd(array_id));
  if (!merge_id.ok()) {
    if (array_id.empty()) return merge_id.status();
    return absl::Status(
        merge_id.status().code(),
        absl::StrCat(merge_id.status().message(), " (array job ", array_id,
                     " was submitted; `scancel ", array_id,
                     "` or submit again once sbatch works)"));
  }
  std::printf("  merge job %s%s (%s)\n", merge_id->c_str(),
              array_id.empty() ? "" : absl::StrCat(" after ", array_id).c_str(),
              s.merge_path.c_str());
  std::printf("  logs:   %s/slurm/logs/\n", o.driver.out_dir.c_str());
  std::printf("  status: %s status %s --tier=%s --out=%s\n", repro.c_str(),
              e.Name().c_str(), TierName(o.tier).c_str(),
              ShellQuote(o.driver.out_dir).c_str());
  return absl::OkStatus();
}

absl::Status RunLocal(const Experiment& e, const SubmitOptions& o,
                      const std::vector<int>& pending) {
  if (o.dry_run) {
    if (!pending.empty())
      std::printf("would run shards %s here (--jobs=%d each), then merge\n",
                  ArraySpec(pending).c_str(), o.driver.jobs);
    else
      std::printf("would merge\n");
    return absl::OkStatus();
  }
  for (int shard : pending)
    RETURN_IF_ERROR(RunShard(e, o.tier, shard, o.driver));
  ASSIGN_OR_RETURN(nlohmann::json result, MergeShards(e, o.tier, o.driver));
  std::printf("%s", VerdictTable({result}).c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSlurmTime(const std::string& time) {
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "--time=", time,
      ": expected HH:MM:SS or D-HH:MM:SS, not zero (e.g. 02:00:00 or "
      "1-12:00:00)"));
  absl::string_view rest = time;
  int days = 0;
  const size_t dash = rest.find('-');
  if (dash != absl::string_view::npos) {
    if (!IsDigits(rest.substr(0, dash), 1, 3) ||
        !absl::SimpleAtoi(rest.substr(0, dash), &days))
      return bad;
    rest.remove_prefix(dash + 1);
  }
  const std::vector<absl::string_view> hms = absl::StrSplit(rest, ':');
  if (hms.size() != 3) return bad;
  // With days, hours are 00-23; without, Slurm accepts any hour count.
  if (!IsDigits(hms[0], 2, dash == absl::string_view::npos ? 4 : 2) ||
      !IsDigits(hms[1], 2, 2) || !IsDigits(hms[2], 2, 2))
    return bad;
  int h = 0, m = 0, s = 0;
  if (!absl::SimpleAtoi(hms[0], &h) || !absl::SimpleAtoi(hms[1], &m) ||
      !absl::SimpleAtoi(hms[2], &s))
    return bad;
  if ((dash != absl::string_view::npos && h > 23) || m > 59 || s > 59)
    return bad;
  // Slurm reads a zero limit as "no limit", never what a typo meant.
  if (days == 0 && h == 0 && m == 0 && s == 0) return bad;
  return absl::OkStatus();
}

std::string ArraySpec(const std::vector<int>& shards) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < shards.size();) {
    size_t j = i;
    while (j + 1 < shards.size() && shards[j + 1] == shards[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(shards[i])
                           : absl::StrCat(shards[i], "-", shards[j]));
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

std::string ShellQuote(const std::string& arg) {
  const bool safe =
      !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
               std::strchr("_@%+=:,./-", c) != nullptr;
      });
  if (safe) return arg;
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv) {
  const std::string shown = CommandLine(argv);
  if (argv.empty()) return absl::InvalidArgumentError("RunCommand: empty argv");
  // Built before fork: the child may only call async-signal-safe functions.
  std::vector<char*> cargv;
  for (const std::string& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("`", shown, "`: pipe"));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return absl::ErrnoToStatus(e, absl::StrCat("`", shown, "`: pipe"));
  }
  // Closed by a successful exec; otherwise carries the child's errno.
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      ::close(fd);
    return absl::ErrnoToStatus(e, absl::StrCat("`", shown, "`: pipe"));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1],
                   exec_pipe[0], exec_pipe[1]})
      ::close(fd);
    return absl::ErrnoToStatus(e, absl::StrCat("`", shown, "`: fork"));
  }
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(cargv[0], cargv.data());
    const int e = errno;
    (void)!::write(exec_pipe[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);

  // Both pipes are drained together so a chatty child never blocks on a
  // full pipe that we are not reading.
  std::string out, err;
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& p : fds)
    if (p.fd >= 0) ::close(p.fd);
  int exec_errno = 0;
  const bool exec_failed =
      ::read(exec_pipe[0], &exec_errno, sizeof(exec_errno)) ==
      static_cast<ssize_t>(sizeof(exec_errno));
  ::close(exec_pipe[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed)
    return absl::FailedPreconditionError(absl::StrCat(
        "`", shown, "`: cannot run ", argv[0], ": ", std::strerror(exec_errno),
        exec_errno == ENOENT ? " (is it installed and on PATH?)" : ""));
  const std::string stderr_text(absl::StripAsciiWhitespace(err));
  if (WIFSIGNALED(wstatus))
    return absl::InternalError(absl::StrCat("`", shown, "` killed by signal ",
                                            WTERMSIG(wstatus), ": ",
                                            stderr_text));
  if (WEXITSTATUS(wstatus) != 0)
    return absl::FailedPreconditionError(
        absl::StrCat("`", shown, "` exited with status ", WEXITSTATUS(wstatus),
                     stderr_text.empty() ? "" : ": ", stderr_text));
  return out;
}

int RunSubmitCommand(const std::vector<std::string>& args) {
  absl::StatusOr<SubmitOptions> o = ReadOptions();
  if (!o.ok()) return Fail(o.status());
  if (args.empty())
    return Usage(
        "name one or more experiments (or all); `repro list` shows them");
  std::vector<std::string> names = args;
  if (names.size() == 1 && names[0] == "all") names = ExperimentNames();
  std::vector<std::unique_ptr<Experiment>> experiments;
  for (const std::string& name : names) {
    absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(name);
    if (!e.ok()) return Usage(std::string(e.status().message()));
    experiments.push_back(std::move(*e));
  }

  std::string repro;
  if (o->engine == "slurm") {
    absl::StatusOr<std::string> installed = InstallBinary(o->driver.out_dir);
    if (!installed.ok()) return Fail(installed.status());
    repro = *installed;
  }
  for (const auto& e : experiments) {
    std::string note;
    absl::StatusOr<std::vector<ShardStatus>> status = EnsurePlan(*e, *o, &note);
    if (!status.ok()) return Fail(status.status());
    // Shard ids come from the position: PlanStatus leaves `shard` at 0 for
    // shards that own no run (more shards than runs).
    std::vector<int> pending;
    int64_t done = 0, to_train = 0;
    for (size_t i = 0; i < status->size(); ++i) {
      const ShardStatus& s = (*status)[i];
      done += s.done;
      to_train += s.missing + s.corrupt;
      if (s.missing + s.corrupt > 0) pending.push_back(static_cast<int>(i));
    }
    std::printf("%s (%s): %s; %d shards, %lld runs done, %lld to train%s%s\n",
                e->Name().c_str(), TierName(o->tier).c_str(), note.c_str(),
                o->shards, static_cast<long long>(done),
                static_cast<long long>(to_train),
                pending.empty()       ? ""
                : pending.size() == 1 ? " in shard "
                                      : " in shards ",
                ArraySpec(pending).c_str());
    const absl::Status s = o->engine == "slurm"
                               ? SubmitSlurm(*e, *o, repro, pending)
                               : RunLocal(*e, *o, pending);
    if (!s.ok()) return Fail(s);
    std::printf("  result: %s\n",
                ResultPath(o->driver, e->Name(), o->tier).c_str());
  }
  return 0;
}

}  // namespace initrepro
