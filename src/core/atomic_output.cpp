#include "core/atomic_output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "core/flush_behind.hpp"
#include "core/interrupt.hpp"
#include "core/quote.hpp"
#include "core/suggest.hpp"

namespace sqlflow::files {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTmpTag = ".sqlflow-tmp-";
constexpr const char* kOldTag = ".sqlflow-old-";

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

std::string random_hex() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist(0, 0xffffffffu);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", dist(rd));
  return buf;
}

std::string temp_name(const fs::path& target, const char* tag) {
  return "." + target.filename().string() + tag + std::to_string(::getpid()) + "-" + random_hex();
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (pid == static_cast<long>(::getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// pid encoded in a debris name after `tag` ("…<tag><pid>-<random>[…]"), or -1.
long debris_pid(const std::string& name, size_t tag_end) {
  size_t dash = name.find('-', tag_end);
  if (dash == std::string::npos || dash == tag_end) return -1;
  long pid = 0;
  for (size_t i = tag_end; i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9' || pid > 100000000) return -1;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

void fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw data_error("cannot open '" + p.string() + "' to flush it: " + errno_text(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL)
    throw data_error("cannot flush '" + p.string() + "' to disk: " + errno_text(err));
}

void fsync_tree(const fs::path& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec))
      fsync_path(it->path(), true);
    else if (it->is_regular_file(ec))
      fsync_path(it->path(), false);
  }
  if (ec) throw data_error("cannot walk '" + dir.string() + "': " + ec.message());
  fsync_path(dir, true);
}

void append_file(const fs::path& from, const fs::path& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw data_error("cannot read '" + from.string() + "': " + errno_text(errno));
  int out = ::open(to.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (out < 0) {
    int err = errno;
    ::close(in);
    throw data_error("cannot write '" + to.string() + "': " + errno_text(err));
  }
  std::vector<char> buf(1 << 20);
  std::string failure;
  while (true) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failure = "cannot read '" + from.string() + "': " + errno_text(errno);
      break;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf.data() + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        failure = "cannot write '" + to.string() + "': " + errno_text(errno);
        break;
      }
      off += w;
    }
    if (!failure.empty()) break;
  }
  ::close(in);
  ::close(out);
  if (!failure.empty()) throw data_error(failure);
}

}  // namespace

AtomicOutput::AtomicOutput(fs::path target, Layout layout, std::string what)
    : target_(std::move(target)), layout_(layout), what_(std::move(what)) {}

AtomicOutput::~AtomicOutput() {
  abort();
}

size_t AtomicOutput::clean_debris(const fs::path& target) {
  const fs::path dir = target.parent_path();
  const std::string prefix = "." + target.filename().string();
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return 0;
  std::vector<std::pair<fs::path, bool>> dead;  // (entry, is a backup)
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    for (const char* tag : {kTmpTag, kOldTag}) {
      if (name.compare(prefix.size(), std::strlen(tag), tag) != 0) continue;
      long pid = debris_pid(name, prefix.size() + std::strlen(tag));
      if (pid > 0 && !process_alive(pid)) dead.emplace_back(it->path(), tag == kOldTag);
    }
  }
  size_t cleaned = 0;
  // A backup exists only between the two renames of a fallback folder swap: when the target is
  // missing the swap never finished, so the previous output goes back in place.
  for (const auto& [path, backup] : dead) {
    if (backup && !fs::exists(fs::symlink_status(target, ec))) {
      if (::rename(path.c_str(), target.c_str()) == 0) {
        ++cleaned;
        continue;
      }
    }
    if (fs::remove_all(path, ec) > 0 && !ec) ++cleaned;
  }
  return cleaned;
}

