// NumPy .npy files: the exchange format for initial weights, embeddings and
// golden tensors shared with the Python reference implementations.
//
// The writer emits format 1.0 byte for byte as NumPy >= 1.24 does for a
// C-contiguous '<f8' / '<i8' array (same dict, same growth-axis spaces, data
// at a multiple of 64), so hashes of our files match hashes of NumPy's.
//
// The reader accepts exactly what np.load decodes to the same values in the
// harness's types, and nothing else:
//   - float64 and float32 (either byte order) decode to float64: widening
//     float32 is exact, so the bits equal what numpy's astype(float64) gives;
//   - int8/16/32/64 and uint8/16/32 (either byte order) decode to int64;
//     uint64 too, when every value is below 2^63 (else refused, naming the
//     index);
//   - fortran_order True is reordered to C order (the same array);
//   - float16, bool, complex, strings, object arrays, structured dtypes,
//     zip archives (.npz, torch.save) and pickles are refused, naming the
//     field. Integer <-> float is never converted (ReadNpy* helpers).
// Every conversion made is reported in NpyArray::conversion, so a caller
// can record it. It accepts format versions 1.0, 2.0 (2.0 only widens the
// header length to 32 bits) and 3.0 (2.0 with a UTF-8 header, which numpy
// writes when the header needs it); anything else is rejected.
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

// A decoded array. `descr` is the type the values were decoded to, "<f8" or
// "<i8"; exactly one of f64 / i64 holds the prod(shape) elements in C order,
// the other is empty.
struct NpyArray {
  std::string descr;
  std::vector<int64_t> shape;
  std::vector<double> f64;
  std::vector<int64_t> i64;
  std::string stored_descr;    // as in the header, e.g. ">f4"
  bool fortran_order = false;  // as in the header (data is C order here)
  // Empty for '<f8'/'<i8' in C order; else e.g. "float32 -> float64 (exact
  // widening); big-endian -> little-endian; Fortran order -> C order".
  std::string conversion;
  std::string sha256;  // hex SHA-256 of the file's bytes
};

// Where an imported tensor came from: recorded in summary.json "inputs".
struct NpySource {
  std::string sha256;      // of the file's bytes
  std::string dtype;       // descr as read, e.g. "<f8", ">f4"
  std::string order;       // "C" or "F" (fortran_order)
  std::string conversion;  // NpyArray::conversion
};

// Reads and validates a .npy file (see the banner for what is accepted).
// Values are returned as stored; NaN and inf are not checked here.
absl::StatusOr<NpyArray> ReadNpy(const std::string& path);

// ReadNpy on bytes already in memory; `name` stands for the path in messages.
absl::StatusOr<NpyArray> ParseNpy(absl::string_view bytes,
                                  absl::string_view name);

// Reads a float array that must have shape (rows, cols) and only finite
// values; a NaN/inf is an error naming its flat index, row and column.
// `source`, when given, receives the file's provenance.
absl::StatusOr<Matrix> ReadNpyMatrixF64(const std::string& path, int64_t rows,
                                        int64_t cols,
                                        NpySource* source = nullptr);

// Reads a float array that must have shape (n,) and only finite values.
absl::StatusOr<std::vector<double>> ReadNpyVectorF64(
    const std::string& path, int64_t n, NpySource* source = nullptr);

// Reads an integer array of shape (k,) for any k >= 0.
absl::StatusOr<std::vector<int64_t>> ReadNpyVectorI64(
    const std::string& path, NpySource* source = nullptr);

}  // namespace initrepro

#endif  // INITREPRO_SRC_IO_NPY_H_
