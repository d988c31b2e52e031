// Benchmarks: one full training step (Forward + Backward + AdamW) at the
// paper's default model (modadd p = 59, d = 128, hidden 100, full batch of
// 2784 training pairs), its two halves, and each GEMM of the step on its
// own, on every SIMD level the CPU has.
//
//   bazel run -c opt //tests/bench:train_step_bench
//   bazel run -c opt //tests/bench:train_step_bench --
//       --benchmark_filter='TrainStep/simd:2/threads:1'   (one command)
//
//   BM_TrainStep/simd:S/threads:T/fused:F   S: 2 avx512, 1 avx2, 0 scalar;
//       fused 0 = Mlp::Forward then Mlp::Backward,
//       fused 1 = Mlp::ForwardBackward (same bits, one pass over the batch;
//       what the trainer's Step calls).
//   BM_ForwardOrBackward/backward:B/threads:T
//   BM_Gemm/case:C/simd:S   the step's products, called as the model calls
//       them (chunk by chunk, operands cache-resident as in ForwardBackward).
//   BM_P1PyTorchStep/p1_steps:P/ours_steps:O   the speed ratio in one run:
//       O of our trainer's steps (best SIMD level, one thread, fused), then
//       P of P1's model in PyTorch (pytorch_reference_step.py, found in this
//       binary's runfiles) in a child process on one thread, started without
//       a shell (p1_reference.h). Needs Debian's torch (`apt-get install
//       python3-torch`); without it the benchmark is skipped with that
//       message. Time column: P1's wall ms/step (CPU column: ~0, the
//       work is in the child). Label: torch and the BLAS the child mapped
//       (the ratio depends on it). --benchmark_repetitions=N gives N
//       back-to-back pairs and their medians.
//
//     bazel run -c opt //tests/bench:train_step_bench --
//         --benchmark_filter=P1PyTorchStep --benchmark_repetitions=5
//
// Counters:
//   ms, cpu_ms   wall and (calling thread's) CPU time per iteration; the
//                machine is shared, so with one thread the rates below use
//                cpu_ms, with several threads wall time.
//   GFLOP/s      FLOPs counted analytically: 2*M*N*K for every GEMM (the
//                elementwise work, sigmoid, softmax and AdamW are not
//                counted, though they take time).
//   peak_frac    GFLOP/s over the float64 FMA peak of the cores used:
//                cores * 2 FMA pipes * 8 doubles (AVX-512) * 2 flops * GHz,
//                GHz *measured* at startup (a chain of dependent register
//                adds retires one per cycle, timed in thread CPU time;
//                /proc/cpuinfo shows only the nominal 2100 MHz under this
//                hypervisor). The AVX-512 peak is the reference on every
//                SIMD level. (A pure 512-bit FMA loop reaches ~92 % of it:
//                the core clocks lower under AVX-512 load.)
//   BM_P1PyTorchStep only:
//   ours_ms, ours_cpu_ms, ours_peak_frac   our step, as above
//   p1_ms, p1_cpu_ms   P1's step in the child (wall; the child's CPU time)
//   speedup_vs_p1      p1_cpu_ms / ours_cpu_ms (one thread each, so CPU
//                      time; > 1 means ours is faster)
//   speedup_vs_p1_wall p1_ms / ours_ms
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "src/core/simd.h"
#include "src/kernels/gemm.h"
#include "src/model/adamw.h"
#include "src/model/mlp.h"
#include "src/model/params.h"
#include "src/tasks/task.h"
#include "src/train/config.h"
#include "src/train/trainer.h"
#include "tests/bench/p1_reference.h"