void AtomicOutput::prepare() {
  if (prepared_) throw internal_error("AtomicOutput::prepare called twice");
  prepared_ = true;
  if (target_.filename().empty() || target_.filename() == "." || target_.filename() == "..")
    throw validation_error(subject_prefix(what_) + "'" + target_.string() + "' does not name a file",
                           "give a file name");
  const fs::path parent = target_.parent_path();
  std::error_code ec;

  // Create missing parent folders, remembering the top-most one we made (removed again on abort).
  fs::path missing;
  for (fs::path p = parent; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    if (ec) break;
    missing = p;
    if (p == p.parent_path()) break;
  }
  if (!fs::is_directory(parent, ec)) {
    if (fs::exists(parent, ec) && !fs::is_directory(parent, ec))
      throw data_error(subject_prefix(what_) + "cannot write '" + target_.string() + "': '" +
                       parent.string() + "' is not a folder");
    fs::create_directories(parent, ec);
    if (ec)
      throw data_error(subject_prefix(what_) + "cannot create folder '" + parent.string() + "' for '" +
                           target_.string() + "': " + ec.message(),
                       "check the permissions of the folders above it");
    created_parent_ = missing;
  }

  auto st = fs::status(target_, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw data_error(subject_prefix(what_) + "cannot access '" + target_.string() + "': " + ec.message());
  target_existed_ = fs::exists(st);
  if (target_existed_ && layout_ == Layout::File && fs::is_directory(st))
    throw data_error(subject_prefix(what_) + "'" + target_.string() + "' is a folder, not a file",
                     "choose a file name, or remove the folder");
  if (target_existed_ && layout_ == Layout::Folder && !fs::is_directory(st))
    throw data_error(subject_prefix(what_) + "'" + target_.string() +
                         "' is a file, but a partitioned export writes a folder",
                     "choose another name, or remove the file");

  clean_debris(target_);
  target_existed_ = fs::exists(fs::status(target_, ec));  // a backup clean_debris() restored counts

  temp_ = parent / temp_name(target_, kTmpTag);
  interrupt::track_temporary(temp_);
  {
    fs::path scratch = temp_;
    interrupt::track_temporary(scratch += ".cat");
  }
  int rc;
  if (layout_ == Layout::File) {
    // Creating the file proves the folder is writable (a clear error now, not mid-export); it is
    // removed again at once so the writer creates it afresh: a writer that truncates an existing
    // file (O_TRUNC, as DuckDB's COPY does) makes ext4 flush the whole file on close (its
    // auto_da_alloc "replace via truncate" rule, Documentation/admin-guide/ext4.rst), which cost
    // ~0.4 s per GB written. The name has our pid and a random part, so nobody else takes it.
    int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    rc = fd < 0 ? -1 : 0;
    if (fd >= 0) {
      ::close(fd);
      ::unlink(temp_.c_str());
    }
  } else {
    rc = ::mkdir(temp_.c_str(), 0777);
  }
  if (rc != 0) {
    int err = errno;
    fs::path failed = temp_;
    temp_.clear();
    abort();
    throw data_error(
        subject_prefix(what_) + "cannot write into folder '" + parent.string() + "': " + errno_text(err),
        "check that the folder is writable (tried to create '" + failed.filename().string() + "')");
  }
  // commit() fsyncs the output before the rename; started writeback makes that wait only for the tail.
  flush_behind_ = std::make_unique<FlushBehind>(
      temp_, layout_ == Layout::File ? FlushBehind::Watch::File : FlushBehind::Watch::Folder);
}

void AtomicOutput::prepend_existing_target() {
  if (!prepared_ || done_ || layout_ != Layout::File)
    throw internal_error("prepend_existing_target: bad state");
  if (flush_behind_) flush_behind_->stop();  // temp_ is about to be replaced
  if (!target_existed_) return;
  fs::path scratch = temp_;
  scratch += ".cat";
  std::error_code ec;
  fs::copy_file(target_, scratch, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    fs::remove(scratch, ec);
    throw data_error(subject_prefix(what_) + "cannot copy '" + target_.string() +
                     "' to append to it: " + ec.message());
  }
  try {
    append_file(temp_, scratch);
  } catch (...) {
    fs::remove(scratch, ec);
    throw;
  }
  if (::rename(scratch.c_str(), temp_.c_str()) != 0) {
    int err = errno;
    fs::remove(scratch, ec);
    throw data_error(subject_prefix(what_) + "cannot rename '" + scratch.string() + "': " + errno_text(err));
  }
}

void AtomicOutput::merge_existing_target() {
  if (!prepared_ || done_ || layout_ != Layout::Folder)
    throw internal_error("merge_existing_target: bad state");
  if (!target_existed_) return;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(target_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    fs::path rel = fs::relative(it->path(), target_, ec);
    if (ec) break;
    fs::path dst = temp_ / rel;
    if (fs::exists(fs::symlink_status(dst, ec))) continue;  // replaced by the new output
    fs::create_directories(dst.parent_path(), ec);
    if (ec) break;
    fs::create_hard_link(it->path(), dst, ec);
    if (ec) {
      ec.clear();
      fs::copy_file(it->path(), dst, ec);
      if (ec) break;
    }
  }
  if (ec)
    throw data_error(subject_prefix(what_) + "cannot keep the files of '" + target_.string() +
                     "': " + ec.message());
}

void AtomicOutput::commit() {
  if (!prepared_ || done_ || temp_.empty()) throw internal_error("AtomicOutput::commit: bad state");
  const fs::path parent = target_.parent_path();
  if (layout_ == Layout::File) {
    if (flush_behind_) flush_behind_->stop();
    fsync_path(temp_, false);
    crash_point("file.before_rename");
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
      throw data_error(subject_prefix(what_) + "cannot move the new file into place at '" + target_.string() +
                       "': " + errno_text(errno));
    crash_point("file.renamed");
  } else {
    if (flush_behind_) flush_behind_->stop();
    fsync_tree(temp_);
    std::error_code ec;
    bool exists = fs::exists(fs::symlink_status(target_, ec));
    if (!exists && ::rename(temp_.c_str(), target_.c_str()) == 0) {
      // moved into a free name
    } else if (exists &&
               ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
      // temp_ now holds the previous tree
      fs::remove_all(temp_, ec);
    } else if (exists && (errno == EINVAL || errno == ENOSYS)) {
      // No atomic exchange on this filesystem: previous → backup, new → target, drop backup.
      // A crash between the renames leaves the backup, which clean_debris() puts back.
      fs::path backup = parent / temp_name(target_, kOldTag);
      if (::rename(target_.c_str(), backup.c_str()) != 0)
        throw data_error(subject_prefix(what_) + "cannot move '" + target_.string() +
                         "' aside: " + errno_text(errno));
      if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        int err = errno;
        ::rename(backup.c_str(), target_.c_str());
        throw data_error(subject_prefix(what_) + "cannot move the new folder into place at '" +
                         target_.string() + "': " + errno_text(err));
      }
      fs::remove_all(backup, ec);
    } else {
      throw data_error(subject_prefix(what_) + "cannot move the new folder into place at '" +
                       target_.string() + "': " + errno_text(errno));
    }
  }
  done_ = true;
  untrack();
  try {
    fsync_path(parent, true);
  } catch (const Error&) {
    // The rename is done; a folder that cannot be flushed (some filesystems) is not a failure.
  }
}

