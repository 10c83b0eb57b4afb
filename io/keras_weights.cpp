// Keras-layout weights; see keras_weights.hpp. Attributes are arrays of fixed-length strings,
// the form Keras's h5 loader reads (it decodes numpy bytes).
#include "io/keras_weights.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "io/h5_util.hpp"

namespace rnnsent {
namespace {

std::string layer_of(const std::string& slot) { return slot.substr(0, slot.find('/')); }

void set_string_array_attr(H5::H5Object& obj, const std::string& name,
                           const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const std::string& v : values) width = std::max(width, v.size());
  std::vector<char> packed(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::copy(values[i].begin(), values[i].end(), packed.begin() + std::ptrdiff_t(i * width));
  H5::StrType type(H5::PredType::C_S1, width);
  type.setStrpad(H5T_STR_NULLPAD);
  const hsize_t dims[1] = {values.size()};
  H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(1, dims));
  a.write(type, packed.data());
}

std::vector<std::string> get_string_array_attr(const H5::H5Object& obj, const std::string& name) {
  if (!h5::has_attr(obj, name))
    throw std::runtime_error(h5::file_of(obj) + ": missing attribute '" + name + "'");
  H5::Attribute a = obj.openAttribute(name);
  H5::StrType type = a.getStrType();
  H5::DataSpace space = a.getSpace();
  // A scalar or 1-D array: HDF5 writes every element into the buffer, so its size must be the
  // attribute's whole element count (a 2-D attribute in a damaged file overflowed it).
  if (space.getSimpleExtentNdims() > 1)
    throw std::runtime_error(h5::file_of(obj) + ": attribute '" + name + "' is not a list");
  const hsize_t n = hsize_t(space.getSimpleExtentNpoints());
  std::vector<std::string> out;
  if (type.isVariableStr()) {
    std::vector<char*> ptrs(n, nullptr);
    a.read(type, ptrs.data());
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, ptrs.data());  // HDF5 allocated them
    return out;
  }
  const std::size_t width = type.getSize();
  std::vector<char> packed(n * width);
  a.read(type, packed.data());
  for (hsize_t i = 0; i < n; ++i) {
    std::string s(packed.data() + i * width, width);
    s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
    out.push_back(s);
  }
  return out;
}

// "simple_rnn/simple_rnn_cell/kernel:0" -> "simple_rnn/kernel";
// "bidirectional/forward_lstm/lstm_cell_1/kernel:0" -> "bidirectional/forward_lstm/kernel".
std::string slot_name(const std::string& layer, const std::string& weight_name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = weight_name.find('/', start);
    parts.push_back(weight_name.substr(start, slash == std::string::npos ? slash : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string out = layer;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string part = parts[i];
    if (i + 1 == parts.size()) {
      part = part.substr(0, part.find(':'));
    } else {
      const std::size_t cell = part.find("_cell");
      const bool is_cell =
          cell != std::string::npos && (cell + 5 == part.size() || part[cell + 5] == '_');
      if (is_cell) continue;
    }
    out += "/" + part;
  }
  return out;
}

}  // namespace

std::string keras_weight_name(const std::string& slot) {
  // A recurrent layer's weights live under its cell: "lstm_1/kernel" ->
  // "lstm_1/lstm_cell_1/kernel:0", "bidirectional/forward_gru/bias" ->
  // "bidirectional/forward_gru/gru_cell/bias:0". Keras's loader reads weights by position
  // within a layer, so these names only have to look like Keras's.
  const std::size_t last = slot.rfind('/');
  const std::string owner = slot.substr(0, last), weight = slot.substr(last + 1);
  std::string inner = owner.substr(owner.rfind('/') + 1);  // "lstm_1", "forward_gru"
  for (const char* direction : {"forward_", "backward_"})
    if (inner.rfind(direction, 0) == 0) inner = inner.substr(std::string(direction).size());
  for (const char* cell : {"simple_rnn", "lstm", "gru"}) {
    const std::string base = cell;
    if (inner.rfind(base, 0) != 0) continue;
    const std::string suffix = inner.substr(base.size());  // "", or "_1", "_2", ...
    if (!suffix.empty() && suffix[0] != '_') continue;
    return owner + "/" + base + "_cell" + suffix + "/" + weight + ":0";
  }
  return slot + ":0";
}

void write_keras_weights(H5::H5File& file, const std::vector<NamedTensor>& weights) {
  H5::Group root = file.createGroup("model_weights");
  std::vector<std::string> layers;
  for (const NamedTensor& t : weights)
    if (std::find(layers.begin(), layers.end(), layer_of(t.name)) == layers.end())
      layers.push_back(layer_of(t.name));
  set_string_array_attr(root, "layer_names", layers);
  h5::set_attr(root, "backend", std::string("tensorflow"));
  h5::set_attr(root, "keras_version", std::string("2.11.0"));
  for (const std::string& layer : layers) {
    H5::Group g = root.createGroup(layer);
    std::vector<std::string> names;
    for (const NamedTensor& t : weights) {
      if (layer_of(t.name) != layer) continue;
      const std::string name = keras_weight_name(t.name);
      names.push_back(name);
      // Keras's names contain '/': intermediate groups, as h5py creates them.
      H5::Group parent = g;
      std::size_t start = 0, slash;
      while ((slash = name.find('/', start)) != std::string::npos) {
        const std::string part = name.substr(start, slash - start);
        parent = h5::has(parent, part) ? parent.openGroup(part) : parent.createGroup(part);
        start = slash + 1;
      }
      h5::write_array(parent, name.substr(start), t.values.data(),
                      std::vector<hsize_t>(t.shape.begin(), t.shape.end()));
    }
    set_string_array_attr(g, "weight_names", names);
  }
}

static bool has_keras_weights_unguarded(const std::string& path) {
  H5::H5File file = h5::open_read(path);
  return h5::has(file, "model_weights") || h5::has_attr(file, "layer_names");
}

bool has_keras_weights(const std::string& path) {
  return h5::guard(path, [&] { return has_keras_weights_unguarded(path); });
}

static std::vector<NamedTensor> read_keras_weights_unguarded(const std::string& path) {
  H5::H5File file = h5::open_read(path);
  // model.save() files hold the weights under /model_weights; save_weights() files at the root.
  H5::Group root =
      h5::has(file, "model_weights") ? file.openGroup("model_weights") : file.openGroup("/");
  std::vector<NamedTensor> out;
  for (const std::string& layer : get_string_array_attr(root, "layer_names")) {
    if (!h5::has(root, layer))
      throw std::runtime_error(path + ": layer '" + layer + "' listed but missing");
    const H5::Group g = root.openGroup(layer);
    for (const std::string& name : get_string_array_attr(g, "weight_names")) {
      NamedTensor t;
      std::vector<hsize_t> shape;
      t.values = h5::read_array<float>(g, name, &shape);
      t.shape.assign(shape.begin(), shape.end());
      t.name = slot_name(layer, name);
      out.push_back(std::move(t));
    }
  }
  return out;
}

std::vector<NamedTensor> read_keras_weights(const std::string& path) {
  return h5::guard(path, [&] { return read_keras_weights_unguarded(path); });
}

}  // namespace rnnsent
