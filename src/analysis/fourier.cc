#include "src/analysis/fourier.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "src/core/fmath.h"
#include "src/core/matrix.h"

namespace initrepro {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The build is -c opt (NDEBUG), so assert() would vanish; a violated
// precondition is a caller bug that must not yield a silent number.
void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "initrepro/analysis/fourier: precondition: %s\n",
                 what);
    std::abort();
  }
}

int64_t ModP(int64_t k, int64_t p) {
  const int64_t m = k % p;
  return m < 0 ? m + p : m;
}

// The representative min(k, p - k) of k's conjugate class, k in [0, p).
int64_t ClassOf(int64_t k, int64_t p) {
  return k == 0 ? 0 : std::min(k, p - k);
}

// k and p - k coincide mod p (k = 0, or k = p/2 for even p): the component
// is a single real frequency with weight 1/p rather than a pair with 2/p.
bool SelfConjugate(int64_t k, int64_t p) { return (2 * k) % p == 0; }

// out[x][c] += factor * (scale * (re[c] cos(2 pi k x/p) - im[c] sin(...))),
// k in [0, p). With re + i im = F_k and scale 2/p (1/p if self-conjugate)
// the bracket is the real projection of E onto frequencies {k, p - k}.
void AddComponent(const std::vector<double>& re, const std::vector<double>& im,
                  int64_t k, double factor, const Twiddles& tw, Matrix* out) {
  const int64_t p = out->rows;
  const int64_t d = out->cols;
  const double scale =
      (SelfConjugate(k, p) ? 1.0 : 2.0) / static_cast<double>(p);
  for (int64_t x = 0; x < p; ++x) {
    const int64_t j = (k * x) % p;
    const double cs = tw.cos[j];
    const double sn = tw.sin[j];
    for (int64_t c = 0; c < d; ++c) {
      const double term = scale * (re[c] * cs - im[c] * sn);
      out->at(x, c) += factor * term;
    }
  }
}

// The distinct conjugate classes of ks (mod p), ascending.
std::set<int64_t> Classes(const std::vector<int64_t>& ks, int64_t p) {
  std::set<int64_t> classes;
  for (int64_t k : ks) classes.insert(ClassOf(ModP(k, p), p));
  return classes;
}

}  // namespace

Twiddles MakeTwiddles(int64_t p) {
  Require(p >= 1, "p >= 1");
  Twiddles tw;
  tw.cos.resize(p);
  tw.sin.resize(p);
  for (int64_t j = 0; j < p; ++j) {
    // Reduce the angle 2 pi j / p to psi = pi num / (2p) in [0, pi/4] with
    // integer arithmetic only, so symmetric angles share one evaluation.
    int64_t m = j;
    double sin_sign = 1.0;
    double cos_sign = 1.0;
    if (2 * m > p) {  // (pi, 2 pi): reflect to 2 pi - angle
      m = p - m;
      sin_sign = -1.0;
    }
    int64_t a = 2 * m;  // angle = pi a / p, now in [0, pi]
    if (2 * a > p) {    // (pi/2, pi]: use pi - angle
      a = p - a;
      cos_sign = -1.0;
    }
    // phi = pi a / p in [0, pi/2].
    const bool swap = 4 * a > p;  // (pi/4, pi/2]: use pi/2 - phi
    const int64_t num = swap ? p - 2 * a : 2 * a;
    const double psi =
        kPi * static_cast<double>(num) / static_cast<double>(2 * p);
    double s = 0.0;
    double c = 0.0;
    fmath::SinCos(psi, &s, &c);
    tw.cos[j] = cos_sign * (swap ? s : c);
    tw.sin[j] = sin_sign * (swap ? c : s);
  }
  return tw;
}

