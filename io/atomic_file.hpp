// Publishing a finished file so that a crash at any moment leaves either the old file or the
// new one, never a half-written one: the data is written to PATH.tmp by the caller, then
// flushed to disk (fsync), renamed over PATH, and the directory entry flushed too.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace rnnsent {

// fsync(tmp), rename(tmp, path), fsync(directory of path). Throws naming the file.
void publish_file(const std::string& tmp, const std::string& path);

// Writes text to path.tmp and publishes it.
void write_text_atomically(const std::string& path, const std::string& text);

// Writes n bytes to path.tmp with checked write(2) calls and publishes it. On any failure (a
// full disk, a read-only directory) path.tmp is removed and the error names it; path keeps its
// old content. before_publish (tests) runs with path.tmp complete, before the rename.
void write_bytes_atomically(const std::string& path, const void* data, std::size_t n,
                            const std::function<void()>& before_publish = {});

}  // namespace rnnsent
