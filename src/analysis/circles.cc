#include "src/analysis/circles.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace initrepro {

double SurvivalThreshold(const std::vector<double>& signal) {
  double sum = 0.0;
  for (double s : signal) sum += s;
  return 2.0 * (sum / static_cast<double>(signal.size()));
}

std::vector<int64_t> SurvivingCircles(const std::vector<double>& signal) {
  const size_t p = signal.size();
  if (p == 0) return {};
  const double threshold = SurvivalThreshold(signal);
  size_t above = 0;
  for (double s : signal) above += s > threshold ? 1 : 0;
  const size_t n = above / 2;

  std::vector<int64_t> order(p);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(), [&signal](int64_t a, int64_t b) {
    if (signal[a] != signal[b]) return signal[a] > signal[b];
    return a < b;
  });
  std::vector<int64_t> circles;
  circles.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    circles.push_back(std::min(order[2 * i], order[2 * i + 1]));
  }
  return circles;
}

}  // namespace initrepro
