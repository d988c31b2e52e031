// Running an external program, without a shell.
//
// The one way this project starts a process (gnuplot for figures, git for
// the report's commit line, sbatch/scontrol for Slurm). The program gets an
// argument vector, never a command string, so any byte a path may hold (a
// quote, `$`, a space, a newline) reaches it unchanged and nothing is ever
// interpreted. The working directory is set in the child (chdir after fork),
// so the caller's process never changes directory and threads are unaffected.
//
//   ProcessOptions o;
//   o.cwd = dir;
//   ASSIGN_OR_RETURN(ProcessResult r, RunProcess({"gnuplot", "x.gp"}, o));
//   if (r.exit_code != 0) ... r.stderr_text ...
//
// Thread-safety: safe to call from several threads; the child only calls
// async-signal-safe functions between fork and exec (the program is looked
// up on PATH before the fork).
#ifndef INITREPRO_SRC_IO_SUBPROCESS_H_
#define INITREPRO_SRC_IO_SUBPROCESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace initrepro {

struct ProcessOptions {
  std::string cwd;  // "" : the caller's working directory
};

struct ProcessResult {
  int exit_code = 0;  // WEXITSTATUS; -1 when killed by a signal
  int signal = 0;     // the terminating signal, 0 when it exited
  std::string stdout_text, stderr_text;
};

// Runs argv[0] (searched on PATH when it has no '/') with argv, stdin from
// /dev/null, stdout and stderr captured (both drained together, so a chatty
// child never blocks). Returns the exit code and both outputs; a non-zero
// exit is NOT an error here (see RunProcessOk). Errors: InvalidArgument for
// an empty argv; NotFound when argv[0] is not found on PATH; FailedPrecondition
// when the program cannot be started (exec fails) or `cwd` cannot be entered,
// the message naming the program (and the directory) with strerror; other
// codes from errno for pipe/fork failures.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options = {});

// RunProcess, and a signal or a non-zero exit status becomes an error:
// FailedPrecondition "`CMD` exited with status N: STDERR" (Internal for a
// signal). Returns stdout.
absl::StatusOr<std::string> RunProcessOk(const std::vector<std::string>& argv,
                                         const ProcessOptions& options = {});

// The absolute path of `program` on PATH (or `program` itself when it
// contains '/'), if it names an executable regular file; "" otherwise.
std::string FindOnPath(const std::string& program);

// `arg` quoted for a POSIX shell (unchanged when it needs no quoting): for
// showing a command to a human, and for the bash lines of the generated
// Slurm scripts (single quotes, '\'' for a quote). Never used to start a
// process from this program: RunProcess takes an argument vector.
std::string ShellQuote(const std::string& arg);
std::string CommandLine(const std::vector<std::string>& argv);

}  // namespace initrepro

#endif  // INITREPRO_SRC_IO_SUBPROCESS_H_
