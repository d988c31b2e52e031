// Designs as data: an experiment's design is a plain struct of named fields
// (scalars and lists), one preset per tier, and a schema that names every
// field, documents it and bounds its values. The schema is what `repro
// design` prints, what `--set FIELD=VALUE[,VALUE...]` writes through, and
// what a result records (`design`, `overrides`).
//
// Example (in an experiment file):
//   struct Design { int64_t p, dim, steps, seeds, trials; };
//   const DesignSchema<Design>& Schema() {
//     static const auto* s = &(*new DesignSchema<Design>())
//         .Prime("p", &Design::p, 3, 257, "modulus")
//         .Int("trials", &Design::trials, 1, 10000, "trials per seed");
//     return *s;
//   }
//   Design d = Schema().Preset...;  // see DesignedExperiment below
//
// Overrides are parsed before anything runs: an unknown field, a value of
// the wrong type or outside its range is an InvalidArgument naming the
// field, the value and what is accepted (the CLI exits 2 on it).
//
// Thread-safety: a schema is immutable once built; Apply writes only the
// design it is given.
#ifndef INITREPRO_SRC_HARNESS_DESIGN_H_
#define INITREPRO_SRC_HARNESS_DESIGN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace initrepro {

// One `--set FIELD=VALUE[,VALUE...]`, as typed.
struct DesignOverride {
  std::string field;
  std::string value;
};

// Parses "FIELD=VALUE[,VALUE...]"; the error names the text.
absl::StatusOr<DesignOverride> ParseDesignOverride(const std::string& text);

// What `repro design` prints of one field.
struct DesignFieldInfo {
  std::string name;
  std::string type;   // int, double, string, int list, double list, string list
  std::string range;  // e.g. "[1, 10000]" or "one of fix_embedding, vary_all"
  std::string doc;
};

namespace design_internal {
// Value parsers shared by every schema; errors name field and value.
absl::StatusOr<int64_t> ParseInt(const std::string& field,
                                 const std::string& text, int64_t lo,
                                 int64_t hi);
// ParseInt, and the value must be prime (a modulus p).
absl::StatusOr<int64_t> ParsePrime(const std::string& field,
                                   const std::string& text, int64_t lo,
                                   int64_t hi);
absl::StatusOr<double> ParseDouble(const std::string& field,
                                   const std::string& text, double lo,
                                   double hi);
absl::Status CheckChoice(const std::string& field, const std::string& text,
                         const std::vector<std::string>& choices);
std::vector<std::string> SplitList(const std::string& text);
std::string RangeText(double lo, double hi);
std::string ChoiceText(const std::vector<std::string>& choices);
}  // namespace design_internal

