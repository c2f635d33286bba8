#!/usr/bin/env bash
# Writes sqlflow(1) from the binary's own --help texts: the top-level help, then every command's
# (the command paths come from the hidden `sqlflow __complete commands`), so the man page says
# what the binary does. Usage: scripts/gen-man.sh BIN > sqlflow.1
set -euo pipefail
bin=$1

# roff-safe text: backslashes escaped, lines that start with . or ' protected.
roff() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

version=$("$bin" --version)
cat <<ROFF
.TH SQLFLOW 1 "" "$version" "User Commands"
.SH NAME
sqlflow \- SQL data pipelines on embedded DuckDB
.SH SYNOPSIS
.B sqlflow
\fICOMMAND\fR [\fIOPTIONS\fR] [\fIARGS\fR]
.SH DESCRIPTION
.nf
ROFF
"$bin" --help | roff
echo ".fi"
echo ".SH COMMANDS"
"$bin" __complete commands | while read -r path; do
  echo ".SS sqlflow $path"
  echo ".nf"
  # shellcheck disable=SC2086 # the path is words on purpose
  "$bin" $path --help | roff
  echo ".fi"
done
cat <<'ROFF'
.SH SHELL COMPLETION
Installed for bash, zsh and fish; or load it by hand:
.nf
  source <(sqlflow completion bash)
  source <(sqlflow completion zsh)
  sqlflow completion fish | source
.fi
.SH EXIT STATUS
0 success, 1 a step or command failed, 2 invalid input (usage, validation).
.SH SEE ALSO
The README and docs/ of the sqlflow sources.
ROFF
