#include "src/analysis/circularity.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "src/analysis/fourier.h"
#include "src/core/matrix.h"

namespace initrepro {
namespace {

constexpr double kVanishingRelNorm = 1e-12;

double Norm(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

// Fraction of the energy of E projected on `direction` / ||direction|| that
// lies at frequencies k and p - k.
double EnergyFractionAt(const Matrix& e, const std::vector<double>& direction,
                        double norm, int64_t k) {
  const int64_t p = e.rows;
  std::vector<double> unit(direction.size());
  for (size_t c = 0; c < unit.size(); ++c) unit[c] = direction[c] / norm;
  Matrix projection(p, 1);
  for (int64_t x = 0; x < p; ++x) {
    double s = 0.0;
    for (int64_t c = 0; c < e.cols; ++c) s += e.at(x, c) * unit[c];
    projection.at(x, 0) = s;
  }
  const std::vector<double> power = FourierPower(projection);
  double total = 0.0;
  for (double v : power) total += v;
  const double at_k = 2 * k == p ? power[k] : power[k] + power[p - k];
  return at_k / total;
}

}  // namespace

std::optional<double> Circularity(const Matrix& embedding, int64_t k) {
  const int64_t p = embedding.rows;
  if (k <= 0 || k >= p || std::gcd(k, p) != 1) return std::nullopt;
  double frob = 0.0;
  for (double v : embedding.data) frob += v * v;
  frob = std::sqrt(frob);
  const FourierComponent f = FourierVector(embedding, k);
  const double norm_re = Norm(f.re);
  const double norm_im = Norm(f.im);
  const double tol = kVanishingRelNorm * frob;
  if (!(norm_re > tol) || !(norm_im > tol)) return std::nullopt;
  // The projection's frequency-k coefficient is u . F_k != 0, so the total
  // energy below is positive.
  const double c_re = EnergyFractionAt(embedding, f.re, norm_re, k);
  const double c_im = EnergyFractionAt(embedding, f.im, norm_im, k);
  return std::sqrt((c_re * c_re + c_im * c_im) / 2.0);
}

}  // namespace initrepro
