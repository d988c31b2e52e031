#include "src/analysis/ode_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "Eigen/Dense"

namespace initrepro {
namespace {

using RowMajor =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "initrepro/analysis/ode_fit: precondition: %s\n",
                 what);
    std::abort();
  }
}

// Column means, summed in row order.
std::vector<double> ColumnMeans(const Matrix& m) {
  std::vector<double> mean(m.cols, 0.0);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) mean[c] += m.at(r, c);
  for (double& v : mean) v /= static_cast<double>(m.rows);
  return mean;
}

Matrix Centred(const Matrix& m, const std::vector<double>& mean) {
  Matrix out = m;
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) out.at(r, c) -= mean[c];
  return out;
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// sklearn 1.2 cd_fast.enet_coordinate_descent with beta = 0 (Lasso), cyclic
// selection, not positive. xt: the centred X by column (features x n);
// y: one centred target; l1 = alpha * n. Returns converged; w in/out.
bool CoordinateDescent(const std::vector<std::vector<double>>& xt,
                       const std::vector<double>& y, double l1, double tol,
                       int64_t max_iter, std::vector<double>* w,
                       int64_t* n_iter) {
  const int64_t f = static_cast<int64_t>(xt.size());
  const int64_t n = static_cast<int64_t>(y.size());
  std::vector<double> norm_cols(f);
  for (int64_t j = 0; j < f; ++j) norm_cols[j] = Dot(xt[j], xt[j]);
  std::vector<double> r = y;  // R = y - X w, w = 0 at the start
  for (int64_t j = 0; j < f; ++j)
    if ((*w)[j] != 0.0)
      for (int64_t i = 0; i < n; ++i) r[i] -= xt[j][i] * (*w)[j];
  const double d_w_tol = tol;
  const double gap_tol = tol * Dot(y, y);
  for (int64_t it = 0; it < max_iter; ++it) {
    double w_max = 0, d_w_max = 0;
    for (int64_t j = 0; j < f; ++j) {
      if (norm_cols[j] == 0.0) continue;
      const double w_j = (*w)[j];
      if (w_j != 0.0)
        for (int64_t i = 0; i < n; ++i) r[i] += w_j * xt[j][i];
      const double tmp = Dot(xt[j], r);
      const double shrunk = std::max(std::fabs(tmp) - l1, 0.0);
      (*w)[j] = (tmp > 0 ? shrunk : tmp < 0 ? -shrunk : 0.0) / norm_cols[j];
      if ((*w)[j] != 0.0)
        for (int64_t i = 0; i < n; ++i) r[i] += -(*w)[j] * xt[j][i];
      d_w_max = std::max(d_w_max, std::fabs((*w)[j] - w_j));
      w_max = std::max(w_max, std::fabs((*w)[j]));
    }
    if (w_max == 0.0 || d_w_max / w_max < d_w_tol || it == max_iter - 1) {
      // The duality gap, sklearn's final stopping rule.
      double dual_norm = 0;
      for (int64_t j = 0; j < f; ++j)
        dual_norm = std::max(dual_norm, std::fabs(Dot(xt[j], r)));
      const double r_norm2 = Dot(r, r);
      double gap, scale;
      if (dual_norm > l1) {
        scale = l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * scale * scale);
      } else {
        scale = 1.0;
        gap = r_norm2;
      }
      double l1_norm = 0;
      for (double v : *w) l1_norm += std::fabs(v);
      gap += l1 * l1_norm - scale * Dot(r, y);  // beta = 0: no L2 term
      if (gap < gap_tol) {
        *n_iter = it + 1;
        return true;
      }
    }
  }
  *n_iter = max_iter;
  return false;
}

}  // namespace

LinearFit FitLeastSquares(const Matrix& x, const Matrix& y) {
  Require(x.rows >= 1 && x.rows == y.rows, "x and y with the same rows >= 1");
  const std::vector<double> x_mean = ColumnMeans(x), y_mean = ColumnMeans(y);
  const Matrix xc = Centred(x, x_mean), yc = Centred(y, y_mean);
  const Eigen::Map<const RowMajor> X(xc.data.data(), xc.rows, xc.cols);
  const Eigen::Map<const RowMajor> Y(yc.data.data(), yc.rows, yc.cols);
  const Eigen::MatrixXd X_col = X;  // column-major copies for the solver
  const Eigen::MatrixXd Y_col = Y;
  const Eigen::MatrixXd W =
      Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(X_col).solve(
          Y_col);  // (features, outputs)
  LinearFit fit;
  fit.coef = Matrix(y.cols, x.cols);
  fit.intercept.assign(y.cols, 0.0);
  for (int64_t k = 0; k < y.cols; ++k) {
    double offset = 0;
    for (int64_t j = 0; j < x.cols; ++j) {
      fit.coef.at(k, j) = W(j, k);
      offset += x_mean[j] * W(j, k);
    }
    fit.intercept[k] = y_mean[k] - offset;
  }
  return fit;
}

