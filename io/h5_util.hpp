// Small helpers over HDF5's C++ API shared by every rnnsent file (dataset, model, history):
// typed 1-D and N-D datasets, string and scalar attributes, and opening a file with an error
// that names it. HDF5's own error-stack printing is switched off; failures become
// std::runtime_error messages that name the file and the object.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rnnsent::h5 {

// Opens path read-only. Throws "<path>: no such file", "<path>: not an HDF5 file" or
// "<path>: cannot open (<reason>)".
H5::H5File open_read(const std::string& path);

// Creates (truncates) path for writing (tests that build damaged files).
H5::H5File create(const std::string& path);

// Every rnnsent output file is built in memory (HDF5's core driver, no backing store) and
// saved with save_atomically: a full disk then fails in a checked write(2), never inside
// HDF5's close, which cannot report it and left the library in a state that crashed at exit.
H5::H5File create_in_memory(const std::string& path);
// The file's image written to path.tmp, flushed and renamed over path; path.tmp is removed
// on failure. file stays open (its destructor closes it; nothing is pending on disk).
void save_atomically(H5::H5File& file, const std::string& path,
                     const std::function<void()>& before_publish = {});

template <typename T>
H5::PredType pred_type();

// Writes a contiguous array with the given shape (row-major); shape's product must equal n.
template <typename T>
void write_array(H5::Group& group, const std::string& name, const T* data,
                 const std::vector<hsize_t>& shape);

template <typename T>
void write_vector(H5::Group& group, const std::string& name, const std::vector<T>& values) {
  write_array(group, name, values.data(), {hsize_t(values.size())});
}

// Reads a whole dataset, converting to T. Throws naming file and dataset when missing.
// shape (optional) receives its dimensions.
template <typename T>
std::vector<T> read_array(const H5::Group& group, const std::string& name,
                          std::vector<hsize_t>* shape = nullptr);

bool has(const H5::Group& group, const std::string& name);

// Throws naming the file and dataset unless it is stored as integers (read_array checks the
// same; this is for datasets read in slices).
void check_integer_dataset(const H5::Group& group, const std::string& name);
// Throws "<where> claims N elements but stores B bytes" when a dataset's extent (n elements)
// needs more bytes than it stores: a damaged header must not make a reader allocate for it.
// Unfiltered data is stored whole; a filtered (compressed) dataset may claim up to 1100 times.
void check_extent(const H5::DataSet& ds, hsize_t n, const std::string& where);

// Variable-length UTF-8 string datasets (for vocabularies).
void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& v);
std::vector<std::string> read_strings(const H5::Group& group, const std::string& name);

// Attributes on a group or file.
void set_attr(H5::H5Object& obj, const std::string& name, const std::string& value);
void set_attr(H5::H5Object& obj, const std::string& name, std::int64_t value);
void set_attr(H5::H5Object& obj, const std::string& name, double value);
std::string get_string_attr(const H5::H5Object& obj, const std::string& name);
std::int64_t get_int_attr(const H5::H5Object& obj, const std::string& name);
// The same, refused (naming it) when it does not fit an int: 2^32 + 8 must not read as 8.
int get_int32_attr(const H5::H5Object& obj, const std::string& name);
double get_double_attr(const H5::H5Object& obj, const std::string& name);
bool has_attr(const H5::H5Object& obj, const std::string& name);

// The format_version of an rnnsent file after checking its kind attribute. Throws one line
// naming path: "not an rnnsent <what> (no kind = ...)" or "<what> format version N, this build
// reads oldest to newest".
int checked_format_version(const H5::H5File& file, const std::string& path, const std::string& kind,
                           const std::string& what, int oldest, int newest);

// Name of the file an object belongs to, for messages.
std::string file_of(const H5::H5Object& obj);

// Runs fn() and turns an H5::Exception escaping it (HDF5 failing on a damaged file) into the
// one-line std::runtime_error naming path. HDF5's C++ exceptions are not std::exceptions: one
// that escaped a reader ended the executable in std::terminate (found by fuzzing).
template <typename Fn>
auto guard(const std::string& path, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot read (" + e.getDetailMsg() +
                             "); the file may be truncated or damaged");
  }
}

}  // namespace rnnsent::h5