template <typename D>
class DesignSchema {
 public:
  // A scalar integer in [lo, hi].
  DesignSchema& Int(std::string name, int64_t D::*member, int64_t lo,
                    int64_t hi, std::string doc) {
    return Integer(std::move(name), "int", &design_internal::ParseInt, member,
                   lo, hi, std::move(doc));
  }
  // A prime integer in [lo, hi] (a modulus).
  DesignSchema& Prime(std::string name, int64_t D::*member, int64_t lo,
                      int64_t hi, std::string doc) {
    return Integer(std::move(name), "prime", &design_internal::ParsePrime,
                   member, lo, hi, std::move(doc));
  }
  DesignSchema& Double(std::string name, double D::*member, double lo,
                       double hi, std::string doc) {
    Field f{std::move(name), "double", design_internal::RangeText(lo, hi),
            std::move(doc)};
    const std::string n = f.info.name;
    f.to_json = [member](const D& d) { return nlohmann::json(d.*member); };
    f.apply = [member, lo, hi, n](const std::string& v, D* d) -> absl::Status {
      absl::StatusOr<double> x = design_internal::ParseDouble(n, v, lo, hi);
      if (!x.ok()) return x.status();
      d->*member = *x;
      return absl::OkStatus();
    };
    fields_.push_back(std::move(f));
    return *this;
  }
  DesignSchema& String(std::string name, std::string D::*member,
                       std::vector<std::string> choices, std::string doc) {
    Field f{std::move(name), "string", design_internal::ChoiceText(choices),
            std::move(doc)};
    const std::string n = f.info.name;
    f.to_json = [member](const D& d) { return nlohmann::json(d.*member); };
    f.apply = [member, choices, n](const std::string& v,
                                   D* d) -> absl::Status {
      absl::Status s = design_internal::CheckChoice(n, v, choices);
      if (!s.ok()) return s;
      d->*member = v;
      return absl::OkStatus();
    };
    fields_.push_back(std::move(f));
    return *this;
  }
  // A non-empty list of integers, each in [lo, hi].
  DesignSchema& IntList(std::string name, std::vector<int64_t> D::*member,
                        int64_t lo, int64_t hi, std::string doc) {
    Field f{std::move(name), "int list",
            design_internal::RangeText(static_cast<double>(lo),
                                       static_cast<double>(hi)),
            std::move(doc)};
    const std::string n = f.info.name;
    f.to_json = [member](const D& d) { return nlohmann::json(d.*member); };
    f.apply = [member, lo, hi, n](const std::string& v,
                                  D* d) -> absl::Status {
      std::vector<int64_t> out;
      for (const std::string& item : design_internal::SplitList(v)) {
        absl::StatusOr<int64_t> x = design_internal::ParseInt(n, item, lo, hi);
        if (!x.ok()) return x.status();
        out.push_back(*x);
      }
      d->*member = std::move(out);
      return absl::OkStatus();
    };
    fields_.push_back(std::move(f));
    return *this;
  }
  DesignSchema& DoubleList(std::string name, std::vector<double> D::*member,
                           double lo, double hi, std::string doc) {
    Field f{std::move(name), "double list", design_internal::RangeText(lo, hi),
            std::move(doc)};
    const std::string n = f.info.name;
    f.to_json = [member](const D& d) { return nlohmann::json(d.*member); };
    f.apply = [member, lo, hi, n](const std::string& v,
                                  D* d) -> absl::Status {
      std::vector<double> out;
      for (const std::string& item : design_internal::SplitList(v)) {
        absl::StatusOr<double> x =
            design_internal::ParseDouble(n, item, lo, hi);
        if (!x.ok()) return x.status();
        out.push_back(*x);
      }
      d->*member = std::move(out);
      return absl::OkStatus();
    };
    fields_.push_back(std::move(f));
    return *this;
  }
  DesignSchema& StringList(std::string name,
                           std::vector<std::string> D::*member,
                           std::vector<std::string> choices, std::string doc) {
    Field f{std::move(name), "string list",
            design_internal::ChoiceText(choices), std::move(doc)};
    const std::string n = f.info.name;
    f.to_json = [member](const D& d) { return nlohmann::json(d.*member); };
    f.apply = [member, choices, n](const std::string& v,
                                   D* d) -> absl::Status {
      std::vector<std::string> out = design_internal::SplitList(v);
      for (const std::string& item : out) {
        absl::Status s = design_internal::CheckChoice(n, item, choices);
        if (!s.ok()) return s;
      }
      d->*member = std::move(out);
      return absl::OkStatus();
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // Field -> value, in declaration order of the schema.
  nlohmann::json ToJson(const D& d) const {
    nlohmann::json j = nlohmann::json::object();
    for (const Field& f : fields_) j[f.info.name] = f.to_json(d);
    return j;
  }

  std::vector<DesignFieldInfo> Fields() const {
    std::vector<DesignFieldInfo> out;
    for (const Field& f : fields_) out.push_back(f.info);
    return out;
  }

  // Applies every override in order (a later one of the same field wins);
  // on error `d` may be partly written, so apply to a copy.
  absl::Status Apply(const std::vector<DesignOverride>& overrides,
                     D* d) const {
    for (const DesignOverride& o : overrides) {
      const Field* field = nullptr;
      for (const Field& f : fields_)
        if (f.info.name == o.field) field = &f;
      if (field == nullptr) return UnknownField(o.field);
      absl::Status s = field->apply(o.value, d);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  using IntParser = absl::StatusOr<int64_t> (*)(const std::string&,
                                                const std::string&, int64_t,
                                                int64_t);
  // Int and Prime: a scalar integer read by `parse` (range and any further
  // rule), listed as `type`.
  DesignSchema& Integer(std::string name, const char* type, IntParser parse,
                        int64_t D::*member, int64_t lo, int64_t hi,
                        std::string doc) {
    Field f{std::move(name), type,
            design_internal::RangeText(static_cast<double>(lo),
                                       static_cast<double>(hi)),
            std::move(doc)};
    const std::string n = f.info.name;
    f.to_json = [member](const D& d) { return nlohmann::json(d.*member); };
    f.apply = [member, lo, hi, n, parse](const std::string& v,
                                         D* d) -> absl::Status {
      absl::StatusOr<int64_t> x = parse(n, v, lo, hi);
      if (!x.ok()) return x.status();
      d->*member = *x;
      return absl::OkStatus();
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  struct Field {
    DesignFieldInfo info;
    std::function<nlohmann::json(const D&)> to_json;
    std::function<absl::Status(const std::string&, D*)> apply;
    Field(std::string name, std::string type, std::string range,
          std::string doc)
        : info{std::move(name), std::move(type), std::move(range),
               std::move(doc)} {}
  };
  absl::Status UnknownField(const std::string& name) const {
    std::string known;
    for (const Field& f : fields_)
      known += (known.empty() ? "" : ", ") + f.info.name;
    return absl::InvalidArgumentError("--set " + name +
                                      "=...: unknown design field '" + name +
                                      "'; known fields: " + known);
  }
  std::vector<Field> fields_;
};

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_DESIGN_H_
