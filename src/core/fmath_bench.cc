// Throughput of the fmath array kernels at each SIMD level, and of the scalar
// functions for comparison. The "time/elem" counter is time per element.
//
//   bazel run -c opt //src/core:fmath_bench
//
// 300000 elements is the size of one training step's activations; 4096 stays
// in L1/L2 and shows the arithmetic alone.
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "src/core/fmath.h"
#include "src/core/simd.h"

namespace initrepro::fmath {
namespace {

// Values typical of pre-activations, from a fixed LCG (no dependence on the
// library's random number code).
std::vector<double> Inputs(size_t n, double lo, double hi) {
  std::vector<double> values(n);
  uint64_t state = 0x9e3779b97f4a7c15;
  for (double& v : values) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    v = lo + (hi - lo) * static_cast<double>(state >> 11) * 0x1p-53;
  }
  return values;
}

void SetPerElementCounters(benchmark::State& state, size_t n) {
  const double elements = static_cast<double>(n) * state.iterations();
  state.SetItemsProcessed(static_cast<int64_t>(elements));
  // Printed with an SI prefix, e.g. "time/elem=794.4ps".
  state.counters["time/elem"] = benchmark::Counter(
      elements, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// range(0): SimdLevel, range(1): number of elements.
template <void (*kArrayFunction)(absl::Span<const double>, absl::Span<double>)>
void BM_Array(benchmark::State& state) {
  const auto level = static_cast<SimdLevel>(state.range(0));
  if (static_cast<int>(level) > static_cast<int>(DetectSimd())) {
    state.SkipWithError("SIMD level not supported by this CPU");
    return;
  }
  SetSimdOverride(level);
  const size_t n = static_cast<size_t>(state.range(1));
  const std::vector<double> in = Inputs(n, -20.0, 20.0);
  std::vector<double> out(n);
  for (auto _ : state) {
    kArrayFunction(in, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(SimdLevelName(level));
  SetPerElementCounters(state, n);
  SetSimdOverride(DetectSimd());
}

// Scalar function in a loop; range(0) as above (kScalar = libm's fma).
template <double (*kFunction)(double)>
void BM_Scalar(benchmark::State& state) {
  const auto level = static_cast<SimdLevel>(state.range(0));
  if (static_cast<int>(level) > static_cast<int>(DetectSimd())) {
    state.SkipWithError("SIMD level not supported by this CPU");
    return;
  }
  SetSimdOverride(level);
  const size_t n = 4096;
  const std::vector<double> in = Inputs(n, 0.01, 20.0);
  std::vector<double> out(n);
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) out[i] = kFunction(in[i]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(SimdLevelName(level));
  SetPerElementCounters(state, n);
  SetSimdOverride(DetectSimd());
}

void ArrayArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"simd", "n"})->ArgsProduct({{0, 1, 2}, {4096, 300000}});
}

BENCHMARK_TEMPLATE(BM_Array, ExpArray)->Apply(ArrayArgs);
BENCHMARK_TEMPLATE(BM_Array, SigmoidArray)->Apply(ArrayArgs);
BENCHMARK_TEMPLATE(BM_Scalar, Exp)->ArgName("simd")->DenseRange(0, 1);
BENCHMARK_TEMPLATE(BM_Scalar, Log)->ArgName("simd")->DenseRange(0, 1);
BENCHMARK_TEMPLATE(BM_Scalar, Sin)->ArgName("simd")->DenseRange(0, 1);
BENCHMARK_TEMPLATE(BM_Scalar, Sigmoid)->ArgName("simd")->DenseRange(0, 1);

}  // namespace
}  // namespace initrepro::fmath