LinearFit FitLasso(const Matrix& x, const Matrix& y,
                   const LassoOptions& options) {
  Require(x.rows >= 1 && x.rows == y.rows, "x and y with the same rows >= 1");
  const int64_t n = x.rows, f = x.cols;
  const std::vector<double> x_mean = ColumnMeans(x), y_mean = ColumnMeans(y);
  std::vector<std::vector<double>> xt(f, std::vector<double>(n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) xt[j][i] = x.at(i, j) - x_mean[j];
  LinearFit fit;
  fit.coef = Matrix(y.cols, f);
  fit.intercept.assign(y.cols, 0.0);
  fit.n_iter.assign(y.cols, 0);
  for (int64_t k = 0; k < y.cols; ++k) {
    std::vector<double> yk(n);
    for (int64_t i = 0; i < n; ++i) yk[i] = y.at(i, k) - y_mean[k];
    std::vector<double> w(f, 0.0);
    const bool ok = CoordinateDescent(xt, yk, options.alpha * n, options.tol,
                                      options.max_iter, &w, &fit.n_iter[k]);
    fit.converged = fit.converged && ok;
    double offset = 0;
    for (int64_t j = 0; j < f; ++j) {
      fit.coef.at(k, j) = w[j];
      offset += x_mean[j] * w[j];
    }
    fit.intercept[k] = y_mean[k] - offset;
  }
  return fit;
}

Matrix Predict(const LinearFit& fit, const Matrix& x) {
  Require(x.cols == fit.coef.cols, "x has the fit's features");
  Matrix out(x.rows, fit.coef.rows);
  for (int64_t i = 0; i < x.rows; ++i)
    for (int64_t k = 0; k < fit.coef.rows; ++k) {
      double s = 0;
      for (int64_t j = 0; j < x.cols; ++j) s += x.at(i, j) * fit.coef.at(k, j);
      out.at(i, k) = s + fit.intercept[k];
    }
  return out;
}

double R2Score(const Matrix& y_true, const Matrix& y_pred) {
  Require(y_true.rows == y_pred.rows && y_true.cols == y_pred.cols &&
              y_true.rows >= 1 && y_true.cols >= 1,
          "y_true and y_pred of one non-empty shape");
  const std::vector<double> mean = ColumnMeans(y_true);
  double total = 0;
  for (int64_t k = 0; k < y_true.cols; ++k) {
    double ss_res = 0, ss_tot = 0;
    for (int64_t i = 0; i < y_true.rows; ++i) {
      const double e = y_true.at(i, k) - y_pred.at(i, k);
      const double c = y_true.at(i, k) - mean[k];
      ss_res += e * e;
      ss_tot += c * c;
    }
    // sklearn (force_finite): a constant column scores 1 if predicted
    // exactly, else 0.
    total += ss_tot != 0.0 ? 1.0 - ss_res / ss_tot : (ss_res == 0.0 ? 1.0 : 0.0);
  }
  return total / static_cast<double>(y_true.cols);
}

Matrix RollOut(const LinearFit& fit, const std::vector<double>& s0,
               int64_t steps) {
  const int64_t m = fit.coef.rows;
  Require(fit.coef.cols == m && static_cast<int64_t>(s0.size()) == m &&
              steps >= 0,
          "square fit, s0 of its size, steps >= 0");
  Matrix out(steps + 1, m);
  std::copy(s0.begin(), s0.end(), out.row(0).begin());
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t k = 0; k < m; ++k) {
      double s = 0;
      for (int64_t j = 0; j < m; ++j) s += out.at(t, j) * fit.coef.at(k, j);
      out.at(t + 1, k) = out.at(t, k) + (s + fit.intercept[k]);
    }
  return out;
}

}  // namespace initrepro
