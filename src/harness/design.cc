#include "src/harness/design.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace initrepro {

absl::StatusOr<DesignOverride> ParseDesignOverride(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return absl::InvalidArgumentError(absl::StrCat(
        "--set ", text, ": expected FIELD=VALUE[,VALUE...], e.g. "
        "--set decays=0.3,1,3 (`repro design EXP` lists the fields)"));
  return DesignOverride{text.substr(0, eq), text.substr(eq + 1)};
}

namespace design_internal {

std::string RangeText(double lo, double hi) {
  return absl::StrFormat("[%g, %g]", lo, hi);
}

std::string ChoiceText(const std::vector<std::string>& choices) {
  return absl::StrCat("one of ", absl::StrJoin(choices, ", "));
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ','))
    out.emplace_back(absl::StripAsciiWhitespace(item));
  return out;
}

absl::StatusOr<int64_t> ParseInt(const std::string& field,
                                 const std::string& text, int64_t lo,
                                 int64_t hi) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v))
    return absl::InvalidArgumentError(absl::StrCat(
        "--set ", field, ": '", text, "' is not an integer; expected an "
        "integer in [", lo, ", ", hi, "]"));
  if (v < lo || v > hi)
    return absl::InvalidArgumentError(
        absl::StrCat("--set ", field, ": ", v, " is out of range; expected an "
                     "integer in [", lo, ", ", hi, "]"));
  return v;
}

absl::StatusOr<int64_t> ParsePrime(const std::string& field,
                                   const std::string& text, int64_t lo,
                                   int64_t hi) {
  absl::StatusOr<int64_t> v = ParseInt(field, text, lo, hi);
  if (!v.ok()) return v.status();
  bool prime = *v >= 2;
  for (int64_t q = 2; prime && q * q <= *v; ++q) prime = *v % q != 0;
  if (!prime)
    return absl::InvalidArgumentError(absl::StrCat(
        "--set ", field, ": ", *v, " is not prime; expected a prime in [",
        lo, ", ", hi, "]"));
  return *v;
}

absl::StatusOr<double> ParseDouble(const std::string& field,
                                   const std::string& text, double lo,
                                   double hi) {
  double v = 0;
  if (!absl::SimpleAtod(text, &v) || !std::isfinite(v))
    return absl::InvalidArgumentError(absl::StrCat(
        "--set ", field, ": '", text, "' is not a finite number; expected a "
        "number in ", RangeText(lo, hi)));
  if (v < lo || v > hi)
    return absl::InvalidArgumentError(
        absl::StrCat("--set ", field, ": ", text, " is out of range; expected "
                     "a number in ", RangeText(lo, hi)));
  return v;
}

absl::Status CheckChoice(const std::string& field, const std::string& text,
                         const std::vector<std::string>& choices) {
  for (const std::string& c : choices)
    if (c == text) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--set ", field, ": '", text, "' is not accepted; expected ",
      ChoiceText(choices)));
}

}  // namespace design_internal
}  // namespace initrepro
