// Linear fits of the circle dynamics (P1 Section 4.3, analysis/odes/):
//   Y = X W^T + b, one row per sample, with X = S(t) and Y = S(t+1) - S(t).
//
// Two fitters, both with an intercept:
//   FitLeastSquares  ordinary least squares (Eigen, complete orthogonal
//                    decomposition of the centred X: the minimum-norm
//                    solution when X is rank deficient, as scipy's lstsq
//                    under scikit-learn's LinearRegression).
//   FitLasso         scikit-learn 1.2's Lasso: minimises, per output column
//                    independently (sklearn's Lasso with a 2-D y fits each
//                    target separately), (1/(2n))||y - Xw - b||^2 +
//                    alpha ||w||_1, by cyclic coordinate descent over the
//                    features in order on the centred data, from w = 0,
//                    stopping when the largest coefficient update relative to
//                    the largest coefficient is below tol and the duality gap
//                    is below tol * ||y_centred||^2, or after max_iter sweeps
//                    (sklearn's cd_fast.enet_coordinate_descent).
// R2Score is scikit-learn's r2_score with multioutput="uniform_average"
// (a constant column scores 1 when predicted exactly, else 0).
//
// Reproducibility: every sum runs in a fixed order; Eigen is built without
// explicit vectorisation or threads (third_party/system.BUILD), so the bits
// do not depend on the machine. Agreement with scikit-learn (which sums
// through BLAS) is to rounding, pinned in ode_fit_test.
//
// Thread-safety: pure functions.
#ifndef INITREPRO_SRC_ANALYSIS_ODE_FIT_H_
#define INITREPRO_SRC_ANALYSIS_ODE_FIT_H_

#include <cstdint>
#include <vector>

#include "src/core/matrix.h"

namespace initrepro {

struct LinearFit {
  Matrix coef;                     // (outputs, features): A when X = S(t)
  std::vector<double> intercept;   // (outputs): b
  std::vector<int64_t> n_iter;     // Lasso: sweeps per output; empty for OLS
  bool converged = true;           // Lasso: every output met the gap rule
};

// X: (n, features), Y: (n, outputs), n >= 1.
LinearFit FitLeastSquares(const Matrix& x, const Matrix& y);

struct LassoOptions {
  double alpha = 0.01;  // P1's
  double tol = 1e-4;    // sklearn's default
  int64_t max_iter = 1000;
};
LinearFit FitLasso(const Matrix& x, const Matrix& y,
                   const LassoOptions& options = {});

// X W^T + b: (n, outputs).
Matrix Predict(const LinearFit& fit, const Matrix& x);

// scikit-learn's r2_score(y_true, y_pred), uniform average over columns.
double R2Score(const Matrix& y_true, const Matrix& y_pred);

// P1's rollout (utils.py rollout_ode_traj): S(0) = s0, S(t+1) = S(t) +
// A S(t) + b, for t < steps; returns (steps + 1, outputs), row 0 = s0.
// Requires the fit to map its outputs to its own features (square coef).
Matrix RollOut(const LinearFit& fit, const std::vector<double>& s0,
               int64_t steps);

}  // namespace initrepro

#endif  // INITREPRO_SRC_ANALYSIS_ODE_FIT_H_
