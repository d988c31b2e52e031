#include "src/io/npy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "src/core/matrix.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/sha256.h"

namespace initrepro {
namespace {

// Data is copied to and from memory as-is; a big-endian port would swap.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "npy.cc assumes a little-endian target");

constexpr absl::string_view kMagic("\x93NUMPY", 6);
constexpr size_t kArrayAlign = 64;           // NumPy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;  // NumPy's GROWTH_AXIS_MAX_DIGITS
// Largest element count whose byte size (x 8) still fits in int64.
constexpr int64_t kMaxElements = std::numeric_limits<int64_t>::max() / 8;

constexpr absl::string_view kF64Expected =
    "a float array: float64 or float32, either byte order";
constexpr absl::string_view kI64Expected =
    "an integer array: int8/16/32/64 or uint8/16/32/64, either byte order";
constexpr absl::string_view kAnyExpected =
    "a float64/float32 or (u)int8/16/32/64 dtype such as '<f8' or '<i8'";


// Python's repr of a shape tuple: (), (5,), (2, 3).
std::string ShapeRepr(absl::Span<const int64_t> shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

absl::Status FieldError(absl::string_view name, absl::string_view field,
                        absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": field '", field, "': ", message));
}

// One element type the reader decodes. Every accepted type converts to the
// harness's float64 / int64 without changing a value (uint64 is checked per
// value); float16, bool, complex, strings, objects and records are refused.
struct Element {
  bool is_float = true;
  bool is_unsigned = false;
  bool big_endian = false;
  int size = 8;  // bytes
};

std::string TypeName(const Element& e) {
  return absl::StrCat(e.is_float ? "float" : e.is_unsigned ? "uint" : "int",
                      8 * e.size);
}

absl::Status ParseDescr(absl::string_view name, const std::string& d,
                        Element* e) {
  auto refuse = [&](absl::string_view why) {
    return FieldError(name, "descr",
                      absl::StrCat("expected ", kAnyExpected, ", found '",
                                   absl::CHexEscape(d), "'", why));
  };
  if (d.size() >= 2 && d[1] == 'O')
    return refuse(" (an object array holds pickled Python objects; save "
                  "np.asarray(x, dtype=np.float64))");
  if (d.size() < 3) return refuse("");
  const char order = d[0], kind = d[1];
  int size = 0;
  if (order != '<' && order != '>' && order != '=' && order != '|')
    return refuse("");
  const std::string digits = d.substr(2);
  if (digits.size() > 2 ||
      !std::all_of(digits.begin(), digits.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return refuse("");
  size = std::stoi(digits);
  if (kind == 'f' && size == 2)
    return refuse(
        " (float16: the values were already rounded to 11 significant bits, "
        "so they are not the tensors being replayed; save float32 or float64)");
  const bool ok_float = kind == 'f' && (size == 4 || size == 8);
  const bool ok_int =
      (kind == 'i' || kind == 'u') &&
      (size == 1 || size == 2 || size == 4 || size == 8);
  if (!ok_float && !ok_int) return refuse("");
  // '|' means "not applicable", which NumPy writes only for 1-byte types.
  if (order == '|' && size != 1) return refuse("");
  e->is_float = kind == 'f';
  e->is_unsigned = kind == 'u';
  e->size = size;
  e->big_endian = order == '>' && size > 1;
  return absl::OkStatus();
}

// Element count of `shape`, or an error for a negative or overflowing shape.
absl::StatusOr<int64_t> ElementCount(absl::Span<const int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expected non-negative dimensions, found ", ShapeRepr(shape)));
    }
    if (d != 0 && count > kMaxElements / d) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected at most ", kMaxElements, " elements, found ",
                       ShapeRepr(shape), " (overflows)"));
    }
    count *= d;
  }
  return count;
}

