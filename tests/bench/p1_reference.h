// P1's training step in PyTorch, timed in a child process: the reference
// side of BM_P1PyTorchStep (train_step_bench.cc).
//
// The child is pytorch_reference_step.py (a `data` dependency, found in the
// runfiles) under Debian's /usr/bin/python3 with python3-torch, started
// without a shell and on one thread:
//
//   /usr/bin/env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
//       /usr/bin/python3 SCRIPT --steps N --warmup 3
//
//   absl::StatusOr<std::string> script = P1ScriptPath();
//   absl::StatusOr<P1Step> p1 = RunP1Step(*script, 30);  // p1->cpu_ms ...
//
// Thread-safety: all functions are safe to call from several threads (each
// run is its own child process).
#ifndef INITREPRO_TESTS_BENCH_P1_REFERENCE_H_
#define INITREPRO_TESTS_BENCH_P1_REFERENCE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace initrepro {

// One timed run of P1's step, as the script reports it.
struct P1Step {
  double wall_ms = 0;   // wall time per step
  double cpu_ms = 0;    // the child's CPU time per step (all its threads)
  int threads = 0;      // torch.get_num_threads() in the child
  int steps = 0;        // timed steps (after the untimed warm-up ones)
  std::string torch = "?";  // torch.__version__
  std::string blas;  // basenames of the BLAS/LAPACK libraries it mapped,
                     // space-separated; "" when none was found
};

// OK when /usr/bin/python3 is an executable; FailedPrecondition otherwise,
// naming it and `apt-get install python3-torch`. (Whether it has torch is
// only known by running it: RunP1Step.)
absl::Status CheckP1Python();

// The reference script in this binary's runfiles: under $RUNFILES_DIR or
// $TEST_SRCDIR when set, else in the .runfiles directory beside the
// executable (bazel run, or bazel-bin/... started by hand). NotFound names
// every path tried.
absl::StatusOr<std::string> P1ScriptPath();

// Reads the script's stdout: "torch V, ..." and "BLAS mapped: A, B" for the
// version and libraries, and the line (the last one the script prints)
//   ms_per_step=W cpu_ms_per_step=C threads=T steps=S
// for the timing. InvalidArgument, quoting the output, when that line is
// missing, a field does not parse, or a time is not > 0.
absl::StatusOr<P1Step> ParseP1Output(absl::string_view out);

// Runs `script` for `steps` timed steps (after 3 untimed) on one thread and
// parses its output. FailedPrecondition naming `apt-get install
// python3-torch` when /usr/bin/python3 is missing or cannot import torch;
// FailedPrecondition with the command and its stderr when it fails
// otherwise or reports threads != 1; ParseP1Output's errors.
absl::StatusOr<P1Step> RunP1Step(const std::string& script, int steps);

}  // namespace initrepro

#endif  // INITREPRO_TESTS_BENCH_P1_REFERENCE_H_
