// SHA-256 fingerprints of bytes and of numeric arrays.
//
// Hashes are how runs prove they are bit-identical (goldens store them), so
// the numeric variants hash the exact IEEE/two's-complement bits: -0.0 and
// 0.0, or two NaN payloads, hash differently on purpose.
//
// Thread-safety: all functions are pure.
#ifndef INITREPRO_SRC_IO_SHA256_H_
#define INITREPRO_SRC_IO_SHA256_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace initrepro {

// SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL EVP).
std::string Sha256Hex(absl::string_view bytes);

// SHA-256 of the values' 8-byte little-endian encodings, concatenated: the
// same digest as hashlib.sha256(np.asarray(v, '<f8').tobytes()).
std::string Sha256HexOfDoubles(absl::Span<const double> values);

// As above for '<i8'.
std::string Sha256HexOfInt64s(absl::Span<const int64_t> values);

}  // namespace initrepro

#endif  // INITREPRO_SRC_IO_SHA256_H_