template <typename T>
absl::StatusOr<std::string> Encode(absl::string_view descr,
                                   absl::Span<const int64_t> shape,
                                   absl::Span<const T> data) {
  static_assert(sizeof(T) == 8, "only 8-byte dtypes");
  absl::StatusOr<int64_t> count = ElementCount(shape);
  if (!count.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field 'shape': ", count.status().message()));
  }
  if (static_cast<size_t>(*count) != data.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field 'data': expected ", *count, " elements for shape ",
                     ShapeRepr(shape), ", found ", data.size()));
  }
  // Mirrors numpy.lib.format._write_array_header for a C-order array.
  std::string dict = absl::StrCat(
      "{'descr': '", descr,
      "', 'fortran_order': False, 'shape': ", ShapeRepr(shape), ", }");
  if (!shape.empty()) {
    dict.append(kGrowthAxisMaxDigits - absl::StrCat(shape[0]).size(), ' ');
  }
  // NumPy always pads by 1..64 spaces (64, not 0, when already aligned).
  const size_t unpadded = kMagic.size() + 2 + 2 + dict.size() + 1;
  const size_t padding = kArrayAlign - unpadded % kArrayAlign;
  const size_t header_len = dict.size() + padding + 1;
  if (header_len > 0xffff) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field 'header_len': expected at most 65535 bytes (format 1.0), found ",
        header_len, " for shape ", ShapeRepr(shape)));
  }
  std::string out;
  out.reserve(kMagic.size() + 4 + header_len + data.size() * sizeof(T));
  out.append(kMagic.data(), kMagic.size());
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header_len & 0xff));
  out.push_back(static_cast<char>(header_len >> 8));
  out.append(dict);
  out.append(padding, ' ');
  out.push_back('\n');
  out.append(reinterpret_cast<const char*>(data.data()),
             data.size() * sizeof(T));
  return out;
}

template <typename T>
absl::Status WriteNpy(const std::string& path, absl::string_view descr,
                      absl::Span<const int64_t> shape,
                      absl::Span<const T> data) {
  absl::StatusOr<std::string> bytes = Encode<T>(descr, shape, data);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(),
                        absl::StrCat(path, ": ", bytes.status().message()));
  }
  return WriteFileAtomic(path, *bytes);
}

// ---------------------------------------------------------------------------
// The header dict: the subset of Python literal syntax NumPy writes.

struct PyValue {
  enum Kind { kStr, kBool, kInt, kNone, kTuple, kList };
  Kind kind = kNone;
  std::string str;
  bool b = false;
  int64_t i = 0;
  std::vector<PyValue> items;
};

std::string Repr(const PyValue& v) {
  switch (v.kind) {
    case PyValue::kStr:
      return absl::StrCat("'", absl::CHexEscape(v.str), "'");
    case PyValue::kBool:
      return v.b ? "True" : "False";
    case PyValue::kInt:
      return absl::StrCat(v.i);
    case PyValue::kNone:
      return "None";
    case PyValue::kTuple:
    case PyValue::kList: {
      std::vector<std::string> parts;
      for (const PyValue& item : v.items) parts.push_back(Repr(item));
      if (v.kind == PyValue::kList) {
        return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
      }
      if (parts.size() == 1) return absl::StrCat("(", parts[0], ",)");
      return absl::StrCat("(", absl::StrJoin(parts, ", "), ")");
    }
  }
  return "?";
}

class DictParser {
 public:
  explicit DictParser(absl::string_view text) : text_(text) {}

  // Parses the whole text as one dict followed only by whitespace.
  bool ParseDict(std::vector<std::pair<std::string, PyValue>>* entries) {
    SkipWs();
    if (!Expect('{')) return false;
    SkipWs();
    if (!Consume('}')) {
      while (true) {
        SkipWs();
        PyValue key;
        const size_t key_pos = pos_;
        if (!ParseValue(&key)) return false;
        if (key.kind != PyValue::kStr) {
          pos_ = key_pos;
          return Fail("a string key");
        }
        SkipWs();
        if (!Expect(':')) return false;
        SkipWs();
        PyValue value;
        if (!ParseValue(&value)) return false;
        entries->emplace_back(std::move(key.str), std::move(value));
        SkipWs();
        if (Consume('}')) break;
        if (!Expect(',')) return false;
        SkipWs();
        if (Consume('}')) break;  // trailing comma, as NumPy writes
      }
    }
    SkipWs();
    if (pos_ != text_.size()) return Fail("end of header after '}'");
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool ParseValue(PyValue* out) {
    if (pos_ >= text_.size()) return Fail("a value");
    const char c = text_[pos_];
    if (c == '\'' || c == '"') return ParseString(out);
    if (c == '(' || c == '[') return ParseSequence(out);
    if (c == '-' || (c >= '0' && c <= '9')) return ParseInt(out);
    for (const auto& [word, kind, b] :
         {std::make_tuple("True", PyValue::kBool, true),
          std::make_tuple("False", PyValue::kBool, false),
          std::make_tuple("None", PyValue::kNone, false)}) {
      const absl::string_view w(word);
      if (text_.substr(pos_, w.size()) == w && !IsIdentChar(pos_ + w.size())) {
        pos_ += w.size();
        out->kind = kind;
        out->b = b;
        return true;
      }
    }
    return Fail("a string, number, True, False, None, tuple or list");
  }

  bool ParseString(PyValue* out) {
    const char quote = text_[pos_++];
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      // NumPy never writes escapes; supporting them would only add ways to
      // spell the same descr.
      if (text_[pos_] == '\\') return Fail("a string without escapes");
      if (text_[pos_] == '\n') return Fail("a closing quote");
      ++pos_;
    }
    if (pos_ >= text_.size()) return Fail("a closing quote");
    out->kind = PyValue::kStr;
    out->str = std::string(text_.substr(start, pos_ - start));
    ++pos_;
    return true;
  }

