// NumPy .npy files: the exchange format for initial weights, embeddings and
// golden tensors shared with the Python reference implementations.
//
// The writer emits format 1.0 byte for byte as NumPy >= 1.24 does for a
// C-contiguous '<f8' / '<i8' array (same dict, same growth-axis spaces, data
// at a multiple of 64), so hashes of our files match hashes of NumPy's.
//
// The reader is strict on purpose: a file that is not exactly a C-order
// little-endian float64 or int64 array is rejected rather than converted,
// because a silent conversion would change bits. It accepts format versions
// 1.0 and 2.0 (2.0 only widens the header length to 32 bits); 3.0 (UTF-8
// header) and anything else is rejected.
//
// Errors: I/O failures come from ReadFile/WriteFileAtomic; every content
// problem is kInvalidArgument with a message of the form
//   "<path>: field '<field>': expected <what>, found <what>".
#ifndef INITREPRO_SRC_IO_NPY_H_
#define INITREPRO_SRC_IO_NPY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "src/core/matrix.h"

namespace initrepro {

// Writes `data` (row-major, prod(shape) elements; shape () is a scalar) as a
// '<f8' .npy file through WriteFileAtomic. kInvalidArgument if a dimension is
// negative or prod(shape) != data.size().
absl::Status WriteNpyF64(const std::string& path,
                         absl::Span<const int64_t> shape,
                         absl::Span<const double> data);

// As WriteNpyF64, dtype '<i8'.
absl::Status WriteNpyI64(const std::string& path,
                         absl::Span<const int64_t> shape,
                         absl::Span<const int64_t> data);

// Writes `m` as a 2-D '<f8' array of shape (m.rows, m.cols).
absl::Status WriteNpyMatrix(const std::string& path, const Matrix& m);

// The complete file bytes that WriteNpyF64 / WriteNpyI64 would write, for
// hashing without touching the disk.
absl::StatusOr<std::string> EncodeNpyF64(absl::Span<const int64_t> shape,
                                         absl::Span<const double> data);
absl::StatusOr<std::string> EncodeNpyI64(absl::Span<const int64_t> shape,
                                         absl::Span<const int64_t> data);

// A decoded array. `descr` is normalized to "<f8" or "<i8" ('=' in the file
// becomes '<'); exactly one of f64 / i64 holds the prod(shape) elements in
// C order, the other is empty.
struct NpyArray {
  std::string descr;
  std::vector<int64_t> shape;
  std::vector<double> f64;
  std::vector<int64_t> i64;
};

// Reads and validates a .npy file (see the banner for what is accepted).
// Values are returned as stored; NaN and inf are not checked here.
absl::StatusOr<NpyArray> ReadNpy(const std::string& path);

// ReadNpy on bytes already in memory; `name` stands for the path in messages.
absl::StatusOr<NpyArray> ParseNpy(absl::string_view bytes,
                                  absl::string_view name);

// Reads a '<f8' array that must have shape (rows, cols) and only finite
// values; a NaN/inf is an error naming its flat index, row and column.
absl::StatusOr<Matrix> ReadNpyMatrixF64(const std::string& path, int64_t rows,
                                        int64_t cols);

// Reads a '<f8' array that must have shape (n,) and only finite values.
absl::StatusOr<std::vector<double>> ReadNpyVectorF64(const std::string& path,
                                                     int64_t n);

// Reads a '<i8' array of shape (k,) for any k >= 0.
absl::StatusOr<std::vector<int64_t>> ReadNpyVectorI64(const std::string& path);

}  // namespace initrepro

#endif  // INITREPRO_SRC_IO_NPY_H_
