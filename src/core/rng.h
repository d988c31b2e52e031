// Counter-addressed randomness on PCG.
//
// Every random number in the project is a pure function of
// (seed, purpose, substream, index): there is no generator object that
// carries state between calls, so a draw never depends on how many draws
// happened before it, on thread scheduling, or on which run asked first.
//
// A (seed, purpose, substream) triple selects one pcg32 stream (its state and
// its increment both come from a SplitMix64 hash of the triple); `index`
// selects a position in it through pcg32::advance, which is O(log index).
// Fill functions seek once and then step, which yields exactly the same
// values as addressing each index separately.
//
// Example:
//   Stream emb(seed, Purpose::kEmbedding);
//   std::vector<double> e(59 * 128);
//   emb.FillNormal(0, absl::MakeSpan(e));
//
// Thread-safety: Stream is immutable; all methods are const and pure.
#ifndef INITREPRO_SRC_CORE_RNG_H_
#define INITREPRO_SRC_CORE_RNG_H_

#include <cstdint>

#include "absl/types/span.h"

namespace initrepro {

// Why a number is drawn. Values are part of the bit contract: never renumber.
enum class Purpose : uint64_t {
  kEmbedding = 1,
  kLinear0Weight = 2,
  kLinear0Bias = 3,
  kLinear1Weight = 4,
  kLinear1Bias = 5,
  kLinear2Weight = 6,
  kLinear2Bias = 7,
  kSplit = 8,
  kHandcraftedDirections = 9,
  kRandomCircles = 10,
  kPerturbation = 11,
  kSampling = 12,
  kExperimentSeeds = 13,
};

// SplitMix64 finaliser: a fixed bijective 64-bit mix.
uint64_t Mix64(uint64_t x);

class Stream {
 public:
  Stream(uint64_t seed, Purpose purpose, uint64_t substream = 0);

  // The pcg32 stream pcg32(state, increment) itself; for known-answer tests
  // against pcg-cpp's published outputs.
  static Stream FromPcgSeed(uint64_t state, uint64_t increment);

  // The pcg32 output at position `index` of this stream.
  uint32_t Bits32(uint64_t index) const;

  // Uniform in [0, 1) with 53 random bits, from positions 2i and 2i+1.
  double Uniform01(uint64_t index) const;

  // Standard normal from Box-Muller on the uniforms at positions 2i and
  // 2i+1 (the cosine branch only, so draw i depends on nothing else).
  double Normal(uint64_t index) const;

  // Uniform integer in [0, n) by rejection on 32-bit draws starting at
  // position `index`; returns the number of positions consumed in *used.
  uint32_t UniformInt(uint64_t index, uint32_t n, uint64_t* used) const;

  // out[j] = Normal(first + j), out[j] = Uniform01(first + j) etc.
  void FillNormal(uint64_t first, absl::Span<double> out) const;
  void FillUniform(uint64_t first, double lo, double hi,
                   absl::Span<double> out) const;

 private:
  Stream() = default;
  uint64_t state_;
  uint64_t increment_;
};

// Fisher-Yates permutation of 0..n-1 drawn from `stream`, deterministic.
void Shuffle(const Stream& stream, absl::Span<int64_t> values);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CORE_RNG_H_