  bool ParseInt(PyValue* out) {
    const bool negative = text_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
      return Fail("a digit");
    }
    int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        return Fail("an integer that fits in int64");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    // Python 2 NumPy wrote longs as "3L"; NumPy's own reader still strips it.
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    if (IsIdentChar(pos_) || (pos_ < text_.size() && text_[pos_] == '.')) {
      return Fail("an integer");
    }
    out->kind = PyValue::kInt;
    out->i = negative ? -value : value;
    return true;
  }

  // Python semantics: "(5)" is the int 5, "(5,)" and "()" are tuples.
  bool ParseSequence(PyValue* out) {
    if (++depth_ > 32) return Fail("nesting at most 32 deep");
    const char open = text_[pos_++];
    const char close = open == '(' ? ')' : ']';
    std::vector<PyValue> items;
    bool saw_comma = false;
    SkipWs();
    while (!Consume(close)) {
      PyValue item;
      if (!ParseValue(&item)) return false;
      items.push_back(std::move(item));
      SkipWs();
      if (Consume(close)) break;
      if (!Expect(',')) return false;
      saw_comma = true;
      SkipWs();
    }
    --depth_;
    if (open == '(' && items.size() == 1 && !saw_comma) {
      *out = std::move(items[0]);
      return true;
    }
    out->kind = open == '(' ? PyValue::kTuple : PyValue::kList;
    out->items = std::move(items);
    return true;
  }

  bool IsIdentChar(size_t p) const {
    if (p >= text_.size()) return false;
    const char c = text_[p];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
  }

  void SkipWs() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Expect(char c) {
    if (Consume(c)) return true;
    return Fail(absl::StrCat("'", std::string(1, c), "'"));
  }

  bool Fail(absl::string_view expected) {
    const absl::string_view found =
        pos_ < text_.size() ? text_.substr(pos_, 12) : "end of header";
    error_ = absl::StrCat("expected ", expected, " at offset ", pos_,
                          ", found \"", absl::CHexEscape(found), "\"");
    return false;
  }

  absl::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

uint32_t LoadLe(absl::string_view bytes, size_t offset, size_t width) {
  uint32_t v = 0;
  for (size_t k = 0; k < width; ++k) {
    v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + k]))
         << (8 * k);
  }
  return v;
}