namespace {

FourierComponent FourierVectorWith(const Matrix& e, int64_t k,
                                   const Twiddles& tw) {
  const int64_t p = e.rows;
  const int64_t d = e.cols;
  FourierComponent f{std::vector<double>(d, 0.0), std::vector<double>(d, 0.0)};
  for (int64_t x = 0; x < p; ++x) {
    const int64_t j = (k * x) % p;
    const double cs = tw.cos[j];
    const double sn = tw.sin[j];
    for (int64_t c = 0; c < d; ++c) {
      const double v = e.at(x, c);
      f.re[c] += v * cs;
      // Subtracting (rather than negating a sum) is the same bits, since
      // rounding is sign-symmetric; F_{p-k} is exactly conj(F_k).
      f.im[c] -= v * sn;
    }
  }
  return f;
}

}  // namespace

FourierComponent FourierVector(const Matrix& embedding, int64_t k) {
  Require(embedding.rows >= 1, "embedding has rows");
  const int64_t p = embedding.rows;
  return FourierVectorWith(embedding, ModP(k, p), MakeTwiddles(p));
}

std::vector<double> FourierPower(const Matrix& embedding) {
  Require(embedding.rows >= 1, "embedding has rows");
  const int64_t p = embedding.rows;
  const Twiddles tw = MakeTwiddles(p);
  std::vector<double> power(p);
  for (int64_t k = 0; k < p; ++k) {
    const FourierComponent f = FourierVectorWith(embedding, k, tw);
    double acc = 0.0;
    for (int64_t c = 0; c < embedding.cols; ++c) {
      acc += f.re[c] * f.re[c] + f.im[c] * f.im[c];
    }
    power[k] = acc;
  }
  return power;
}

std::vector<double> FourierSignal(const Matrix& embedding) {
  std::vector<double> s = FourierPower(embedding);
  for (double& v : s) v = std::sqrt(v);
  return s;
}

Matrix ScaleFrequencies(const Matrix& embedding, const std::vector<int64_t>& ks,
                        double alpha) {
  Require(embedding.rows >= 1, "embedding has rows");
  Matrix out = embedding;
  if (alpha == 1.0) return out;
  const int64_t p = embedding.rows;
  const Twiddles tw = MakeTwiddles(p);
  // Every projection is taken of the original E; the classes are orthogonal,
  // so the order only fixes the rounding.
  for (int64_t k : Classes(ks, p)) {
    const FourierComponent f = FourierVectorWith(embedding, k, tw);
    AddComponent(f.re, f.im, k, alpha - 1.0, tw, &out);
  }
  return out;
}

Matrix KeepFrequencies(const Matrix& embedding, const std::vector<int64_t>& ks,
                       bool keep_dc) {
  Require(embedding.rows >= 1, "embedding has rows");
  const int64_t p = embedding.rows;
  std::set<int64_t> classes = Classes(ks, p);
  if (keep_dc) classes.insert(0);
  const Twiddles tw = MakeTwiddles(p);
  Matrix out(p, embedding.cols);
  for (int64_t k : classes) {
    const FourierComponent f = FourierVectorWith(embedding, k, tw);
    AddComponent(f.re, f.im, k, 1.0, tw, &out);
  }
  return out;
}

Matrix EmbeddingFromCircles(int64_t p, int64_t d,
                            const std::vector<int64_t>& ks,
                            const std::vector<std::vector<double>>& re,
                            const std::vector<std::vector<double>>& im) {
  Require(p >= 1 && d >= 0, "p >= 1, d >= 0");
  Require(re.size() == ks.size() && im.size() == ks.size(),
          "one re and one im per k");
  const Twiddles tw = MakeTwiddles(p);
  Matrix out(p, d);
  for (size_t i = 0; i < ks.size(); ++i) {
    Require(static_cast<int64_t>(re[i].size()) == d &&
                static_cast<int64_t>(im[i].size()) == d,
            "re_i and im_i have length d");
    AddComponent(re[i], im[i], ModP(ks[i], p), 1.0, tw, &out);
  }
  return out;
}

}  // namespace initrepro
