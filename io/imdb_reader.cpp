// Reader for the official aclImdb tree (imdb_reader.hpp). File names are parsed strictly so a
// stray file is reported rather than silently becoming a review; files are read with one
// read() each, in parallel, into a list whose order does not depend on the directory listing.
#include "io/imdb_reader.hpp"

#include <fcntl.h>
#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace rnnsent {
namespace {

namespace fs = std::filesystem;

struct ReviewFile {
  std::string path;
  std::int32_t id = 0;
  std::uint8_t rating = 0;
  std::uint8_t label = 0;
};

// Parses "ID_RATING.txt": ID a non-negative int32, RATING in 1..10.
bool parse_name(std::string_view name, std::int32_t& id, std::uint8_t& rating) {
  constexpr std::string_view kExt = ".txt";
  if (name.size() <= kExt.size() || name.substr(name.size() - kExt.size()) != kExt) return false;
  name.remove_suffix(kExt.size());
  const std::size_t sep = name.find('_');
  if (sep == std::string_view::npos) return false;
  auto parse_digits = [](std::string_view s, std::int64_t limit, std::int64_t& value) {
    if (s.empty() || s.size() > 10) return false;
    value = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    return value <= limit;
  };
  std::int64_t id_value = 0, rating_value = 0;
  if (!parse_digits(name.substr(0, sep), 0x7fffffff, id_value)) return false;
  if (!parse_digits(name.substr(sep + 1), 10, rating_value) || rating_value < 1) return false;
  id = std::int32_t(id_value);
  rating = std::uint8_t(rating_value);
  return true;
}

std::vector<ReviewFile> list_class_dir(const fs::path& dir, std::uint8_t label) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw std::runtime_error(dir.string() +
                             ": no such directory (expected the aclImdb layout "
                             "DIR/{train,test}/{pos,neg}/ID_RATING.txt)");
  }
  std::vector<ReviewFile> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    ReviewFile f;
    const std::string name = it->path().filename().string();
    if (!parse_name(name, f.id, f.rating)) {
      throw std::runtime_error(it->path().string() +
                               ": file name is not ID_RATING.txt (RATING 1..10)");
    }
    f.path = it->path().string();
    f.label = label;
    files.push_back(std::move(f));
  }
  if (ec) throw std::runtime_error(dir.string() + ": cannot list directory (" + ec.message() + ")");
  std::sort(files.begin(), files.end(), [](const ReviewFile& a, const ReviewFile& b) {
    return a.id != b.id ? a.id < b.id : a.rating < b.rating;
  });
  return files;
}

// Returns an empty string on success, else the error message (exceptions must not leave an
// OpenMP region).
std::string read_whole_file(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return path + ": cannot open (" + std::strerror(errno) + ")";
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return path + ": not a regular file";
  }
  out.resize(std::size_t(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = n < 0 ? std::strerror(errno) : "file shrank while reading";
      ::close(fd);
      return path + ": cannot read (" + reason + ")";
    }
    done += std::size_t(n);
  }
  ::close(fd);
  return {};
}

}  // namespace

std::vector<RawReview> read_imdb_split(const std::string& imdb_dir, const std::string& split) {
  std::error_code ec;
  if (!fs::is_directory(imdb_dir, ec)) {
    throw std::runtime_error(imdb_dir + ": no such directory (expected the extracted aclImdb)");
  }
  const fs::path split_dir = fs::path(imdb_dir) / split;
  if (!fs::is_directory(split_dir, ec)) {
    throw std::runtime_error(split_dir.string() + ": no such directory (expected split '" + split +
                             "' with pos/ and neg/)");
  }
  std::vector<ReviewFile> files = list_class_dir(split_dir / "pos", 1);
  std::vector<ReviewFile> neg = list_class_dir(split_dir / "neg", 0);
  files.insert(files.end(), std::make_move_iterator(neg.begin()),
               std::make_move_iterator(neg.end()));
  if (files.empty()) {
    throw std::runtime_error(split_dir.string() + ": split holds no review (pos/ and neg/ empty)");
  }

  const std::int64_t n = std::int64_t(files.size());
  std::vector<RawReview> reviews(files.size());
  std::vector<std::string> errors(files.size());
  // Reading 25,000 small files from a cold cache waits on the disk, not the CPU: more readers in
  // flight than cores keep the device busy (4.1 s -> see docs/PERFORMANCE.md). Each file goes
  // to its own slot, so the result does not depend on the thread count.
  const int readers = std::max(16, omp_get_max_threads());
#pragma omp parallel for schedule(dynamic, 64) num_threads(readers)
  for (std::int64_t i = 0; i < n; ++i) {
    errors[i] = read_whole_file(files[i].path, reviews[i].text);
    reviews[i].id = files[i].id;
    reviews[i].rating = files[i].rating;
    reviews[i].label = files[i].label;
  }
  // The first failure in file order, so the message is the same for any thread count.
  for (const std::string& e : errors) {
    if (!e.empty()) throw std::runtime_error(e);
  }
  return reviews;
}

}  // namespace rnnsent
