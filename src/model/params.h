// Params: the model's tensors as one contiguous float64 buffer with named
// views, in PyTorch state_dict names and layouts (Linear weight is out x in).
//
// One buffer each for parameters, gradients and Adam moments (all with this
// layout) keeps AdamW a flat loop and makes hashing or saving the whole
// state one call. The embedding comes first so a frozen embedding is simply
// a prefix the optimiser skips.
#ifndef INITREPRO_SRC_MODEL_PARAMS_H_
#define INITREPRO_SRC_MODEL_PARAMS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace initrepro {

struct ModelShape {
  int64_t vocab = 59;    // V: rows of the embedding
  int64_t dim = 128;     // d: embedding width; layer 0 reads 2d
  int64_t hidden = 100;  // width of both hidden layers
  int64_t classes = 59;  // C: logits
};

// Tensor order in the buffer; also the order of files and digests.
enum TensorId {
  kEmbedding = 0,
  kW0, kB0, kW1, kB1, kW2, kB2,
  kNumTensors
};

struct TensorSpec {
  std::string name;             // PyTorch state_dict name
  std::vector<int64_t> shape;   // (rows, cols) or (n,)
  int64_t offset = 0;           // into the flat buffer
  int64_t size = 0;
  int64_t fan_in = 0;           // PyTorch's init bound is 1/sqrt(fan_in)
};

class ParamLayout {
 public:
  explicit ParamLayout(const ModelShape& shape);
  const ModelShape& shape() const { return shape_; }
  const TensorSpec& spec(int id) const { return specs_[id]; }
  int64_t total() const { return total_; }

 private:
  ModelShape shape_;
  std::array<TensorSpec, kNumTensors> specs_;
  int64_t total_ = 0;
};

// A flat buffer with the layout's views.
struct ParamBuffer {
  explicit ParamBuffer(const ParamLayout& layout)
      : values(static_cast<size_t>(layout.total()), 0.0) {}
  std::vector<double> values;

  absl::Span<double> view(const ParamLayout& layout, int id) {
    const TensorSpec& s = layout.spec(id);
    return absl::MakeSpan(values.data() + s.offset, s.size);
  }
  absl::Span<const double> view(const ParamLayout& layout, int id) const {
    const TensorSpec& s = layout.spec(id);
    return absl::MakeConstSpan(values.data() + s.offset, s.size);
  }
};

}  // namespace initrepro

#endif  // INITREPRO_SRC_MODEL_PARAMS_H_