// Checks the header's three fields and fills descr and shape of `out`.
absl::Status CheckHeader(absl::string_view name, absl::string_view header,
                         NpyArray* out, Element* element) {
  const std::string quoted =
      absl::StrCat("\"", absl::CHexEscape(header.substr(0, 200)),
                   header.size() > 200 ? "..." : "", "\"");
  if (header.empty() || header.back() != '\n') {
    return FieldError(
        name, "header",
        absl::StrCat("expected a dict ending in '\\n', found ", quoted));
  }
  DictParser parser(header);
  std::vector<std::pair<std::string, PyValue>> entries;
  if (!parser.ParseDict(&entries)) {
    return FieldError(
        name, "header",
        absl::StrCat("malformed dict: ", parser.error(), " in ", quoted));
  }
  const PyValue* descr = nullptr;
  const PyValue* fortran_order = nullptr;
  const PyValue* shape = nullptr;
  for (const auto& [key, value] : entries) {
    const PyValue** slot = key == "descr"           ? &descr
                           : key == "fortran_order" ? &fortran_order
                           : key == "shape"         ? &shape
                                                    : nullptr;
    if (slot == nullptr) {
      return FieldError(
          name, "header",
          absl::StrCat("expected only keys 'descr', 'fortran_order', 'shape', "
                       "found '",
                       absl::CHexEscape(key), "'"));
    }
    if (*slot != nullptr) {
      return FieldError(name, key, "expected once in header, found twice");
    }
    *slot = &value;
  }
  for (const auto& [field, value] :
       {std::make_pair("descr", descr),
        std::make_pair("fortran_order", fortran_order),
        std::make_pair("shape", shape)}) {
    if (value == nullptr) {
      return FieldError(
          name, field, absl::StrCat("expected in header, found only ", quoted));
    }
  }

  // descr
  if (descr->kind != PyValue::kStr) {
    return FieldError(
        name, "descr",
        absl::StrCat("expected ", kAnyExpected, ", found ",
                     descr->kind == PyValue::kList ? "structured dtype " : "",
                     Repr(*descr)));
  }
  RETURN_IF_ERROR(ParseDescr(name, descr->str, element));
  out->stored_descr = descr->str;
  out->descr = element->is_float ? "<f8" : "<i8";

  // fortran_order
  if (fortran_order->kind != PyValue::kBool) {
    return FieldError(
        name, "fortran_order",
        absl::StrCat("expected True or False, found ", Repr(*fortran_order)));
  }
  out->fortran_order = fortran_order->b;

  // shape
  if (shape->kind != PyValue::kTuple) {
    return FieldError(name, "shape",
                      absl::StrCat("expected a tuple of non-negative ints, "
                                   "found ",
                                   Repr(*shape)));
  }
  out->shape.clear();
  for (const PyValue& dim : shape->items) {
    if (dim.kind != PyValue::kInt) {
      return FieldError(name, "shape",
                        absl::StrCat("expected a tuple of non-negative ints, "
                                     "found ",
                                     Repr(*shape)));
    }
    out->shape.push_back(dim.i);
  }
  absl::StatusOr<int64_t> count = ElementCount(out->shape);
  if (!count.ok()) return FieldError(name, "shape", count.status().message());
  return absl::OkStatus();
}

absl::StatusOr<NpyArray> ReadChecked(const std::string& path,
                                     absl::string_view want_descr,
                                     absl::Span<const int64_t> want_shape,
                                     NpySource* source) {
  ASSIGN_OR_RETURN(NpyArray array, ReadNpy(path));
  if (array.descr != want_descr) {
    // Integer <-> float is never done: such a file is most likely not the
    // tensor it is named after.
    return FieldError(
        path, "descr",
        absl::StrCat("expected ",
                     want_descr == "<f8" ? kF64Expected : kI64Expected,
                     ", found '", array.stored_descr, "' (",
                     array.descr == "<f8" ? "float" : "integer", ")"));
  }
  if (array.shape.size() != want_shape.size() ||
      !std::equal(want_shape.begin(), want_shape.end(), array.shape.begin(),
                  [](int64_t want, int64_t got) {
                    return want < 0 || want == got;  // < 0: any length
                  })) {
    std::string expected = ShapeRepr(want_shape);
    if (want_shape.size() == 1 && want_shape[0] < 0) expected = "(k,)";
    return FieldError(path, "shape",
                      absl::StrCat("expected ", expected, ", found ",
                                   ShapeRepr(array.shape)));
  }
  if (source != nullptr) {
    source->sha256 = array.sha256;
    source->dtype = array.stored_descr;
    source->order = array.fortran_order ? "F" : "C";
    source->conversion = array.conversion;
  }
  return array;
}