namespace initrepro {
namespace {

// Seconds of CPU time this thread has used: unlike wall time it does not
// grow while the (shared) machine runs someone else's process.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}

// Core clock in GHz: best of several runs of 4 dependent `add`s per loop
// iteration (1 cycle each; reg-reg adds are not eliminated by renaming),
// timed in thread CPU time.
double MeasureGhz() {
  double best = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    uint64_t x = 1;
    const uint64_t n = 50'000'000;
    const double t0 = ThreadCpuSeconds();
    for (uint64_t i = 0; i < n; ++i) {
      asm volatile(
          "add %0, %0\n\t"
          "add %0, %0\n\t"
          "add %0, %0\n\t"
          "add %0, %0"
          : "+r"(x));
    }
    const double s = ThreadCpuSeconds() - t0;
    best = std::max(best, 4.0 * static_cast<double>(n) / s / 1e9);
  }
  return best;
}

double Ghz() {
  static const double ghz = [] {
    const double g = MeasureGhz();
    std::fprintf(stderr,
                 "measured clock %.2f GHz -> float64 peak %.1f GFLOP/s per "
                 "core (2 FMA pipes x 8 doubles x 2 flops)\n",
                 g, 32.0 * g);
    return g;
  }();
  return ghz;
}

double PeakGflops(int cores) { return cores * 2.0 * 8.0 * 2.0 * Ghz(); }

bool LevelAvailable(int64_t level) {
  return level <= static_cast<int64_t>(DetectSimd());
}

// Counters shared by both benchmarks, per iteration: ms (wall), cpu_ms (this
// thread's CPU time), and GFLOP/s and peak_frac from cpu_ms when one thread
// works (robust on a shared, busy machine) or from wall time when several do.
class Timer {
 public:
  Timer()
      : wall0_(std::chrono::steady_clock::now()), cpu0_(ThreadCpuSeconds()) {}
  void Report(benchmark::State& state, double flops, int cores) {
    const double iterations =
        static_cast<double>(std::max<int64_t>(1, state.iterations()));
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_)
            .count() / iterations;
    const double cpu = (ThreadCpuSeconds() - cpu0_) / iterations;
    const double seconds = cores == 1 ? cpu : wall;
    const double gflops = flops / seconds / 1e9;
    state.counters["ms"] = wall * 1e3;
    state.counters["cpu_ms"] = cpu * 1e3;
    state.counters["GFLOP/s"] = gflops;
    state.counters["peak_frac"] = gflops / PeakGflops(cores);
  }

 private:
  std::chrono::steady_clock::time_point wall0_;
  double cpu0_;
};

// ---- The training step ---------------------------------------------------

struct StepSetup {
  TrainConfig config;
  ModelShape shape;
  ParamLayout layout;
  std::vector<double> initial;
  Batch train;

  StepSetup() : config(), shape(*ShapeFor(config)), layout(shape) {
    initial = DrawInitialParams(layout, config);
    const Task task = *MakeTask(config.task);
    const Split split = MakeSplit(shape.vocab, SeedsFor(config).split,
                                  config.train_fraction);
    train = MakeBatch(task, split.train);
  }

  // 2*M*N*K summed over the GEMMs of Forward and of Backward (the table in
  // BM_Gemm lists them).
  double ForwardFlops() const {
    const double v = shape.vocab, d = shape.dim, h = shape.hidden,
                 c = shape.classes, n = static_cast<double>(train.size());
    return 2.0 * (2 * v * h * d   // Ta, Tb
                  + n * h * h     // linear 1 forward
                  + n * c * h);   // linear 2 forward
  }
  double BackwardFlops() const {
    const double v = shape.vocab, d = shape.dim, h = shape.hidden,
                 c = shape.classes, n = static_cast<double>(train.size());
    return 2.0 * (n * h * c        // linear 2 input grad
                  + n * h * h      // linear 1 input grad
                  + c * h * n      // dW2
                  + h * h * n      // dW1
                  + 2 * h * d * v  // dW0 (two halves)
                  + v * d * 2 * h);  // dE
  }
  double Flops() const { return ForwardFlops() + BackwardFlops(); }
};

const StepSetup& Setup() {
  static const StepSetup* setup = new StepSetup();
  return *setup;
}

