// ode_fit against scikit-learn 1.2.1 (Debian 12 python3-sklearn): the
// numbers below were printed by src/analysis/ode_fit_sklearn_ref.py on the
// same fixed problem (Lasso(alpha).fit(X, Y) with a 2-D Y, .coef_,
// .intercept_, .score, .n_iter_; LinearRegression().fit(X, Y)). sklearn
// sums through BLAS, we in fixed order: agreement to 1e-12 relative.
#include "src/analysis/ode_fit.h"

#include <cmath>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

constexpr double kTol = 1e-12;

void FixedProblem(Matrix* x, Matrix* y) {
  const int n = 12, f = 3, o = 2;
  const double w[2][3] = {{0.5, -0.25, 0.0625}, {-0.125, 0.375, 0.0}};
  *x = Matrix(n, f);
  *y = Matrix(n, o);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < f; ++j)
      x->at(i, j) = ((i * 7 + j * 3 + i * j) % 11) / 8.0 - 0.5;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < o; ++k) {
      double s = 0;
      for (int j = 0; j < f; ++j) s += x->at(i, j) * w[k][j];
      y->at(i, k) = s + ((i * 5 + k * 3) % 7) / 16.0;
    }
}

void ExpectNear(double got, double want) {
  EXPECT_NEAR(got, want, kTol * std::max(1.0, std::fabs(want))) << want;
}

TEST(OdeFitTest, LassoMatchesScikitLearnAlpha001) {
  Matrix x, y;
  FixedProblem(&x, &y);
  const LinearFit fit = FitLasso(x, y, {0.01, 1e-4, 1000});
  const double coef[2][3] = {
      {0.38338706653991955, -0.26074265032771576, 0.054569150925816136},
      {-0.0, 0.43554985337243407, 0.0}};
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j) ExpectNear(fit.coef.at(k, j), coef[k][j]);
  ExpectNear(fit.intercept[0], 0.198196021619397);
  ExpectNear(fit.intercept[1], 0.17728647360703811);
  ExpectNear(R2Score(y, Predict(fit, x)), 0.7526226099466955);
  EXPECT_EQ(fit.n_iter, (std::vector<int64_t>{6, 2}));
  EXPECT_TRUE(fit.converged);
}

TEST(OdeFitTest, LassoMatchesScikitLearnAlpha005) {
  Matrix x, y;
  FixedProblem(&x, &y);
  const LinearFit fit = FitLasso(x, y, {0.05, 1e-4, 1000});
  const double coef[2][3] = {{0.11082288401253909, -0.0, 0.0},
                             {0.0, 0.1652859237536657, 0.0}};
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j) ExpectNear(fit.coef.at(k, j), coef[k][j]);
  ExpectNear(fit.intercept[0], 0.19829937304075237);
  ExpectNear(fit.intercept[1], 0.20543896627565983);
  ExpectNear(R2Score(y, Predict(fit, x)), 0.3303873481656603);
  EXPECT_EQ(fit.n_iter, (std::vector<int64_t>{2, 2}));
}

TEST(OdeFitTest, LeastSquaresMatchesScikitLearn) {
  Matrix x, y;
  FixedProblem(&x, &y);
  const LinearFit fit = FitLeastSquares(x, y);
  const double coef[2][3] = {
      {0.4613784907902553, -0.3704693998811644, 0.15786541889483063},
      {-0.02480689245395123, 0.5134432560903146, -0.021613190730837645}};
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j) ExpectNear(fit.coef.at(k, j), coef[k][j]);
  ExpectNear(fit.intercept[0], 0.18995098039215688);
  ExpectNear(fit.intercept[1], 0.17390819964349377);
  ExpectNear(R2Score(y, Predict(fit, x)), 0.7855188952980465);
}

TEST(OdeFitTest, R2OfAConstantColumnIsOneOnlyWhenExact) {
  Matrix t(3, 2), p(3, 2);
  for (int i = 0; i < 3; ++i) {
    t.at(i, 0) = 1;  // constant
    p.at(i, 0) = 1;
    t.at(i, 1) = i;
    p.at(i, 1) = i;
  }
  EXPECT_EQ(R2Score(t, p), 1.0);
  p.at(0, 0) = 2;
  EXPECT_EQ(R2Score(t, p), 0.5);  // (0 + 1) / 2, as sklearn
}

TEST(OdeFitTest, RollOutIsP1sEulerStep) {
  LinearFit fit;
  fit.coef = Matrix(1, 1);
  fit.coef.at(0, 0) = -0.5;
  fit.intercept = {1.0};
  const Matrix traj = RollOut(fit, {0.0}, 3);
  // s(t+1) = s + (-0.5 s + 1): 0, 1, 1.5, 1.75
  EXPECT_EQ(traj.data, (std::vector<double>{0.0, 1.0, 1.5, 1.75}));
}

}  // namespace
}  // namespace initrepro
