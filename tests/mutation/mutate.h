// Deterministic mutations of valid files, for the parsers of outside data.
//
// Mutator(seed) draws from one pcg32 stream (fixed seed: the same mutations
// on every machine and run), so a failure is reproducible by its case
// number. Each case applies 1-3 of: a bit flip, a random byte, a
// truncation, an extension, an edit inside the header, an insertion, a
// deleted range, a digit changed into another digit (numbers in text
// headers), a duplicated range.
#ifndef INITREPRO_TESTS_MUTATION_MUTATE_H_
#define INITREPRO_TESTS_MUTATION_MUTATE_H_

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "pcg_random.hpp"

namespace initrepro {

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  // `header` bytes at the front are the format's header (edited more often).
  std::string Mutate(const std::string& original, size_t header) {
    std::string s = original;
    const int edits = 1 + Below(3);
    for (int e = 0; e < edits; ++e) Once(&s, header);
    return s;
  }

 private:
  uint32_t Below(uint64_t n) {
    return n == 0 ? 0 : static_cast<uint32_t>(rng_(static_cast<uint32_t>(n)));
  }
  char Byte() { return static_cast<char>(Below(256)); }

  void Once(std::string* s, size_t header) {
    const size_t n = s->size();
    const size_t h = std::min(std::max<size_t>(header, 1), std::max<size_t>(n, 1));
    switch (Below(9)) {
      case 0:  // one bit
        if (n) (*s)[Below(n)] ^= static_cast<char>(1u << Below(8));
        break;
      case 1:  // one byte
        if (n) (*s)[Below(n)] = Byte();
        break;
      case 2:  // truncation
        s->resize(Below(n + 1));
        break;
      case 3: {  // extension
        const int k = 1 + Below(64);
        for (int i = 0; i < k; ++i) s->push_back(Byte());
        break;
      }
      case 4:  // header edit: flip, set, insert or delete inside the header
        switch (Below(4)) {
          case 0: if (n) (*s)[Below(h)] ^= static_cast<char>(1u << Below(8)); break;
          case 1: if (n) (*s)[Below(h)] = static_cast<char>(32 + Below(95)); break;
          case 2: s->insert(s->begin() + Below(h + 1), static_cast<char>(32 + Below(95))); break;
          case 3: if (n) s->erase(Below(h), 1); break;
        }
        break;
      case 5:  // insertion
        s->insert(s->begin() + Below(n + 1), Byte());
        break;
      case 6:  // deleted range
        if (n) {
          const size_t at = Below(n);
          s->erase(at, 1 + Below(16));
        }
        break;
      case 7: {  // a digit becomes another digit (first in a random window)
        if (!n) break;
        const size_t start = Below(n);
        for (size_t i = 0; i < n; ++i) {
          char& c = (*s)[(start + i) % n];
          if (std::isdigit(static_cast<unsigned char>(c))) {
            c = static_cast<char>('0' + Below(10));
            break;
          }
        }
        break;
      }
      case 8:  // duplicated range
        if (n) {
          const size_t at = Below(n);
          const std::string chunk = s->substr(at, 1 + Below(32));
          s->insert(Below(s->size() + 1), chunk);
        }
        break;
    }
  }

  pcg32 rng_;
};

// Outcome counts of one parser's mutation test, printed at the end.
struct Tally {
  std::map<std::string, int> counts;
  void Add(const std::string& outcome) { ++counts[outcome]; }
  int Total() const {
    int t = 0;
    for (const auto& [k, v] : counts) t += v;
    return t;
  }
  void Print(const char* parser) const {
    std::printf("%s: %d mutations:", parser, Total());
    for (const auto& [k, v] : counts) std::printf(" %s %d,", k.c_str(), v);
    std::printf("\n");
  }
};

}  // namespace initrepro

#endif  // INITREPRO_TESTS_MUTATION_MUTATE_H_
