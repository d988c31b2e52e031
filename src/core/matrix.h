// Matrix: a dense row-major float64 matrix, the one tensor type the project
// passes between the trainer, the analyses and the file formats.
//
// Row-major with shape (rows, cols) matches PyTorch's and NumPy's C order, so
// a Matrix maps one-to-one onto a `.npy` file.
#ifndef INITREPRO_SRC_CORE_MATRIX_H_
#define INITREPRO_SRC_CORE_MATRIX_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace initrepro {

struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> data;  // rows * cols, row-major

  Matrix() = default;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), data(r * c, 0.0) {}

  double& at(int64_t r, int64_t c) { return data[r * cols + c]; }
  double at(int64_t r, int64_t c) const { return data[r * cols + c]; }
  absl::Span<double> row(int64_t r) {
    return absl::MakeSpan(data.data() + r * cols, cols);
  }
  absl::Span<const double> row(int64_t r) const {
    return absl::MakeConstSpan(data.data() + r * cols, cols);
  }
  bool operator==(const Matrix& o) const {
    return rows == o.rows && cols == o.cols && data == o.data;
  }
};

}  // namespace initrepro

#endif  // INITREPRO_SRC_CORE_MATRIX_H_