void AtomicOutput::abort() noexcept {
  if (done_) return;
  done_ = true;
  if (flush_behind_) flush_behind_->stop();
  std::error_code ec;
  if (!temp_.empty()) {
    fs::path scratch = temp_;
    scratch += ".cat";
    fs::remove(scratch, ec);
    fs::remove_all(temp_, ec);
  }
  untrack();
  if (!created_parent_.empty()) {
    // Remove the folders we created, deepest first, only while they are empty.
    for (fs::path p = target_.parent_path(); !p.empty(); p = p.parent_path()) {
      if (!fs::is_empty(p, ec) || ec || !fs::remove(p, ec)) break;
      if (p == created_parent_) break;
    }
  }
}

void AtomicOutput::untrack() noexcept {
  if (temp_.empty()) return;
  fs::path scratch = temp_;
  scratch += ".cat";
  interrupt::untrack_temporary(temp_);
  interrupt::untrack_temporary(scratch);
}

CopyExport::CopyExport(CopySpec spec) : spec_(std::move(spec)) {}

void CopyExport::open(const std::vector<std::string>& column_names, bool append) {
  if (output_) throw internal_error("CopyExport::open called twice");
  spec_.append = spec_.append || append;
  for (const auto& p : spec_.partition_by) {
    bool found = false;
    for (const auto& c : column_names)
      found = found || edit_distance(p, c) == 0;  // case-insensitive, as DuckDB
    if (!found)
      throw validation_error(subject_prefix(spec_.what) + "partition_by column '" + p +
                             "' is not among the exported columns" + did_you_mean(p, column_names));
  }
  if (!spec_.partition_by.empty() && spec_.partition_by.size() >= column_names.size() &&
      !column_names.empty())
    throw validation_error(
        subject_prefix(spec_.what) + "partition_by names every exported column, leaving none to write",
        "partition by fewer columns");
  auto layout = spec_.partition_by.empty() ? AtomicOutput::Layout::File : AtomicOutput::Layout::Folder;
  if (spec_.append && layout == AtomicOutput::Layout::File &&
      spec_.append_method == AppendMethod::Concatenate && spec_.existing_columns && fs::exists(spec_.target))
    append_select_ = select_in_file_order(spec_.existing_columns(spec_.target), column_names);
  output_.emplace(spec_.target, layout, spec_.what);
  output_->prepare();
}

