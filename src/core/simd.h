// Which SIMD code path the kernels use, and how to force a narrower one.
//
// Every kernel in the project produces the same bits on every path (each
// output element has one fixed sequence of IEEE operations; vectors only
// compute several outputs at once), so the choice affects speed only. The
// override exists so tests can prove exactly that.
//
// Selection: SetSimdOverride() if called, else the environment variable
// INITREPRO_SIMD=scalar|avx2|avx512, else the widest path the CPU supports.
#ifndef INITREPRO_SRC_CORE_SIMD_H_
#define INITREPRO_SRC_CORE_SIMD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace initrepro {

enum class SimdLevel { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// The widest level this CPU supports (AVX2 requires FMA as well).
SimdLevel DetectSimd();

// The level kernels use now. Thread-safe to read; never above DetectSimd().
SimdLevel ActiveSimd();

// Forces a level for the rest of the process (clamped to DetectSimd()).
void SetSimdOverride(SimdLevel level);

absl::StatusOr<SimdLevel> ParseSimdLevel(absl::string_view name);
std::string SimdLevelName(SimdLevel level);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CORE_SIMD_H_
