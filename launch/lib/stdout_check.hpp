// Standard output is a result file for rnnsent_predict, rnnsent_eval and rnnsent_ckpt: a write
// that fails (a full disk, /dev/full, a closed pipe with SIGPIPE ignored) must end the program
// with an error, not exit 0 with rows missing. stdio only reports it through ferror/fflush.
#pragma once

namespace rnnsent {

// Flushes stdout; throws "cannot write to standard output (<reason>)" when that or any earlier
// write to it failed.
void check_stdout();

}  // namespace rnnsent
