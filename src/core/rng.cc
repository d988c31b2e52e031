#include "src/core/rng.h"

#include <cmath>

#include "pcg_random.hpp"
#include "src/core/fmath.h"

namespace initrepro {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// A pcg32 positioned at `index` of the stream (state, increment).
pcg32 Seek(uint64_t state, uint64_t increment, uint64_t index) {
  pcg32 engine(state, increment);
  engine.advance(index);
  return engine;
}

double UniformFromTwoWords(uint32_t hi, uint32_t lo) {
  // 53 bits: 27 from the first word, 26 from the second.
  uint64_t bits = (static_cast<uint64_t>(hi >> 5) << 26) | (lo >> 6);
  return static_cast<double>(bits) * 0x1.0p-53;
}

double BoxMuller(double u1, double u2) {
  // 1 - u1 lies in (0, 1], so the log is finite.
  double radius = std::sqrt(-2.0 * fmath::Log(1.0 - u1));
  return radius * fmath::Cos(kTwoPi * u2);
}

}  // namespace

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Stream::Stream(uint64_t seed, Purpose purpose, uint64_t substream) {
  uint64_t key = Mix64(Mix64(Mix64(seed) ^ static_cast<uint64_t>(purpose)) ^
                       substream);
  state_ = Mix64(key ^ 0x5851f42d4c957f2dULL);
  increment_ = Mix64(key ^ 0x14057b7ef767814fULL);
}

Stream Stream::FromPcgSeed(uint64_t state, uint64_t increment) {
  Stream stream;
  stream.state_ = state;
  stream.increment_ = increment;
  return stream;
}

uint32_t Stream::Bits32(uint64_t index) const {
  pcg32 engine = Seek(state_, increment_, index);
  return engine();
}

double Stream::Uniform01(uint64_t index) const {
  pcg32 engine = Seek(state_, increment_, 2 * index);
  uint32_t hi = engine();
  uint32_t lo = engine();
  return UniformFromTwoWords(hi, lo);
}

double Stream::Normal(uint64_t index) const {
  pcg32 engine = Seek(state_, increment_, 4 * index);
  uint32_t w0 = engine(), w1 = engine(), w2 = engine(), w3 = engine();
  return BoxMuller(UniformFromTwoWords(w0, w1), UniformFromTwoWords(w2, w3));
}

uint32_t Stream::UniformInt(uint64_t index, uint32_t n, uint64_t* used) const {
  pcg32 engine = Seek(state_, increment_, index);
  // Lemire-free plain rejection: accept draws below the largest multiple of n.
  const uint32_t limit = static_cast<uint32_t>(
      (0x100000000ULL / n) * n - 1);
  uint64_t consumed = 0;
  while (true) {
    uint32_t x = engine();
    ++consumed;
    if (x <= limit) {
      if (used != nullptr) *used = consumed;
      return x % n;
    }
  }
}

void Stream::FillNormal(uint64_t first, absl::Span<double> out) const {
  pcg32 engine = Seek(state_, increment_, 4 * first);
  for (double& value : out) {
    uint32_t w0 = engine(), w1 = engine(), w2 = engine(), w3 = engine();
    value =
        BoxMuller(UniformFromTwoWords(w0, w1), UniformFromTwoWords(w2, w3));
  }
}

void Stream::FillUniform(uint64_t first, double lo, double hi,
                         absl::Span<double> out) const {
  pcg32 engine = Seek(state_, increment_, 2 * first);
  const double width = hi - lo;
  for (double& value : out) {
    uint32_t w0 = engine(), w1 = engine();
    value = lo + width * UniformFromTwoWords(w0, w1);
  }
}

void Shuffle(const Stream& stream, absl::Span<int64_t> values) {
  uint64_t position = 0;
  for (size_t i = values.size(); i > 1; --i) {
    uint64_t used = 0;
    uint32_t j = stream.UniformInt(position, static_cast<uint32_t>(i), &used);
    position += used;
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace initrepro
