#include "src/core/simd.h"

#include <atomic>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace initrepro {
namespace {

constexpr int kUnset = -1;
std::atomic<int> g_override{kUnset};

SimdLevel ClampToCpu(SimdLevel level) {
  SimdLevel cpu = DetectSimd();
  return static_cast<int>(level) <= static_cast<int>(cpu) ? level : cpu;
}

SimdLevel LevelFromEnvironment() {
  const char* env = std::getenv("INITREPRO_SIMD");
  if (env == nullptr || *env == '\0') return DetectSimd();
  absl::StatusOr<SimdLevel> parsed = ParseSimdLevel(env);
  // An unknown value must not silently change speed assumptions; but neither
  // may it crash a run: fall back to detection (bits are identical anyway).
  return parsed.ok() ? ClampToCpu(*parsed) : DetectSimd();
}

}  // namespace

SimdLevel DetectSimd() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) {
    return SimdLevel::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return SimdLevel::kAvx2;
  }
  return SimdLevel::kScalar;
}

SimdLevel ActiveSimd() {
  int forced = g_override.load(std::memory_order_relaxed);
  if (forced != kUnset) return static_cast<SimdLevel>(forced);
  static const SimdLevel from_env = LevelFromEnvironment();
  return from_env;
}

void SetSimdOverride(SimdLevel level) {
  g_override.store(static_cast<int>(ClampToCpu(level)),
                   std::memory_order_relaxed);
}

absl::StatusOr<SimdLevel> ParseSimdLevel(absl::string_view name) {
  if (name == "scalar") return SimdLevel::kScalar;
  if (name == "avx2") return SimdLevel::kAvx2;
  if (name == "avx512") return SimdLevel::kAvx512;
  return absl::InvalidArgumentError(absl::StrCat(
      "simd: unknown level '", name, "'; expected scalar, avx2 or avx512"));
}

std::string SimdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
  }
  return "unknown";
}

}  // namespace initrepro
