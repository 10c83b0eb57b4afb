// The training configuration: one struct, filled from an INI file and the command line
// (`--key value` overrides the file), validated once, then passed by const reference.
// Every key is documented in README.md; keys_help() prints them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rnnsent {

struct TrainConfig {
  // Data
  std::string data;  // prepared dataset file (rnnsent_prepare's output)
  std::string output_dir = "runs/imdb";
  std::string init_from;  // a model file whose weights a new run starts from ("" = Keras init)
  // Vocabulary size incl. the 3 reserved ids; ids >= num_words -> OOV. 0 (also written `all`)
  // = the whole training vocabulary of the dataset; the trainer resolves it (resolve_num_words)
  // before anything is written, so stored configs always hold a concrete number.
  int num_words = 30000;
  int maxlen = 500;             // reviews padded / truncated to this many ids
  std::string padding = "pre";  // pre | post (for both padding and truncation)
  // Model
  std::string cell = "simple_rnn";  // rnn | simple_rnn | lstm | gru (checked by core's parse_cell)
  int embedding_dim = 128;
  int units = 64;
  bool bidirectional = false;    // a second direction reads each review last to first
  int layers = 1;                // stacked recurrent layers, 1..8
  std::string pooling = "last";  // last | mean: what the dense layer reads from the top layer
  double dropout = 0;            // rate on the embedding output during training, [0, 1)
  double word_dropout = 0;       // rate of whole tokens dropped from it, [0, 1)
  // Hashed bigram rows added to each step's word row (core/bigram.hpp); 0 = off.
  int bigram_buckets = 0;
  // Tokens after a negator that also read a hashed negated-word row (core/phrase_rows.hpp).
  int negation_scope = 0;
  // Crops for short texts (launch/lib/crop.hpp): this fraction of the training reviews is
  // replaced each epoch by a random run of crop_min..crop_max of its tokens; 0 = off.
  double crop_fraction = 0;
  int crop_min = 5, crop_max = 50;
  std::string crop_position = "anywhere";  // anywhere | ends: where a crop starts
  double projection_dropout = 0;           // rate dropped from each recurrent layer's x W, [0, 1)
  double embedding_weight_dropout = 0;     // rate of embedding matrix elements per step, [0, 1)
  // Optimisation
  int batch_size = 128;
  int epochs = 10;
  std::string optimizer = "rmsprop";  // rmsprop | adam
  double learning_rate = 1e-3;
  double rho = 0.9;                      // RMSprop
  double beta_1 = 0.9, beta_2 = 0.999;   // Adam
  double epsilon = 1e-7;                 // both
  double clipnorm = 0;                   // clip the gradient to this global L2 norm; 0 = off
  double ema_momentum = 0;               // average of the weights validation uses; 0 = off
  int warmup_steps = 0;                  // updates over which the rate ramps up linearly; 0 = off
  std::string lr_scaling = "none";       // none | linear | sqrt: scale learning_rate with the
  int lr_base_batch = 128;               //   global batch relative to this batch
  double validation_split = 0.2;         // last fraction of the shuffled training split
  std::string lr_schedule = "constant";  // constant | cosine | exponential | step, after warm-up
  int lr_decay_steps = 0;      // updates per decay period; 0 = the whole run (cosine) or one epoch
  double lr_decay_rate = 0.5;  // exponential and step: the factor per lr_decay_steps
  double lr_cosine_alpha = 0;  // cosine: the final rate as a fraction of learning_rate
  // Keras's EarlyStopping and ModelCheckpoint(save_best_only) options
  std::string early_stopping_monitor = "val_acc";  // loss | acc | val_loss | val_acc
  std::string early_stopping_mode = "auto";        // auto | min | max
  double min_delta = 0;      // a smaller change of the monitored metric is no gain
  int patience = 1;          // epochs without a gain before stopping
  int start_from_epoch = 0;  // epochs not watched at the start
  std::string checkpoint_monitor = "val_loss";  // what best_model.h5 is the best of
  // final_model.h5 holds the weights of early_stopping_monitor's best epoch, not the last one
  bool restore_best_weights = false;
  // > 0: models/epoch_NNN.h5 every epoch, and averaged_model.h5, the mean of the last this many
  // epochs' models (checkpoint averaging; rnnsent_average does it for any set)
  int average_last_epochs = 0;
  // Keras's ReduceLROnPlateau: the rate is multiplied by reduce_lr_factor after
  // reduce_lr_patience epochs without a gain of reduce_lr_min_delta in reduce_lr_monitor, then
  // not watched for reduce_lr_cooldown epochs; reductions stop at reduce_lr_min_lr.
  bool reduce_lr_on_plateau = false;
  std::string reduce_lr_monitor = "val_loss";  // loss | acc | val_loss | val_acc
  double reduce_lr_factor = 0.1;
  int reduce_lr_patience = 10;
  double reduce_lr_min_delta = 1e-4;
  int reduce_lr_cooldown = 0;
  double reduce_lr_min_lr = 0;
  std::uint64_t seed = 1;
  int threads = 0;  // OpenMP threads per rank; 0 = OMP_NUM_THREADS or all cores
  // RMSprop at P > 1: each rank updates the embedding rows it owns, then they are gathered
  bool shard_optimizer = false;
  // RMSprop at P > 1 with every rank on one host: the gradient summed in a shared-memory window
  bool shared_memory_exchange = true;
  // P = 2-4 on several hosts: each rank allgathers the embedding rows its own reviews touched
  bool sparse_exchange = true;
  int max_train = 0;  // 0 = all; else the first N training reviews after the shuffle
  int max_test = 0;   // 0 = all; else the first N test reviews (quick runs)
  int eval_batch_size = 256;
  int log_every = 20;             // batches between progress lines and steps.csv rows
  std::string progress = "auto";  // auto | bar | lines | none
  // Fault tolerance
  int checkpoint_every = 100;      // steps between resume checkpoints (0 = epoch ends only)
  int keep_checkpoints = 2;        // newest resume checkpoints kept
  int watchdog_seconds = 900;      // end the job when no step finishes for this long (0 = off)
  std::string nonfinite = "stop";  // stop | skip: what a non-finite loss or gradient does
  // Command line only
  bool overwrite = false;   // allow replacing an existing best_model.h5
  std::string resume;       // "" (fresh run), "auto" (newest valid checkpoint, if any) or a path
  std::string config_file;  // where the file values came from ("" = none)
};

