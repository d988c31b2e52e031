// Cost of MA-ode's analysis of one run at P1's scale: least squares and
// the Lasso on 1000 differences of 29 signals (p = 59). Compare with
// tests/bench:train_step_bench (one training step at p = 59, d = 128): the
// analysis must be cheap next to the ~9000 steps that produce its input.
// Run: bazel run -c opt //src/analysis:ode_fit_bench
#include <cmath>

#include "benchmark/benchmark.h"
#include "src/analysis/ode_fit.h"
#include "src/core/matrix.h"

namespace initrepro {
namespace {

constexpr int64_t kSteps = 1000, kSignals = 29;

// Signals shaped like a run's: a few rise to a plateau, the rest decay,
// with a small deterministic wiggle so that the fit is not exact.
Matrix SyntheticSignals() {
  Matrix s(kSteps + 1, kSignals);
  for (int64_t t = 0; t <= kSteps; ++t)
    for (int64_t k = 0; k < kSignals; ++k) {
      const double sign = k % 6 == 0 ? 1.0 : -1.0;
      s.at(t, k) = 30 + 20 * sign * std::tanh((t - 100.0 - 7 * k) / 150.0) +
                   0.3 * std::sin(0.37 * t * (k + 1));
    }
  return s;
}

void Differences(const Matrix& s, Matrix* x, Matrix* y) {
  *x = Matrix(kSteps, kSignals);
  *y = Matrix(kSteps, kSignals);
  for (int64_t t = 0; t < kSteps; ++t)
    for (int64_t k = 0; k < kSignals; ++k) {
      x->at(t, k) = s.at(t, k);
      y->at(t, k) = s.at(t + 1, k) - s.at(t, k);
    }
}

void BM_LeastSquares(benchmark::State& state) {
  Matrix x, y;
  Differences(SyntheticSignals(), &x, &y);
  for (auto _ : state) benchmark::DoNotOptimize(FitLeastSquares(x, y));
}
BENCHMARK(BM_LeastSquares)->Unit(benchmark::kMillisecond);

void BM_Lasso(benchmark::State& state) {
  Matrix x, y;
  Differences(SyntheticSignals(), &x, &y);
  int64_t sweeps = 0;
  for (auto _ : state) {
    const LinearFit fit = FitLasso(x, y);
    for (int64_t n : fit.n_iter) sweeps += n;
    benchmark::DoNotOptimize(fit);
  }
  state.counters["sweeps_per_output"] = benchmark::Counter(
      static_cast<double>(sweeps) / kSignals, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_Lasso)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace initrepro