// The SELECT list that writes the exported columns under the existing file's header: by name, a
// file column the export lacks as NULL, an exported column the file lacks an error.
std::string CopyExport::select_in_file_order(const std::vector<std::string>& file_columns,
                                             const std::vector<std::string>& exported) const {
  auto folded = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::set<std::string> in_file;
  for (const auto& f : file_columns) in_file.insert(folded(f));
  for (const auto& e : exported)
    if (!in_file.count(folded(e))) {
      std::string header;
      for (const auto& f : file_columns) header += (header.empty() ? "" : ", ") + f;
      throw validation_error(
          subject_prefix(spec_.what) + "'" + spec_.target.filename().string() + "' has no column '" + e +
              "' to append to (its header: " + header + ")" + did_you_mean(e, file_columns),
          "rows are appended by column name; export the file's columns or use mode overwrite");
    }
  std::string list;
  for (const auto& f : file_columns) {
    bool exported_here = false;
    for (const auto& e : exported) exported_here = exported_here || folded(e) == folded(f);
    list +=
        (list.empty() ? "" : ", ") + (exported_here ? quote_identifier(f) : "NULL AS " + quote_identifier(f));
  }
  return list;
}

std::string CopyExport::copy_statement(const std::string& select_sql) const {
  if (!output_) throw internal_error("CopyExport::copy_statement before open");
  std::string select = select_sql;
  while (!select.empty() && (std::isspace(static_cast<unsigned char>(select.back())) || select.back() == ';'))
    select.pop_back();
  const std::string temp = quote_literal(output_->temp_path().string());
  std::string options = spec_.options;
  if (!spec_.partition_by.empty()) {
    std::string cols;
    for (const auto& p : spec_.partition_by) cols += (cols.empty() ? "" : ", ") + quote_identifier(p);
    options += ", PARTITION_BY (" + cols + ")";
    // New files get unique names so they sit beside the old ones instead of replacing them.
    if (spec_.append) options += ", FILENAME_PATTERN 'data_{uuid}'";
    return "COPY (" + select + ") TO " + temp + " (" + options + ")";
  }
  // The temporary file exists already (prepare() made it); DuckDB must write it in place rather
  // than through a temporary file of its own, which would escape our debris cleanup.
  const std::string own = ", USE_TMP_FILE false";
  if (spec_.append && output_->target_exists()) {
    if (spec_.append_method == AppendMethod::Concatenate) {
      if (!append_select_.empty()) select = "SELECT " + append_select_ + " FROM (" + select + ")";
      return "COPY (" + select + ") TO " + temp + " (" + spec_.append_options + own + ")";
    }
    if (!spec_.read_existing) throw internal_error("CopyExport: Rewrite append without read_existing");
    return "COPY ((SELECT * FROM (" + spec_.read_existing(quote_literal(spec_.target.string())) +
           ")) UNION ALL BY NAME (SELECT * FROM (" + select + "))) TO " + temp + " (" + options + own + ")";
  }
  return "COPY (" + select + ") TO " + temp + " (" + options + own + ")";
}

void CopyExport::commit() {
  if (!output_) throw internal_error("CopyExport::commit before open");
  if (!spec_.partition_by.empty()) {
    if (spec_.append || spec_.overwrite_or_ignore) output_->merge_existing_target();
  } else if (spec_.append && spec_.append_method == AppendMethod::Concatenate) {
    output_->prepend_existing_target();
  }
  output_->commit();
}

void CopyExport::abort() noexcept {
  if (output_) output_->abort();
}

bool export_append_mode(const nlohmann::json& options, const std::string& what) {
  if (!options.is_object() || !options.contains("mode") || options["mode"].is_null()) return false;
  if (!options["mode"].is_string())
    throw validation_error(subject_prefix(what) + "`mode` must be a string: overwrite or append");
  std::string mode = options["mode"].get<std::string>();
  for (auto& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (mode == "overwrite" || mode == "replace") return false;
  if (mode == "append") return true;
  throw validation_error(subject_prefix(what) + "unknown mode '" + options["mode"].get<std::string>() + "'",
                         "file exports support overwrite (the default) and append");
}

std::vector<std::string> export_partition_by(const nlohmann::json& options, const std::string& what) {
  std::vector<std::string> out;
  if (!options.is_object() || !options.contains("partition_by") || options["partition_by"].is_null())
    return out;
  const auto& v = options["partition_by"];
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_string())
        throw validation_error(subject_prefix(what) + "every entry of `partition_by` must be a column name");
      out.push_back(e.get<std::string>());
    }
  } else {
    throw validation_error(subject_prefix(what) +
                           "`partition_by` must be a column name or a list of column names");
  }
  for (const auto& c : out)
    if (c.empty()) throw validation_error(subject_prefix(what) + "`partition_by` holds an empty column name");
  return out;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const std::string& what, ErrorKind kind, const std::string& hint) {
  AtomicOutput output(std::filesystem::absolute(path), AtomicOutput::Layout::File, what);
  output.prepare();
  {
    std::ofstream out(output.temp_path(), std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw Error(kind, "cannot write " + what + " '" + path.string() + "'", hint);
  }
  output.commit();
}

}  // namespace sqlflow::files
