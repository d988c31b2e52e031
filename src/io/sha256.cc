#include "src/io/sha256.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace initrepro {
namespace {

// The numeric variants hash memory as-is, which is little-endian only here;
// a big-endian port would have to byte-swap first.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "Sha256HexOf* assume a little-endian target");

std::string DigestHex(const void* data, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  // EVP_Digest fails only on allocation failure or a broken libcrypto; a
  // wrong hash would silently corrupt goldens, so stop instead.
  if (EVP_Digest(data, size, md, &md_len, EVP_sha256(), nullptr) != 1 ||
      md_len != 32) {
    std::fprintf(stderr, "initrepro: EVP_Digest(SHA-256) failed\n");
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * md_len, '0');
  for (unsigned int i = 0; i < md_len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string Sha256Hex(absl::string_view bytes) {
  return DigestHex(bytes.data(), bytes.size());
}

std::string Sha256HexOfDoubles(absl::Span<const double> values) {
  return DigestHex(values.data(), values.size() * sizeof(double));
}

std::string Sha256HexOfInt64s(absl::Span<const int64_t> values) {
  return DigestHex(values.data(), values.size() * sizeof(int64_t));
}

}  // namespace initrepro