// fused = 0: Forward, then Backward;
// fused = 1: Mlp::ForwardBackward (same bits, one pass over the batch; what
// src/train/trainer.cc's Step calls).
void BM_TrainStep(benchmark::State& state) {
  const int64_t level = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const bool fused = state.range(2) != 0;
  if (!LevelAvailable(level)) {
    state.SkipWithError("SIMD level not available on this CPU");
    return;
  }
  SetSimdOverride(static_cast<SimdLevel>(level));
  const StepSetup& s = Setup();
  ParamBuffer params(s.layout), grads(s.layout);
  params.values = s.initial;
  Mlp mlp(s.layout, s.train.size(), threads);
  AdamW adam({s.config.lr, 0.9, 0.999, 1e-8, s.config.wd}, s.layout.total(),
             0, s.layout.total());
  state.SetLabel(SimdLevelName(static_cast<SimdLevel>(level)) + " threads " +
                 std::to_string(threads) +
                 (fused ? " ForwardBackward" : " Forward+Backward"));
  Ghz();
  Timer timer;
  for (auto _ : state) {
    if (fused) {
      const CrossEntropyResult r =
          mlp.ForwardBackward(params, s.train, /*embedding_grad=*/true, &grads);
      benchmark::DoNotOptimize(r);
    } else {
      const CrossEntropyResult r = mlp.Forward(params, s.train);
      benchmark::DoNotOptimize(r);
      mlp.Backward(params, s.train, /*embedding_grad=*/true, &grads);
    }
    adam.Step(params.values.data(), grads.values.data());
    benchmark::ClobberMemory();
  }
  timer.Report(state, s.Flops(), threads);
  SetSimdOverride(DetectSimd());
}
BENCHMARK(BM_TrainStep)
    ->ArgNames({"simd", "threads", "fused"})
    ->ArgsProduct({{2, 1, 0}, {1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The two halves of the unfused step on their own (where threads help).
void BM_ForwardOrBackward(benchmark::State& state) {
  const bool backward = state.range(0) != 0;
  const int threads = static_cast<int>(state.range(1));
  const StepSetup& s = Setup();
  ParamBuffer params(s.layout), grads(s.layout);
  params.values = s.initial;
  Mlp mlp(s.layout, s.train.size(), threads);
  mlp.Forward(params, s.train);
  state.SetLabel(std::string(backward ? "Backward" : "Forward") +
                 " threads " + std::to_string(threads));
  Timer timer;
  for (auto _ : state) {
    if (backward) {
      mlp.Backward(params, s.train, /*embedding_grad=*/true, &grads);
    } else {
      benchmark::DoNotOptimize(mlp.Forward(params, s.train));
    }
    benchmark::ClobberMemory();
  }
  timer.Report(state, backward ? s.BackwardFlops() : s.ForwardFlops(),
               threads);
}
BENCHMARK(BM_ForwardOrBackward)
    ->ArgNames({"backward", "threads"})
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---- Each GEMM of the step, called exactly as the model calls it ----------

// n pseudo-random doubles in [-1, 1) starting on a 64-byte boundary, as the
// model's buffers do (padded rows then start on whole cache lines).
class Operand {
 public:
  Operand(int64_t n, uint64_t salt) : storage_(static_cast<size_t>(n) + 8) {
    uint64_t x = 0x9e3779b97f4a7c15ULL ^ salt;
    for (int64_t i = 0; i < n; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      data()[i] =
          static_cast<double>(static_cast<int64_t>(x >> 11)) * 0x1.0p-52 - 1.0;
    }
  }
  double* data() {
    const auto p = reinterpret_cast<uintptr_t>(storage_.data());
    return reinterpret_cast<double*>((p + 63) & ~uintptr_t{63});
  }

 private:
  std::vector<double> storage_;
};

struct GemmCase {
  const char* name;
  int64_t m, n, k;  // per call, before chunking
  int calls;        // per step
};

// V = 59, d = 128, H = 100, C = 59, batch N = 2784; ld of hidden rows 104.
constexpr int64_t kV = 59, kD = 128, kH = 100, kC = 59, kN = 2784,
                  kLd = 104;
const GemmCase kCases[] = {
    {"pair_tables E.W0^T (x2)", kV, kH, kD, 2},
    {"linear1_forward", kN, kH, kH, 1},
    {"linear2_forward", kN, kC, kH, 1},
    {"linear2_input_grad", kN, kH, kC, 1},
    {"linear1_input_grad", kN, kH, kH, 1},
    {"linear2_weight_grad", kC, kH, kN, 1},
    {"linear1_weight_grad", kH, kH, kN, 1},
    {"pair_weight_grad g^T.E (x2)", kH, kD, kV, 2},
    {"embedding_grad g.W0", kV, kD, 2 * kH, 1},
};

void BM_Gemm(benchmark::State& state) {
  const GemmCase& gc = kCases[state.range(0)];
  const int64_t level = state.range(1);
  if (!LevelAvailable(level)) {
    state.SkipWithError("SIMD level not available on this CPU");
    return;
  }
  SetSimdOverride(static_cast<SimdLevel>(level));
  // As in Mlp::ForwardBackward, the batch goes through in chunks of
  // kChunkRows rows whose operands are reused from cache: every chunk here
  // reads and writes the same chunk-sized buffers.
  const int64_t chunk = Mlp::kChunkRows;
  Operand x(chunk * 2 * kH, 1), w(kD * 2 * kH, 2), y0(chunk * kLd, 3),
      bias(kLd, 4), out(std::max(chunk * kLd, kD * 2 * kH), 5);
  const GemmOptions bias_start{ChainStart::kBias, bias.data()};
  auto one_step = [&]() {
    switch (state.range(0)) {
      case 0:  // Gemm(V, H, d) from E (row-major) and W0^T, twice
        for (int i = 0; i < 2; ++i)
          Gemm(kV, kH, kD, RowMajor(x.data(), kD), w.data(), kH, nullptr,
               out.data(), kLd, 1);
        break;
      case 1:
      case 2:  // y = x W^T + b, chunk by chunk
        for (int64_t n0 = 0; n0 < kN; n0 += chunk)
          GemmSerial(std::min(chunk, kN - n0), gc.n, kH, {x.data(), kLd, 1},
                     w.data(), kLd, out.data(), kLd, bias_start);
        break;
      case 3:
      case 4:  // dx = (dy W) * slope, chunk by chunk
        for (int64_t n0 = 0; n0 < kN; n0 += chunk)
          GemmSerial(std::min(chunk, kN - n0), kH, gc.k, {x.data(), kLd, 1},
                     w.data(), kH, out.data(), kLd,
                     {ChainStart::kZero, nullptr, y0.data(), kLd});
        break;
      case 5:
      case 6:  // dW += dy^T x, continued chunk by chunk
        std::fill(out.data(), out.data() + gc.m * kH, 0.0);
        for (int64_t n0 = 0; n0 < kN; n0 += chunk)
          GemmSerial(gc.m, kH, std::min(chunk, kN - n0), {x.data(), 1, kLd},
                     y0.data(), kLd, out.data(), kH, {ChainStart::kContinue});
        break;
      case 7:  // dW0 halves: g^T E, A(h, v) = g[v][h]
        for (int i = 0; i < 2; ++i)
          Gemm(kH, kD, kV, {x.data() + i * kH, 1, 2 * kH}, w.data(), kD,
               nullptr, out.data() + i * kD, 2 * kD, 1);
        break;
      case 8:  // dE = g [W0a; W0b], one chain in two pieces
        GemmSerial(kV, kD, kH, RowMajor(x.data(), 2 * kH), w.data(), 2 * kD,
                   out.data(), kD, {ChainStart::kZero});
        GemmSerial(kV, kD, kH, RowMajor(x.data() + kH, 2 * kH),
                   w.data() + kD, 2 * kD, out.data(), kD,
                   {ChainStart::kContinue});
        break;
    }
  };
  state.SetLabel(std::string(gc.name) + " M=" + std::to_string(gc.m) +
                 " N=" + std::to_string(gc.n) + " K=" + std::to_string(gc.k) +
                 " " + SimdLevelName(static_cast<SimdLevel>(level)));
  Ghz();
  one_step();
  Timer timer;
  for (auto _ : state) {
    one_step();
    benchmark::ClobberMemory();
  }
  timer.Report(state, 2.0 * gc.m * gc.n * gc.k * gc.calls, 1);
  SetSimdOverride(DetectSimd());
}
BENCHMARK(BM_Gemm)
    ->ArgNames({"case", "simd"})
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7, 8}, {2, 1, 0}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ---- The speed ratio against P1's PyTorch code, in one run ---------------

struct StepTime {
  double wall_ms = 0, cpu_ms = 0;
};

// `steps` of the trainer's step (Mlp::ForwardBackward + AdamW, as
// src/train/trainer.cc's Step) at the CPU's best SIMD level on one thread,
// after 3 untimed ones; CPU time is this thread's.
StepTime TimeOurSteps(int steps) {
  SetSimdOverride(DetectSimd());
  const StepSetup& s = Setup();
  ParamBuffer params(s.layout), grads(s.layout);
  params.values = s.initial;
  Mlp mlp(s.layout, s.train.size(), /*threads=*/1);
  AdamW adam({s.config.lr, 0.9, 0.999, 1e-8, s.config.wd}, s.layout.total(),
             0, s.layout.total());
  auto step = [&] {
    const CrossEntropyResult r =
        mlp.ForwardBackward(params, s.train, /*embedding_grad=*/true, &grads);
    benchmark::DoNotOptimize(r);
    adam.Step(params.values.data(), grads.values.data());
    benchmark::ClobberMemory();
  };
  for (int i = 0; i < 3; ++i) step();
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadCpuSeconds();
  for (int i = 0; i < steps; ++i) step();
  StepTime t;
  t.cpu_ms = (ThreadCpuSeconds() - cpu0) * 1e3 / steps;
  t.wall_ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - wall0)
                  .count() /
              steps;
  return t;
}

// Ours just before P1's, in the same process, so one run gives the ratio
// (the machine's load at that moment hits both). Time column: P1's wall
// ms/step. Not a test: nothing here asserts on time.
void BM_P1PyTorchStep(benchmark::State& state) {
  const int p1_steps = static_cast<int>(state.range(0));
  const int ours_steps = static_cast<int>(state.range(1));
  const auto skip = [&](const absl::Status& status) {
    state.SkipWithError(
        absl::StrCat("P1 PyTorch reference: ", status.message()).c_str());
  };
  // What can be checked without running torch is checked before our steps.
  absl::StatusOr<std::string> script = P1ScriptPath();
  if (const absl::Status ok = CheckP1Python(); !ok.ok()) return skip(ok);
  if (!script.ok()) return skip(script.status());
  Ghz();
  const StepTime ours = TimeOurSteps(ours_steps);
  absl::StatusOr<P1Step> p1 = RunP1Step(*script, p1_steps);
  if (!p1.ok()) return skip(p1.status());
  for (auto _ : state) state.SetIterationTime(p1->wall_ms / 1e3);
  const StepSetup& s = Setup();
  state.counters["ours_ms"] = ours.wall_ms;
  state.counters["ours_cpu_ms"] = ours.cpu_ms;
  state.counters["ours_peak_frac"] =
      s.Flops() / (ours.cpu_ms / 1e3) / 1e9 / PeakGflops(1);
  state.counters["p1_ms"] = p1->wall_ms;
  state.counters["p1_cpu_ms"] = p1->cpu_ms;
  state.counters["speedup_vs_p1"] = p1->cpu_ms / ours.cpu_ms;
  state.counters["speedup_vs_p1_wall"] = p1->wall_ms / ours.wall_ms;
  state.SetLabel(absl::StrCat("ours ", SimdLevelName(DetectSimd()),
                              " vs P1 torch ", p1->torch, " BLAS ",
                              p1->blas.empty() ? "none found" : p1->blas,
                              ", 1 thread each"));
}
BENCHMARK(BM_P1PyTorchStep)
    ->ArgNames({"p1_steps", "ours_steps"})
    ->Args({30, 300})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace initrepro
