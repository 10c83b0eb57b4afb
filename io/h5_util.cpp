// HDF5 helpers: see h5_util.hpp. Every H5::Exception is turned into one readable line.
#include "io/h5_util.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <stdexcept>
#include <type_traits>

#include "io/atomic_file.hpp"

namespace rnnsent::h5 {
namespace {

struct SilenceHdf5 {
  SilenceHdf5() { H5::Exception::dontPrint(); }
};
const SilenceHdf5 silence_hdf5_once;

std::runtime_error error(const H5::H5Object& obj, const std::string& what) {
  return std::runtime_error(file_of(obj) + ": " + what);
}

std::string class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floating-point numbers";
    case H5T_STRING:
      return "strings";
    default:
      return "a non-numeric type";
  }
}

// Attributes rnnsent reads are single values: HDF5 writes every element of the attribute into
// the caller's buffer, so an attribute that a damaged file gives more elements would overflow it.
void check_single(const H5::H5Object& obj, const H5::Attribute& a, const std::string& name) {
  if (a.getSpace().getSimpleExtentNpoints() != 1)
    throw error(obj, "attribute '" + name + "' is not a single value");
}

}  // namespace

void check_extent(const H5::DataSet& ds, hsize_t n, const std::string& where) {
  if (n == 0) return;
  const hsize_t stored = ds.getStorageSize();
  const std::size_t element = ds.getDataType().getSize();
  const hsize_t ratio = ds.getCreatePlist().getNfilters() > 0 ? 1100 : 1;
  if (element == 0 || n > stored / element * ratio)
    throw std::runtime_error(where + " claims " + std::to_string(n) + " elements but stores " +
                             std::to_string(stored) + " bytes (file damaged)");
}

std::string file_of(const H5::H5Object& obj) {
  try {
    return obj.getFileName();
  } catch (const H5::Exception&) {
    return "<hdf5 file>";
  }
}

