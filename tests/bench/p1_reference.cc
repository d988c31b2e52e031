#include "tests/bench/p1_reference.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/io/subprocess.h"

namespace initrepro {
namespace {

constexpr char kPython[] = "/usr/bin/python3";  // Debian's, with python3-torch
constexpr char kInstallTorch[] = "apt-get install python3-torch";
constexpr char kWorkspace[] = "initrepro";
constexpr char kP1Script[] = "tests/bench/pytorch_reference_step.py";

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

absl::Status CheckP1Python() {
  if (::access(kPython, X_OK) == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(kPython, " not found: ", kInstallTorch,
                   " (Debian's PyTorch 1.13 and its python3)"));
}

absl::StatusOr<std::string> P1ScriptPath() {
  std::vector<std::string> roots;
  for (const char* var : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') roots.push_back(v);
  }
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0)
    roots.push_back(std::string(exe, static_cast<size_t>(n)) + ".runfiles");
  std::vector<std::string> tried;
  for (const std::string& root : roots) {
    const std::string path =
        absl::StrCat(root, "/", kWorkspace, "/", kP1Script);
    if (IsRegularFile(path)) return path;
    tried.push_back(path);
  }
  return absl::NotFoundError(absl::StrCat(
      kP1Script, " is not in this binary's runfiles (tried ",
      absl::StrJoin(tried, ", "),
      "); build and run it with Bazel: bazel run -c opt "
      "//tests/bench:train_step_bench"));
}

absl::StatusOr<P1Step> ParseP1Output(absl::string_view out) {
  P1Step p1;
  std::map<std::string, std::string> kv;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::ConsumePrefix(&line, "torch ")) {
      p1.torch = std::string(line.substr(0, line.find(',')));
    } else if (absl::ConsumePrefix(&line, "BLAS mapped: ")) {
      std::vector<std::string> names;
      if (line != "none found")
        for (absl::string_view lib : absl::StrSplit(line, ", "))
          names.emplace_back(lib.substr(lib.rfind('/') + 1));
      p1.blas = absl::StrJoin(names, " ");
    } else if (absl::StartsWith(line, "ms_per_step=")) {
      kv.clear();  // the last timing line wins
      for (absl::string_view field :
           absl::StrSplit(line, ' ', absl::SkipEmpty())) {
        std::pair<std::string, std::string> f =
            absl::StrSplit(field, absl::MaxSplits('=', 1));
        kv[f.first] = f.second;
      }
    }
  }
  const auto bad = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(
        kP1Script, ": ", what,
        " (expected a line `ms_per_step=W cpu_ms_per_step=C threads=T "
        "steps=S`); its output was:\n",
        out));
  };
  if (kv.empty()) return bad("no ms_per_step= line");
  if (!absl::SimpleAtod(kv["ms_per_step"], &p1.wall_ms) ||
      !absl::SimpleAtod(kv["cpu_ms_per_step"], &p1.cpu_ms) ||
      !absl::SimpleAtoi(kv["threads"], &p1.threads) ||
      !absl::SimpleAtoi(kv["steps"], &p1.steps))
    return bad("ms_per_step, cpu_ms_per_step, threads or steps is not a number");
  if (!(p1.wall_ms > 0) || !(p1.cpu_ms > 0))
    return bad("ms_per_step and cpu_ms_per_step must be > 0");
  return p1;
}

absl::StatusOr<P1Step> RunP1Step(const std::string& script, int steps) {
  if (absl::Status ok = CheckP1Python(); !ok.ok()) return ok;
  // The thread variables are set for the child only, by env(1): no shell,
  // and this process's environment is untouched (setenv is not thread-safe).
  const std::vector<std::string> argv = {"/usr/bin/env",
                                         "OMP_NUM_THREADS=1",
                                         "MKL_NUM_THREADS=1",
                                         "OPENBLAS_NUM_THREADS=1",
                                         kPython,
                                         script,
                                         "--steps",
                                         std::to_string(steps),
                                         "--warmup",
                                         "3"};
  absl::StatusOr<ProcessResult> r = RunProcess(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0 || r->signal != 0) {
    if (absl::StrContains(r->stderr_text, "No module named 'torch'"))
      return absl::FailedPreconditionError(
          absl::StrCat(kPython, " cannot import torch: ", kInstallTorch));
    return absl::FailedPreconditionError(absl::StrCat(
        "`", CommandLine(argv), "` ",
        r->signal != 0 ? absl::StrCat("killed by signal ", r->signal)
                       : absl::StrCat("exited with status ", r->exit_code),
        ": ", r->stderr_text));
  }
  absl::StatusOr<P1Step> p1 = ParseP1Output(r->stdout_text);
  if (!p1.ok()) return p1.status();
  if (p1->threads != 1)
    return absl::FailedPreconditionError(absl::StrCat(
        kP1Script, " ran with threads=", p1->threads, ", expected 1"));
  return p1;
}

}  // namespace initrepro