// Parses argv (and the --config file it names). Throws ConfigError with a one-line message
// that names the file, key and value at fault. Returns false when --help was printed.
bool parse_train_config(int argc, const char* const* argv, TrainConfig& config);

// A configuration from INI text (as to_ini writes it and best_model.h5 stores it); label names
// the text's origin in error messages.
TrainConfig parse_config_text(const std::string& text, const std::string& label);

// Range and consistency checks; throws ConfigError naming the key and value.
void validate(const TrainConfig& config);

// The resolved configuration as INI text (what the run really used).
std::string to_ini(const TrainConfig& config);

// num_words for a dataset whose training vocabulary has V = vocabulary_size words: 0 (all)
// becomes V + 4 (ids 0-2 are reserved and 3 is unused, so the rarest word has id V + 3); a
// larger number is clamped to that, since no id of the dataset reaches beyond it (the extra
// embedding rows could never be trained).
int resolve_num_words(int num_words, std::size_t vocabulary_size);

// The first Boost.Program_options placeholder ("%value%", "%option%", ...) in an option or an
// option's value among argv, or "": Boost 1.74 loops forever building an error message about
// text that holds one. The executables refuse such arguments before Boost parses them.
std::string boost_placeholder_in_options(int argc, const char* const* argv);

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace rnnsent
