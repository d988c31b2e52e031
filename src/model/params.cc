#include "src/model/params.h"

namespace initrepro {

ParamLayout::ParamLayout(const ModelShape& shape) : shape_(shape) {
  const int64_t v = shape.vocab, d = shape.dim, h = shape.hidden,
                c = shape.classes;
  specs_[kEmbedding] = {"embedding", {v, d}, 0, v * d, 0};
  specs_[kW0] = {"linears.0.weight", {h, 2 * d}, 0, h * 2 * d, 2 * d};
  specs_[kB0] = {"linears.0.bias", {h}, 0, h, 2 * d};
  specs_[kW1] = {"linears.1.weight", {h, h}, 0, h * h, h};
  specs_[kB1] = {"linears.1.bias", {h}, 0, h, h};
  specs_[kW2] = {"linears.2.weight", {c, h}, 0, c * h, h};
  specs_[kB2] = {"linears.2.bias", {c}, 0, c, h};
  int64_t offset = 0;
  for (TensorSpec& s : specs_) {
    s.offset = offset;
    offset += s.size;
  }
  total_ = offset;
}

}  // namespace initrepro