H5::H5File open_read(const std::string& path) {
  H5::Exception::dontPrint();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error(path + ": no such file");
  if (S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a directory, not an HDF5 file");
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 <= 0) throw std::runtime_error(path + ": not an HDF5 file (or truncated)");
  try {
    return H5::H5File(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot open as HDF5 (" + e.getDetailMsg() +
                             "); the file may be truncated or damaged");
  }
}

H5::H5File create(const std::string& path) {
  H5::Exception::dontPrint();
  try {
    return H5::H5File(path, H5F_ACC_TRUNC);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot create (" + e.getDetailMsg() + ")");
  }
}

H5::H5File create_in_memory(const std::string& path) {
  H5::Exception::dontPrint();
  try {
    H5::FileAccPropList access;
    access.setCore(std::size_t(1) << 20, /*backing_store=*/false);
    return H5::H5File(path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot create in memory (" + e.getDetailMsg() + ")");
  }
}

void save_atomically(H5::H5File& file, const std::string& path,
                     const std::function<void()>& before_publish) {
  std::vector<char> image;
  try {
    file.flush(H5F_SCOPE_GLOBAL);
    const ssize_t n = H5Fget_file_image(file.getId(), nullptr, 0);
    if (n < 0) throw std::runtime_error(path + ": cannot build the file image");
    image.resize(std::size_t(n));
    if (H5Fget_file_image(file.getId(), image.data(), image.size()) != n)
      throw std::runtime_error(path + ": cannot build the file image");
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot build the file image (" + e.getDetailMsg() + ")");
  }
  write_bytes_atomically(path, image.data(), image.size(), before_publish);
}

template <>
H5::PredType pred_type<float>() {
  return H5::PredType::NATIVE_FLOAT;
}
template <>
H5::PredType pred_type<double>() {
  return H5::PredType::NATIVE_DOUBLE;
}
template <>
H5::PredType pred_type<std::int32_t>() {
  return H5::PredType::NATIVE_INT32;
}
template <>
H5::PredType pred_type<std::int64_t>() {
  return H5::PredType::NATIVE_INT64;
}
template <>
H5::PredType pred_type<std::uint8_t>() {
  return H5::PredType::NATIVE_UINT8;
}

template <typename T>
void write_array(H5::Group& group, const std::string& name, const T* data,
                 const std::vector<hsize_t>& shape) {
  try {
    H5::DataSpace space(int(shape.size()), shape.data());
    H5::DataSet ds = group.createDataSet(name, pred_type<T>(), space);
    hsize_t n = 1;
    for (hsize_t d : shape) n *= d;
    if (n > 0) ds.write(data, pred_type<T>());
  } catch (const H5::Exception& e) {
    throw error(group, "cannot write dataset '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

template <typename T>
std::vector<T> read_array(const H5::Group& group, const std::string& name,
                          std::vector<hsize_t>* shape) {
  if (!has(group, name)) throw error(group, "missing dataset '" + name + "'");
  try {
    H5::DataSet ds = group.openDataSet(name);
    // HDF5 converts silently between classes: labels stored as 0.7 would read as 0, token ids
    // as floats would be truncated. Integers must be stored as integers, reals as reals.
    const H5T_class_t stored = ds.getTypeClass();
    const H5T_class_t wanted = std::is_integral<T>::value ? H5T_INTEGER : H5T_FLOAT;
    if (stored != wanted)
      throw error(group, "dataset '" + name + "' is stored as " + class_name(stored) +
                             ", expected " + class_name(wanted));
    H5::DataSpace space = ds.getSpace();
    int rank = space.getSimpleExtentNdims();
    std::vector<hsize_t> dims(std::size_t(rank > 0 ? rank : 0));
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    hsize_t n = 1;
    for (hsize_t d : dims) n *= d;
    check_extent(ds, n, file_of(group) + ": dataset '" + name + "'");
    std::vector<T> out(n);
    if (n > 0) ds.read(out.data(), pred_type<T>());
    if (shape) *shape = dims;
    return out;
  } catch (const H5::Exception& e) {
    throw error(group, "cannot read dataset '" + name + "' (" + e.getDetailMsg() +
                           "); the file may be truncated or damaged");
  }
}

#define RNNSENT_H5_INSTANTIATE(T)                                             \
  template void write_array<T>(H5::Group&, const std::string&, const T*,      \
                               const std::vector<hsize_t>&);                  \
  template std::vector<T> read_array<T>(const H5::Group&, const std::string&, \
                                        std::vector<hsize_t>*);
RNNSENT_H5_INSTANTIATE(float)
RNNSENT_H5_INSTANTIATE(double)
RNNSENT_H5_INSTANTIATE(std::int32_t)
RNNSENT_H5_INSTANTIATE(std::int64_t)
RNNSENT_H5_INSTANTIATE(std::uint8_t)
#undef RNNSENT_H5_INSTANTIATE

void check_integer_dataset(const H5::Group& group, const std::string& name) {
  const H5T_class_t stored = group.openDataSet(name).getTypeClass();
  if (stored != H5T_INTEGER)
    throw error(
        group, "dataset '" + name + "' is stored as " + class_name(stored) + ", expected integers");
}

bool has(const H5::Group& group, const std::string& name) {
  try {
    return group.nameExists(name);
  } catch (const H5::Exception&) {
    return false;
  }
}

void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& v) {
  try {
    std::vector<const char*> ptrs(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) ptrs[i] = v[i].c_str();
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(H5T_CSET_UTF8);
    hsize_t dims[1] = {hsize_t(v.size())};
    H5::DataSpace space(1, dims);
    H5::DataSet ds = group.createDataSet(name, type, space);
    if (!v.empty()) ds.write(ptrs.data(), type);
  } catch (const H5::Exception& e) {
    throw error(group, "cannot write strings '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

std::vector<std::string> read_strings(const H5::Group& group, const std::string& name) {
  if (!has(group, name)) throw error(group, "missing dataset '" + name + "'");
  try {
    H5::DataSet ds = group.openDataSet(name);
    H5::DataSpace space = ds.getSpace();
    if (space.getSimpleExtentNdims() != 1) throw error(group, "'" + name + "' is not 1-D");
    hsize_t n = 0;
    space.getSimpleExtentDims(&n);
    check_extent(ds, n, file_of(group) + ": dataset '" + name + "'");
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(H5T_CSET_UTF8);
    std::vector<char*> ptrs(n, nullptr);
    if (n > 0) ds.read(ptrs.data(), type);
    std::vector<std::string> out(n);
    for (hsize_t i = 0; i < n; ++i) out[i] = ptrs[i] ? ptrs[i] : "";
    if (n > 0) H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
    return out;
  } catch (const H5::Exception& e) {
    throw error(group, "cannot read strings '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

int checked_format_version(const H5::H5File& file, const std::string& path, const std::string& kind,
                           const std::string& what, int oldest, int newest) {
  if (!has_attr(file, "kind") || get_string_attr(file, "kind") != kind)
    throw std::runtime_error(path + ": not an rnnsent " + what + " (no kind = \"" + kind + "\")");
  const int version = get_int32_attr(file, "format_version");
  if (version < oldest || version > newest)
    throw std::runtime_error(path + ": " + what + " format version " + std::to_string(version) +
                             ", this build reads " + std::to_string(oldest) + " to " +
                             std::to_string(newest));
  return version;
}

bool has_attr(const H5::H5Object& obj, const std::string& name) {
  try {
    return obj.attrExists(name);
  } catch (const H5::Exception&) {
    return false;
  }
}

void set_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  // Fixed-length strings: the form Keras's loader and h5py read without surprises.
  H5::StrType type(H5::PredType::C_S1, value.empty() ? 1 : value.size());
  H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  a.write(type, value.empty() ? std::string(1, '\0') : value);
}

void set_attr(H5::H5Object& obj, const std::string& name, std::int64_t value) {
  H5::Attribute a =
      obj.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_INT64, &value);
}

void set_attr(H5::H5Object& obj, const std::string& name, double value) {
  H5::Attribute a =
      obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_DOUBLE, &value);
}

std::string get_string_attr(const H5::H5Object& obj, const std::string& name) {
  if (!has_attr(obj, name)) throw error(obj, "missing attribute '" + name + "'");
  try {
    H5::Attribute a = obj.openAttribute(name);
    check_single(obj, a, name);
    std::string value;
    a.read(a.getStrType(), value);
    while (!value.empty() && value.back() == '\0') value.pop_back();
    return value;
  } catch (const H5::Exception& e) {
    throw error(obj, "attribute '" + name + "' is not a string");
  }
}

int get_int32_attr(const H5::H5Object& obj, const std::string& name) {
  const std::int64_t v = get_int_attr(obj, name);
  if (v < INT32_MIN || v > INT32_MAX)
    throw error(obj, "attribute '" + name + "' = " + std::to_string(v) + " is out of range");
  return int(v);
}

std::int64_t get_int_attr(const H5::H5Object& obj, const std::string& name) {
  if (!has_attr(obj, name)) throw error(obj, "missing attribute '" + name + "'");
  try {
    std::int64_t v = 0;
    H5::Attribute a = obj.openAttribute(name);
    if (a.getTypeClass() != H5T_INTEGER)
      throw error(obj, "attribute '" + name + "' is not an integer");
    check_single(obj, a, name);
    a.read(H5::PredType::NATIVE_INT64, &v);
    return v;
  } catch (const H5::Exception&) {
    throw error(obj, "attribute '" + name + "' is not an integer");
  }
}

double get_double_attr(const H5::H5Object& obj, const std::string& name) {
  if (!has_attr(obj, name)) throw error(obj, "missing attribute '" + name + "'");
  try {
    double v = 0;
    H5::Attribute a = obj.openAttribute(name);
    check_single(obj, a, name);
    a.read(H5::PredType::NATIVE_DOUBLE, &v);
    return v;
  } catch (const H5::Exception&) {
    throw error(obj, "attribute '" + name + "' is not a number");
  }
}

}  // namespace rnnsent::h5
