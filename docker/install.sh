#!/bin/sh
# The image's install steps, also run by tests/ops/test_image_install.py in a fresh venv.
#
#   install.sh deps SRC   the project's dependencies (and its build backend), read from
#                         SRC/pyproject.toml: a layer that changes only when they do
#   install.sh app SRC    the project itself, built from SRC (not editable), without deps
#
# Uses the first `python` on PATH (the image's /opt/venv; the test's venv). pip options such
# as PIP_NO_CACHE_DIR come from the environment.
set -eu
step=${1:?usage: install.sh deps|app SRC}
src=${2:?usage: install.sh deps|app SRC}

case "$step" in
  deps)
    reqs=$(mktemp)
    python - "$src/pyproject.toml" >"$reqs" <<'PY'
import sys
import tomllib

with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)
for requirement in project["build-system"]["requires"] + project["project"]["dependencies"]:
    print(requirement)
PY
    python -m pip install --disable-pip-version-check --requirement "$reqs"
    rm -f "$reqs"
    ;;
  app)
    python -m pip install --disable-pip-version-check --no-deps --no-build-isolation "$src"
    python -m pip check
    ;;
  *)
    echo "install.sh: unknown step '$step' (deps or app)" >&2
    exit 2
    ;;
esac
