#include "src/io/sha256.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace initrepro {
namespace {

// FIPS 180-2 appendix B known answers.
TEST(Sha256Test, FipsKnownAnswers) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, BinaryInputWithNul) {
  EXPECT_NE(Sha256Hex(std::string("a\0b", 3)), Sha256Hex("a"));
}

TEST(Sha256Test, DoublesHashTheirLittleEndianBytes) {
  const std::vector<double> v = {1.0, -2.5};
  // 1.0 = 0x3ff0000000000000, -2.5 = 0xc004000000000000.
  const std::string bytes("\0\0\0\0\0\0\xf0\x3f\0\0\0\0\0\0\x04\xc0", 16);
  EXPECT_EQ(Sha256HexOfDoubles(v), Sha256Hex(bytes));
  EXPECT_EQ(Sha256HexOfDoubles({}), Sha256Hex(""));
  // Bit-level: the two zeros are different values to a reproducibility check.
  EXPECT_NE(Sha256HexOfDoubles({0.0}), Sha256HexOfDoubles({-0.0}));
}

TEST(Sha256Test, Int64sHashTheirLittleEndianBytes) {
  const std::vector<int64_t> v = {1, -1};
  const std::string bytes("\x01\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff",
                          16);
  EXPECT_EQ(Sha256HexOfInt64s(v), Sha256Hex(bytes));
}

}  // namespace
}  // namespace initrepro