// NaN or inf in initial weights would poison every later step; catch it here.
absl::Status CheckFinite(const std::string& path, const std::vector<double>& v,
                         int64_t cols) {
  for (size_t k = 0; k < v.size(); ++k) {
    if (!std::isfinite(v[k])) {
      std::string where = absl::StrCat("index ", k);
      if (cols > 0) {
        absl::StrAppend(&where, " (row ", static_cast<int64_t>(k) / cols,
                        ", col ", static_cast<int64_t>(k) % cols, ")");
      }
      return FieldError(
          path, "data",
          absl::StrCat("expected finite values, found ", v[k], " at ", where));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EncodeNpyF64(absl::Span<const int64_t> shape,
                                         absl::Span<const double> data) {
  return Encode<double>("<f8", shape, data);
}

absl::StatusOr<std::string> EncodeNpyI64(absl::Span<const int64_t> shape,
                                         absl::Span<const int64_t> data) {
  return Encode<int64_t>("<i8", shape, data);
}

absl::Status WriteNpyF64(const std::string& path,
                         absl::Span<const int64_t> shape,
                         absl::Span<const double> data) {
  return WriteNpy<double>(path, "<f8", shape, data);
}

absl::Status WriteNpyI64(const std::string& path,
                         absl::Span<const int64_t> shape,
                         absl::Span<const int64_t> data) {
  return WriteNpy<int64_t>(path, "<i8", shape, data);
}

absl::Status WriteNpyMatrix(const std::string& path, const Matrix& m) {
  const int64_t shape[2] = {m.rows, m.cols};
  return WriteNpyF64(path, shape, m.data);
}

absl::StatusOr<NpyArray> ParseNpy(absl::string_view bytes,
                                  absl::string_view name) {
  // Magic.
  const absl::string_view magic = bytes.substr(0, kMagic.size());
  if (absl::StartsWith(bytes, absl::string_view("PK\x03\x04", 4))) {
    return FieldError(
        name, "magic",
        "expected a .npy file (\"\\x93NUMPY\"), found a zip archive (an .npz "
        "from np.savez or a torch.save file); save each tensor with np.save");
  }
  if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80) {
    return FieldError(
        name, "magic",
        "expected a .npy file (\"\\x93NUMPY\"), found a Python pickle (a "
        "legacy torch.save or pickle.dump file); save each tensor with np.save");
  }
  if (magic != kMagic) {
    if (magic.size() < kMagic.size() &&
        kMagic.substr(0, magic.size()) == magic) {
      return FieldError(name, "magic",
                        absl::StrCat("expected \"\\x93NUMPY\", found end of "
                                     "file after ",
                                     bytes.size(), " bytes (truncated)"));
    }
    return FieldError(name, "magic",
                      absl::StrCat("expected \"\\x93NUMPY\", found \"",
                                   absl::CHexEscape(magic), "\""));
  }
  // Version.
  if (bytes.size() < kMagic.size() + 2) {
    return FieldError(
        name, "version",
        absl::StrCat("expected 2 bytes after the magic, found ",
                     bytes.size() - kMagic.size(), " (truncated)"));
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  size_t len_width = 0;
  if (major == 1 && minor == 0) {
    len_width = 2;
  } else if ((major == 2 || major == 3) && minor == 0) {
    // 3.0 is 2.0 with a UTF-8 (not latin-1) header. The keys and values we
    // accept are ASCII either way; non-ASCII can only sit inside a string
    // (a structured dtype's field name), which the descr check refuses.
    len_width = 4;
  } else {
    return FieldError(
        name, "version",
        absl::StrCat("expected 1.0, 2.0 or 3.0, found ", major, ".", minor));
  }
  // Header length and header.
  const size_t header_start = kMagic.size() + 2 + len_width;
  if (bytes.size() < header_start) {
    return FieldError(
        name, "header_len",
        absl::StrCat("expected ", len_width, " bytes, found ",
                     bytes.size() - kMagic.size() - 2, " (truncated)"));
  }
  const size_t header_len = LoadLe(bytes, kMagic.size() + 2, len_width);
  if (bytes.size() - header_start < header_len) {
    return FieldError(
        name, "header",
        absl::StrCat("expected ", header_len, " bytes (header_len), found ",
                     bytes.size() - header_start, " (truncated)"));
  }
  NpyArray out;
  Element element;
  RETURN_IF_ERROR(CheckHeader(name, bytes.substr(header_start, header_len),
                              &out, &element));

  // Data: exactly prod(shape) elements of element.size bytes.
  int64_t count = 1;
  for (int64_t dim : out.shape) count *= dim;  // overflow ruled out above
  const size_t data_start = header_start + header_len;
  const size_t expected = static_cast<size_t>(count) * element.size;
  const size_t found = bytes.size() - data_start;
  if (found != expected) {
    return FieldError(
        name, "data",
        absl::StrCat("expected ", expected, " bytes (shape ",
                     ShapeRepr(out.shape), " x ", element.size, "), found ",
                     found,
                     found < expected ? " (truncated)" : " (trailing bytes)"));
  }
  const char* src = bytes.data() + data_start;
  if (element.is_float) {
    out.f64.resize(static_cast<size_t>(count));
  } else {
    out.i64.resize(static_cast<size_t>(count));
  }
  for (int64_t k = 0; k < count; ++k) {
    unsigned char raw[8];
    std::memcpy(raw, src + k * element.size, element.size);
    if (element.big_endian) std::reverse(raw, raw + element.size);
    if (element.is_float && element.size == 8) {
      std::memcpy(&out.f64[k], raw, 8);
    } else if (element.is_float) {
      float f;
      std::memcpy(&f, raw, 4);
      out.f64[k] = static_cast<double>(f);  // exact: float64 holds every float32
    } else {
      uint64_t u = 0;
      std::memcpy(&u, raw, element.size);  // little-endian host
      int64_t v;
      if (element.is_unsigned) {
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return FieldError(
              name, "data",
              absl::StrCat("expected values that convert exactly to int64, "
                           "found ",
                           u, " (uint64) at index ", k));
        }
        v = static_cast<int64_t>(u);
      } else {
        const int bits = 8 * element.size;
        v = bits == 64 ? static_cast<int64_t>(u)
                       : static_cast<int64_t>(u << (64 - bits)) >> (64 - bits);
      }
      out.i64[k] = v;
    }
  }
  // Fortran order: element (i0, i1, ...) sits at i0 + d0 * (i1 + d1 * ...).
  if (out.fortran_order && out.shape.size() > 1 && count > 0) {
    const size_t rank = out.shape.size();
    std::vector<int64_t> index(rank, 0), f_stride(rank, 1);
    for (size_t a = 1; a < rank; ++a)
      f_stride[a] = f_stride[a - 1] * out.shape[a - 1];
    auto reorder = [&](auto& values) {
      auto c_order = values;
      for (int64_t k = 0; k < count; ++k) {  // k runs over C order
        int64_t f = 0;
        for (size_t a = 0; a < rank; ++a) f += index[a] * f_stride[a];
        c_order[k] = values[f];
        for (size_t a = rank; a-- > 0;) {
          if (++index[a] < out.shape[a]) break;
          index[a] = 0;
        }
      }
      values = std::move(c_order);
    };
    if (element.is_float) {
      reorder(out.f64);
    } else {
      reorder(out.i64);
    }
  }
  out.sha256 = Sha256Hex(bytes);
  std::vector<std::string> steps;
  if (element.size != 8 || element.is_unsigned)
    steps.push_back(absl::StrCat(
        TypeName(element), " -> ", element.is_float ? "float64" : "int64",
        element.size == 8 ? " (exact: every value below 2^63)"
                          : " (exact widening)"));
  if (element.big_endian) steps.push_back("big-endian -> little-endian");
  if (out.fortran_order && out.shape.size() > 1)
    steps.push_back("Fortran order -> C order");
  out.conversion = absl::StrJoin(steps, "; ");
  return out;
}

absl::StatusOr<NpyArray> ReadNpy(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  return ParseNpy(bytes, path);
}

absl::StatusOr<Matrix> ReadNpyMatrixF64(const std::string& path, int64_t rows,
                                        int64_t cols, NpySource* source) {
  if (rows < 0 || cols < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected shape must be non-negative, found (",
                     rows, ", ", cols, ")"));
  }
  const int64_t shape[2] = {rows, cols};
  ASSIGN_OR_RETURN(NpyArray array, ReadChecked(path, "<f8", shape, source));
  RETURN_IF_ERROR(CheckFinite(path, array.f64, cols));
  Matrix m;
  m.rows = rows;
  m.cols = cols;
  m.data = std::move(array.f64);
  return m;
}

absl::StatusOr<std::vector<double>> ReadNpyVectorF64(const std::string& path,
                                                     int64_t n,
                                                     NpySource* source) {
  if (n < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected length must be non-negative, found ", n));
  }
  const int64_t shape[1] = {n};
  ASSIGN_OR_RETURN(NpyArray array, ReadChecked(path, "<f8", shape, source));
  RETURN_IF_ERROR(CheckFinite(path, array.f64, 0));
  return std::move(array.f64);
}

absl::StatusOr<std::vector<int64_t>> ReadNpyVectorI64(const std::string& path,
                                                      NpySource* source) {
  const int64_t shape[1] = {-1};
  ASSIGN_OR_RETURN(NpyArray array, ReadChecked(path, "<i8", shape, source));
  return std::move(array.i64);
}

}  // namespace initrepro
