#!/usr/bin/env bash
# Produces the prepared dataset file (default data/imdb.h5) from the IMDB reviews.
#   --archive PATH   an aclImdb_v1 .tar.gz (extracted under data/)
#   --imdb-dir DIR   an already extracted aclImdb directory
# With neither, the official archive is downloaded from the dataset's public address; offline
# that fails with a message naming --archive. An existing output is kept (it is reused).
set -euo pipefail
cd "$(dirname "$0")/.."
archive="" imdb_dir="" output="data/imdb.h5"
official_url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
while [ $# -gt 0 ]; do
  case "$1" in
    --archive) archive="${2:?--archive needs a path}"; shift 2 ;;
    --imdb-dir) imdb_dir="${2:?--imdb-dir needs a directory}"; shift 2 ;;
    --output) output="${2:?--output needs a path}"; shift 2 ;;
    *) echo "prepare_data.sh: unknown option '$1' (use --archive PATH, --imdb-dir DIR, --output FILE)" >&2; exit 2 ;;
  esac
done
if [ -f "$output" ]; then
  echo "prepare_data.sh: $output exists; reusing it (delete it to prepare again)"
  exit 0
fi
mkdir -p data
if [ -z "$imdb_dir" ]; then
  if [ -z "$archive" ]; then
    archive="data/aclImdb_v1.tar.gz"
    if [ ! -f "$archive" ]; then
      echo "prepare_data.sh: no --archive given; downloading $official_url"
      if ! curl -fsL --connect-timeout 20 -o "$archive.part" "$official_url"; then
        rm -f "$archive.part"
        echo "prepare_data.sh: error: cannot download the IMDB archive (offline?); pass --archive PATH to a local aclImdb_v1 .tar.gz or --imdb-dir DIR" >&2
        exit 1
      fi
      mv "$archive.part" "$archive"
    fi
  fi
  [ -f "$archive" ] || { echo "prepare_data.sh: error: --archive $archive: no such file" >&2; exit 1; }
  rm -rf data/extract && mkdir -p data/extract
  tar -xzf "$archive" -C data/extract || { echo "prepare_data.sh: error: --archive $archive: not a readable .tar.gz" >&2; exit 1; }
  imdb_dir="data/extract/aclImdb"
fi
build/bin/rnnsent_prepare --imdb-dir "$imdb_dir" --output "$output"
